/**
 * The daily sweep the Workspace's alarm runs: expired sessions, idempotency keys and upload claims,
 * and abandoned uploads (objects no attachment record names, older than a week).
 */
import type { StoreContext } from '../db/context'
import { readMeta, writeMeta } from '../db/meta'
import { all, run } from '../db/sql'
import { forgetExpiredKeys, IDEMPOTENCY_TTL_MS } from '../tickets/idempotency'
import { deleteExpiredSessions } from '../users/sessions'
import { forgetOldDeliveries } from '../webhooks/outbox'

export const SWEEP_INTERVAL_MS = 24 * 60 * 60 * 1000
/** An uploaded object with no attachment record after this long was abandoned (URLs last 15 minutes). */
export const ORPHAN_AGE_MS = 7 * 24 * 60 * 60 * 1000

/** Runs the daily sweep when it is due; returns when the next one is due. */
export function sweepIfDue(ctx: StoreContext, now = Date.now()): number {
  const next = Number(readMeta(ctx.sql, 'next_sweep_at') ?? 0)
  if (next > now) return next
  deleteExpiredSessions(ctx.sql, new Date(now).toISOString())
  forgetExpiredKeys(ctx.sql, now)
  forgetOldDeliveries(ctx.sql, now)
  run(ctx.sql, 'DELETE FROM upload_claims WHERE claimed_at <= ?', new Date(now - IDEMPOTENCY_TTL_MS).toISOString())
  const following = now + SWEEP_INTERVAL_MS
  writeMeta(ctx.sql, 'next_sweep_at', String(following))
  return following
}

/**
 * Deletes abandoned uploads: objects under the workspace's `prefix` older than ORPHAN_AGE_MS that no attachment
 * record names (an upload whose record was never created, or whose ticket went first). Walks the
 * bucket a few pages per run, remembering where it stopped.
 */
export async function sweepOrphans(ctx: StoreContext, bucket: R2Bucket, prefix: string, now = Date.now(), pages = 10) {
  let cursor = readMeta(ctx.sql, 'orphan_cursor') || undefined
  for (let page = 0; page < pages; page++) {
    const listing = await bucket.list({ prefix, cursor, limit: 500 })
    const old = listing.objects.filter((object) => object.uploaded.getTime() < now - ORPHAN_AGE_MS).map((o) => o.key)
    const recorded = new Set(
      all<{ file_key: string }>(
        ctx.sql,
        'SELECT file_key FROM attachments WHERE file_key IN (SELECT value FROM json_each(?))',
        JSON.stringify(old),
      ).map((row) => row.file_key),
    )
    const orphans = old.filter((key) => !recorded.has(key))
    if (orphans.length > 0) await bucket.delete(orphans)
    cursor = listing.truncated ? listing.cursor : undefined
    if (!cursor) break
  }
  writeMeta(ctx.sql, 'orphan_cursor', cursor ?? '')
}
