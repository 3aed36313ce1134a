/**
 * Workspaces: the tenants. `default` is the home workspace: every request that names no other works
 * in it, so single-workspace clients never need to know workspaces exist. A workspace's placement
 * (jurisdiction, location hint) is fixed at creation. Pure.
 */

export const DEFAULT_WORKSPACE = 'default'

/** The name of the one Directory object, which knows every slug. */
export const DIRECTORY_NAME = 'directory'

/** 3–40 characters of a-z, 0-9 and '-', starting and ending with a letter or digit. */
export const SLUG_PATTERN = '^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$'
const SLUG = new RegExp(SLUG_PATTERN)
export const isSlug = (value: string) => SLUG.test(value)

/** A hard guarantee: the object and its files live in this jurisdiction. */
export const JURISDICTIONS = ['eu', 'fedramp'] as const
export type Jurisdiction = (typeof JURISDICTIONS)[number]
export const isJurisdiction = (value: unknown): value is Jurisdiction =>
  typeof value === 'string' && (JURISDICTIONS as readonly string[]).includes(value)

/** A preference: where the object is first created. */
export const LOCATION_HINTS = ['wnam', 'enam', 'sam', 'weur', 'eeur', 'apac', 'oc', 'afr', 'me'] as const
export type LocationHint = (typeof LOCATION_HINTS)[number]

/** What the Worker needs to address a workspace's object without a lookup: it rides in every token. */
export interface WorkspaceRef {
  slug: string
  jurisdiction: Jurisdiction | null
}

export interface Placement {
  jurisdiction: Jurisdiction | null
  locationHint: LocationHint | null
}

export const DEFAULT_REF: WorkspaceRef = { slug: DEFAULT_WORKSPACE, jurisdiction: null }

/**
 * Where a workspace's files live in its bucket. `default` keeps the layout it always had
 * (`tickets/<ticketId>/<fileId>`); every other workspace has its own prefix, so its files can be
 * listed and erased with it.
 */
export const filePrefix = (slug: string) => (slug === DEFAULT_WORKSPACE ? '' : `workspaces/${slug}/`)
