/**
 * The webhook outbox. `emitEvent` runs inside the transaction of the change that raises the event
 * and writes one delivery per subscribed endpoint, so an event exists if and only if its change
 * committed. The alarm hands due deliveries to the queue (`dueDeliveries`, `markQueued`); the
 * consumer asks for what to send (`deliveryToSend`) and reports each attempt (`recordAttempt`),
 * which schedules the next on the contract's backoff or marks the delivery failed, and disables an
 * endpoint that has failed for five days (its workspace's admins are notified).
 */
import type { FieldChange } from '../../domain/ticket-changes'
import {
  DISABLE_AFTER_MS,
  MAX_ATTEMPTS,
  nextAttemptDelay,
  type WebhookEventType,
  wants,
} from '../../domain/webhook-events'
import type { Position } from '../../lib/pagination'
import { fail, ok, type Result } from '../../lib/result'
import type { Principal, StoreContext } from '../db/context'
import { seqPage } from '../db/paging'
import { all, first, nowIso, run } from '../db/sql'
import { notify } from '../notifications'
import { findWebhookRow, signingSecrets, type WebhookRow } from './endpoints'

/** A delivery handed to the queue and not reported back after this long is handed over again. */
export const REQUEUE_AFTER_MS = 10 * 60 * 1000
/** Deliveries are kept this long (the log), whatever became of them. */
export const DELIVERY_RETENTION_MS = 30 * 24 * 3600 * 1000
/** At most this much of a receiver's answer is kept, for the log. */
export const RESPONSE_BODY_LIMIT = 1024

export interface EventData {
  ticket?: unknown
  changes?: Record<string, { from: unknown; to: unknown }>
  comment?: unknown
  attachment?: unknown
  breach?: unknown
  actor: { id: string; name: string } | null
  rule: string | null
}

export const changesOf = (changes: readonly FieldChange[]) =>
  Object.fromEntries(changes.map((change) => [change.field, { from: change.from, to: change.to }]))

/** Who made a change, as the payload names it (null for nobody, such as a ping). */
export function actorOf(sql: SqlStorage, userId: string | null) {
  if (!userId) return null
  const row = first<{ id: string; name: string }>(sql, 'SELECT id, name FROM users WHERE id = ?', userId)
  return row ? { id: row.id, name: row.name } : null
}

type DeliveryRow = {
  seq: number
  id: string
  webhook_id: string
  message_id: string
  event_type: string
  payload: string
  status: 'pending' | 'retrying' | 'delivered' | 'failed'
  attempts: number
  next_attempt_at: string | null
  queued_at: string | null
  last_attempt_at: string | null
  response_status: number | null
  response_body: string | null
  duration_ms: number | null
  error: string | null
  created_at: string
}

/** The endpoints that are on: most workspaces have none, and then an event costs this one lookup. */
const activeEndpoints = (sql: SqlStorage) => all<WebhookRow>(sql, 'SELECT * FROM webhooks WHERE active = 1')

/**
 * Records an event for every active endpoint that wants it (and, for a ticket's event, whose
 * project filter matches). Runs in the caller's transaction.
 */
export function emitEvent(
  ctx: StoreContext,
  type: WebhookEventType,
  data: () => EventData,
  projectId: string | null,
  only?: string,
  active: readonly WebhookRow[] = activeEndpoints(ctx.sql),
): number {
  const endpoints = active.filter(
    (endpoint) =>
      (only === undefined || endpoint.id === only) &&
      wants(JSON.parse(endpoint.events) as string[], type) &&
      (type === 'ping' || endpoint.project_id === null || endpoint.project_id === projectId),
  )
  if (endpoints.length === 0) return 0
  const now = nowIso()
  const body = JSON.stringify({ type, timestamp: now, workspace: ctx.workspace, data: data() })
  for (const endpoint of endpoints) {
    run(
      ctx.sql,
      `INSERT INTO webhook_deliveries (id, webhook_id, message_id, event_type, payload, status, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`,
      crypto.randomUUID(),
      endpoint.id,
      `msg_${crypto.randomUUID().replaceAll('-', '')}`,
      type,
      body,
      now,
      now,
    )
  }
  return endpoints.length
}

/** A ticket's events after a change: the ticket as it is now, what changed, who or which rule did it. */
export function emitTicketEvents(
  ctx: StoreContext,
  types: readonly WebhookEventType[],
  ticket: () => { projectId: string | null },
  by: { userId: string | null; ruleId?: string },
  extra: { changes?: readonly FieldChange[]; comment?: unknown; attachment?: unknown; breach?: unknown } = {},
) {
  // The one lookup every change pays; the ticket and the payload are built only for a subscriber.
  const active = activeEndpoints(ctx.sql)
  if (active.length === 0) return
  const current = ticket()
  let data: EventData | null = null
  const build = (): EventData => {
    data ??= {
      ticket: current,
      ...(extra.changes ? { changes: changesOf(extra.changes) } : {}),
      ...(extra.comment ? { comment: extra.comment } : {}),
      ...(extra.attachment ? { attachment: extra.attachment } : {}),
      ...(extra.breach ? { breach: extra.breach } : {}),
      actor: actorOf(ctx.sql, by.userId),
      rule: by.ruleId ?? null,
    }
    return data
  }
  for (const type of types) emitEvent(ctx, type, build, current.projectId, undefined, active)
}

/**
 * Deliveries whose next attempt is due and that no queue message carries (or one that got lost),
 * of endpoints that are on: an endpoint turned off keeps its deliveries until it is back on.
 */
export function dueDeliveries(sql: SqlStorage, limit: number, now = Date.now()) {
  return all<{ id: string }>(
    sql,
    `SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id AND w.active = 1
     WHERE d.status IN ('pending', 'retrying') AND d.next_attempt_at <= ? AND (d.queued_at IS NULL OR d.queued_at <= ?)
     ORDER BY d.next_attempt_at LIMIT ?`,
    new Date(now).toISOString(),
    new Date(now - REQUEUE_AFTER_MS).toISOString(),
    limit,
  ).map((row) => row.id)
}

export const markQueued = (sql: SqlStorage, ids: readonly string[], now: string) =>
  run(
    sql,
    'UPDATE webhook_deliveries SET queued_at = ? WHERE id IN (SELECT value FROM json_each(?))',
    now,
    JSON.stringify(ids),
  )

/** When the alarm should next hand deliveries over: the earliest due attempt, or null. */
export function nextDueAt(sql: SqlStorage): number | null {
  const row = first<{ at: string | null }>(
    sql,
    `SELECT min(d.next_attempt_at) AS at FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id AND w.active = 1
     WHERE d.status IN ('pending', 'retrying') AND d.queued_at IS NULL`,
  )
  return row?.at ? Date.parse(row.at) : null
}

export interface DeliveryToSend {
  url: string
  secrets: string[]
  messageId: string
  body: string
}

/** What the consumer sends for a delivery; null when there is nothing to send any more. */
export function deliveryToSend(sql: SqlStorage, id: string): DeliveryToSend | null {
  const delivery = first<DeliveryRow>(sql, 'SELECT * FROM webhook_deliveries WHERE id = ?', id)
  if (!delivery || (delivery.status !== 'pending' && delivery.status !== 'retrying')) return null
  const endpoint = findWebhookRow(sql, delivery.webhook_id)
  if (endpoint?.active !== 1) return null
  return {
    url: endpoint.url,
    secrets: signingSecrets(endpoint),
    messageId: delivery.message_id,
    body: delivery.payload,
  }
}

export interface AttemptOutcome {
  /** The receiver's status, or null when no answer came (timeout, connection refused). */
  status: number | null
  durationMs: number
  error: string | null
  /** The first bytes of the receiver's answer, for the log. */
  body: string | null
}

/**
 * Records one attempt: delivered on a 2xx; otherwise the next attempt on the backoff schedule, or
 * failed after the last. Endpoints track how long they have been failing; five days of failures
 * disable one, and its workspace's admins are notified. Returns when the next attempt is due.
 */
export function recordAttempt(ctx: StoreContext, id: string, outcome: AttemptOutcome, now = Date.now()): number | null {
  const delivery = first<DeliveryRow>(ctx.sql, 'SELECT * FROM webhook_deliveries WHERE id = ?', id)
  if (!delivery || delivery.status === 'delivered' || delivery.status === 'failed') return null
  const at = new Date(now).toISOString()
  const attempts = delivery.attempts + 1
  const delivered = outcome.status !== null && outcome.status >= 200 && outcome.status < 300
  const delay = delivered ? null : attempts < MAX_ATTEMPTS ? nextAttemptDelay(attempts) : null
  const status = delivered ? 'delivered' : delay === null ? 'failed' : 'retrying'
  run(
    ctx.sql,
    `UPDATE webhook_deliveries SET status = ?, attempts = ?, last_attempt_at = ?, next_attempt_at = ?, queued_at = NULL,
       response_status = ?, response_body = ?, duration_ms = ?, error = ? WHERE id = ?`,
    status,
    attempts,
    at,
    delay === null ? null : new Date(now + delay).toISOString(),
    outcome.status,
    outcome.body === null ? null : outcome.body.slice(0, RESPONSE_BODY_LIMIT),
    Math.round(outcome.durationMs),
    outcome.error,
    id,
  )
  trackEndpoint(ctx, delivery.webhook_id, delivered, at, now)
  return delay === null ? null : now + delay
}

function trackEndpoint(ctx: StoreContext, webhookId: string, delivered: boolean, at: string, now: number) {
  if (delivered) {
    run(ctx.sql, 'UPDATE webhooks SET failing_since = NULL WHERE id = ?', webhookId)
    return
  }
  run(ctx.sql, 'UPDATE webhooks SET failing_since = coalesce(failing_since, ?) WHERE id = ?', at, webhookId)
  const endpoint = findWebhookRow(ctx.sql, webhookId)
  if (!endpoint?.failing_since || endpoint.active !== 1) return
  if (now - Date.parse(endpoint.failing_since) < DISABLE_AFTER_MS) return
  run(
    ctx.sql,
    "UPDATE webhooks SET active = 0, disabled_reason = 'failing_for_5_days', updated_at = ? WHERE id = ?",
    at,
    webhookId,
  )
  const admins = all<{ id: string }>(ctx.sql, "SELECT id FROM users WHERE role = 'admin' AND active = 1")
  notify(
    ctx.sql,
    {
      userIds: admins.map((admin) => admin.id),
      ticketId: null,
      kind: 'webhook_disabled',
      message: `Webhook ${endpoint.url} was disabled: every delivery has failed for 5 days`,
    },
    ctx.emailEnabled,
    at,
  )
}

/** The delivery log of an endpoint, newest first. */
export function listDeliveries(
  ctx: StoreContext,
  caller: Principal,
  webhookId: string,
  after: Position | null,
  limit: number,
) {
  if (caller.role !== 'admin') return fail('E_AUTH_INSUFFICIENT_PERMISSIONS')
  if (!findWebhookRow(ctx.sql, webhookId)) return fail('E_WEBHOOK_NOT_FOUND')
  return ok(
    seqPage<DeliveryRow, Delivery>(
      ctx.sql,
      { table: 'webhook_deliveries', where: 'webhook_id = ?', params: [webhookId], descending: true },
      after,
      limit,
      toDelivery,
    ),
  )
}

export interface Delivery {
  id: string
  eventType: WebhookEventType
  webhookMessageId: string
  status: DeliveryRow['status']
  attempts: number
  lastAttemptAt: string | null
  nextAttemptAt: string | null
  responseStatus: number | null
  durationMs: number | null
  error: string | null
  createdAt: string
}

const toDelivery = (row: DeliveryRow): Delivery => ({
  id: row.id,
  eventType: row.event_type as WebhookEventType,
  webhookMessageId: row.message_id,
  status: row.status,
  attempts: row.attempts,
  lastAttemptAt: row.last_attempt_at,
  nextAttemptAt: row.next_attempt_at,
  responseStatus: row.response_status,
  durationMs: row.duration_ms,
  error: row.error,
  createdAt: row.created_at,
})

/**
 * One more attempt now, with the same `webhook-id`, whatever became of the delivery (a failed one
 * rejoins the backoff from its attempt count). One already on its way in a queue message is left
 * to that message, so it is not sent twice.
 */
export function redeliver(
  ctx: StoreContext,
  caller: Principal,
  webhookId: string,
  id: string,
  now = Date.now(),
): Result<null> {
  if (caller.role !== 'admin') return fail('E_AUTH_INSUFFICIENT_PERMISSIONS')
  const endpoint = findWebhookRow(ctx.sql, webhookId)
  if (endpoint?.active === 0) return fail('E_WEBHOOK_INACTIVE')
  const written = run(
    ctx.sql,
    `UPDATE webhook_deliveries SET status = 'retrying', next_attempt_at = ?,
       queued_at = CASE WHEN queued_at > ? THEN queued_at ELSE NULL END
     WHERE id = ? AND webhook_id = ?`,
    new Date(now).toISOString(),
    new Date(now - REQUEUE_AFTER_MS).toISOString(),
    id,
    webhookId,
  )
  return written === 0 ? fail('E_WEBHOOK_DELIVERY_NOT_FOUND') : ok(null)
}

/** Deliveries older than the retention are forgotten (the daily sweep). */
export const forgetOldDeliveries = (sql: SqlStorage, now = Date.now()) =>
  run(sql, 'DELETE FROM webhook_deliveries WHERE created_at <= ?', new Date(now - DELIVERY_RETENTION_MS).toISOString())
