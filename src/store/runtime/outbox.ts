/**
 * The outbox relays the Workspace's alarm runs shortly after a commit that left work for it: hand
 * pending notification emails to the queue, and delete R2 objects whose records are gone. Outbox
 * rows are written in the same transaction as the change that causes them, so this work happens if
 * and only if the change did; a relay that fails throws, and the runtime retries the alarm.
 */
import type { EmailJob, WebhookJob } from '../../config'
import type { WorkspaceRef } from '../../domain/workspaces'
import { objectsDeleted, pendingObjectDeletions } from '../attachments'
import type { StoreContext } from '../db/context'
import { nowIso } from '../db/sql'
import { markQueued, pendingEmailIds } from '../notifications'
import * as webhooks from '../webhooks/outbox'

const BATCH = 100
/** How long after a commit the outboxes are worked off: changes within it share one relay. */
export const RELAY_DELAY_MS = 200

/** Whether a commit left work for the alarm, so it should run now rather than at the next sweep. */
export const outboxPending = (ctx: StoreContext) =>
  (ctx.emailEnabled && pendingEmailIds(ctx.sql, 1).length > 0) ||
  pendingObjectDeletions(ctx.sql, 1).length > 0 ||
  webhooks.dueDeliveries(ctx.sql, 1).length > 0

/**
 * Hands due webhook deliveries to the queue, in batches. Without a queue binding, deliveries wait
 * (and are handed over once one is configured).
 */
export async function relayWebhooks(ctx: StoreContext, queue: Queue<WebhookJob> | undefined, workspace: WorkspaceRef) {
  if (!queue) return
  const job = { workspace: workspace.slug, jurisdiction: workspace.jurisdiction }
  for (let ids = webhooks.dueDeliveries(ctx.sql, BATCH); ids.length > 0; ids = webhooks.dueDeliveries(ctx.sql, BATCH)) {
    await queue.sendBatch(ids.map((deliveryId) => ({ body: { ...job, deliveryId } })))
    webhooks.markQueued(ctx.sql, ids, nowIso())
  }
}

/** Hands pending emails to the queue, in batches. */
export async function relayEmails(ctx: StoreContext, queue: Queue<EmailJob> | undefined, workspace: WorkspaceRef) {
  if (!queue || !ctx.emailEnabled) return
  const job = { workspace: workspace.slug, jurisdiction: workspace.jurisdiction }
  for (let ids = pendingEmailIds(ctx.sql, BATCH); ids.length > 0; ids = pendingEmailIds(ctx.sql, BATCH)) {
    await queue.sendBatch(ids.map((notificationId) => ({ body: { ...job, notificationId } })))
    markQueued(ctx.sql, ids, nowIso())
  }
}

/** Deletes the objects of deleted attachments, in batches. */
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
