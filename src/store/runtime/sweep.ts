/**
 * What the Workspace's alarm does after commits and once a day: hand pending notification emails
 * to the queue (outbox relay), delete R2 objects whose records are gone (deletion outbox), and
 * sweep expired sessions, idempotency keys, upload claims and abandoned uploads. Outbox rows are written in the same
 * transaction as the change that causes them, so this work happens if and only if the change did.
 */
import type { EmailJob } from '../../config'
import { objectsDeleted, pendingObjectDeletions } from '../attachments'
import type { StoreContext } from '../db/context'
import { all, first, nowIso, run } from '../db/sql'
import { markQueued, pendingEmailIds } from '../notifications'
import { IDEMPOTENCY_TTL_MS } from '../tickets/operations'
import { deleteExpiredSessions } from '../users/sessions'

export const SWEEP_INTERVAL_MS = 24 * 60 * 60 * 1000
/** An uploaded object with no attachment record after this long was abandoned (URLs last 15 minutes). */
export const ORPHAN_AGE_MS = 7 * 24 * 60 * 60 * 1000
const BATCH = 100
/** How long after a commit the outboxes are worked off: changes within it share one relay. */
export const RELAY_DELAY_MS = 200

/** Whether a commit left work for the alarm, so it should run now rather than at the next sweep. */
export const outboxPending = (ctx: StoreContext) =>
  (ctx.emailEnabled && pendingEmailIds(ctx.sql, 1).length > 0) || pendingObjectDeletions(ctx.sql, 1).length > 0

/** Hands pending emails to the queue; a failure throws, and the runtime retries the alarm. */
export async function relayEmails(ctx: StoreContext, queue: Queue<EmailJob> | undefined, workspace: string) {
  if (!queue || !ctx.emailEnabled) return
  for (let ids = pendingEmailIds(ctx.sql, BATCH); ids.length > 0; ids = pendingEmailIds(ctx.sql, BATCH)) {
    await queue.sendBatch(ids.map((notificationId) => ({ body: { workspace, notificationId } })))
    markQueued(ctx.sql, ids, nowIso())
  }
}

export async function deleteObjects(ctx: StoreContext, bucket: R2Bucket) {
  for (
    let keys = pendingObjectDeletions(ctx.sql, BATCH);
    keys.length > 0;
    keys = pendingObjectDeletions(ctx.sql, BATCH)
  ) {
    await bucket.delete(keys)
    objectsDeleted(ctx.sql, keys)
  }
}

/** Runs the daily sweep when it is due; returns when the next one is due. */
export function sweepIfDue(ctx: StoreContext, now = Date.now()): number {
  const next = Number(
    first<{ value: string }>(ctx.sql, "SELECT value FROM meta WHERE key = 'next_sweep_at'")?.value ?? 0,
  )
  if (next > now) return next
  deleteExpiredSessions(ctx.sql, new Date(now).toISOString())
  const cutoff = new Date(now - IDEMPOTENCY_TTL_MS).toISOString()
  run(ctx.sql, 'DELETE FROM idempotency_keys WHERE created_at <= ?', cutoff)
  run(ctx.sql, 'DELETE FROM upload_claims WHERE claimed_at <= ?', cutoff)
  const following = now + SWEEP_INTERVAL_MS
  run(
    ctx.sql,
    "INSERT INTO meta (key, value) VALUES ('next_sweep_at', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    String(following),
  )
  return following
}

/**
 * Deletes abandoned uploads: objects under `tickets/` older than ORPHAN_AGE_MS that no attachment
 * record names (an upload whose record was never created, or whose ticket went first). Walks the
 * bucket a few pages per run, remembering where it stopped.
 */
export async function sweepOrphans(ctx: StoreContext, bucket: R2Bucket, now = Date.now(), pages = 10) {
  let cursor =
    first<{ value: string }>(ctx.sql, "SELECT value FROM meta WHERE key = 'orphan_cursor'")?.value || undefined
  for (let page = 0; page < pages; page++) {
    const listing = await bucket.list({ prefix: 'tickets/', cursor, limit: 500 })
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
  run(
    ctx.sql,
    "INSERT INTO meta (key, value) VALUES ('orphan_cursor', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    cursor ?? '',
  )
}
