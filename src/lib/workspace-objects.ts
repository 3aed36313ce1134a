/**
 * How the Worker addresses a workspace's Durable Object: by its slug, in the namespace of its
 * jurisdiction, both of which ride in the caller's token, so an ordinary request needs no lookup.
 */
import type { Bindings } from '../config'
import { DEFAULT_REF, type LocationHint, type WorkspaceRef } from '../domain/workspaces'

let jurisdictionsSimulated = false

/**
 * The object for `name` in the namespace of `jurisdiction`. workerd (`wrangler dev`, the tests)
 * does not implement jurisdictions and says so by throwing; there the plain namespace stands in,
 * which is said once in the log. In production a jurisdiction is always honoured or the call fails.
 */
export function objectIn<T extends Rpc.DurableObjectBranded | undefined>(
  namespace: DurableObjectNamespace<T>,
  jurisdiction: WorkspaceRef['jurisdiction'],
  name: string,
  options?: DurableObjectNamespaceGetDurableObjectOptions,
): DurableObjectStub<T> {
  if (jurisdiction && !jurisdictionsSimulated) {
    try {
      return namespace.jurisdiction(jurisdiction).getByName(name, options)
    } catch (error) {
      if (!/not implemented in workerd/i.test(error instanceof Error ? error.message : String(error))) throw error
      jurisdictionsSimulated = true
      console.warn(
        JSON.stringify({
          level: 'warn',
          msg: 'Durable Object jurisdictions are not implemented in workerd: placing every workspace in the plain namespace',
        }),
      )
    }
  }
  return namespace.getByName(name, options)
}

/** The store of a workspace; a location hint only matters on the call that first creates it. */
export const workspaceStore = (env: Bindings, ref: WorkspaceRef = DEFAULT_REF, locationHint?: LocationHint | null) =>
  objectIn(env.WORKSPACE, ref.jurisdiction, ref.slug, locationHint ? { locationHint } : undefined)
