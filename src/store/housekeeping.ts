/**
 * What the Workspace's alarm does after commits and once a day: hand pending notification emails
 * to the queue (outbox relay), delete R2 objects whose records are gone (deletion outbox), and
 * sweep expired sessions, idempotency keys and upload claims. Outbox rows are written in the same
 * transaction as the change that causes them, so this work happens if and only if the change did.
 */
import type { EmailJob } from '../config'
import { objectsDeleted, pendingObjectDeletions } from './attachments'
import type { StoreContext } from './context'
import { markQueued, pendingEmailIds } from './notifications'
import { deleteExpiredSessions } from './sessions'
import { first, nowIso, run } from './sql'
import { IDEMPOTENCY_TTL_MS } from './ticket-operations'

export const SWEEP_INTERVAL_MS = 24 * 60 * 60 * 1000
const BATCH = 100

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
