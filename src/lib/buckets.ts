/**
 * Which R2 bucket holds a workspace's files: the one bound in its jurisdiction (`ATTACHMENTS_EU`,
 * `ATTACHMENTS_FEDRAMP`, each declared with `jurisdiction` in wrangler.toml), or `ATTACHMENTS`.
 * Used by the Worker (uploads, downloads) and by the workspace's object (deletions, sweeps).
 */
import type { Bindings } from '../config'
import type { Jurisdiction } from '../domain/workspaces'

export function bucketFor(env: Bindings, jurisdiction: Jurisdiction | null): R2Bucket {
  if (jurisdiction === 'eu') return env.ATTACHMENTS_EU
  if (jurisdiction === 'fedramp') return env.ATTACHMENTS_FEDRAMP
  return env.ATTACHMENTS
}
