/**
 * Webhook events: their types, which of them a change to a ticket raises, and the retry schedule of
 * a delivery. Pure.
 */
import type { FieldChange } from './ticket-changes'

export const WEBHOOK_EVENT_TYPES = [
  'ticket.created',
  'ticket.updated',
  'ticket.status_changed',
  'ticket.assigned',
  'ticket.deleted',
  'ticket.sla_breached',
  'comment.created',
  'attachment.added',
  'attachment.removed',
  'ping',
] as const
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number]

/** An update raises `ticket.updated`, and also `status_changed` and `assigned` when those changed. */
export function updateEvents(changes: readonly FieldChange[]): WebhookEventType[] {
  const types: WebhookEventType[] = ['ticket.updated']
  if (changes.some((change) => change.field === 'status')) types.push('ticket.status_changed')
  const assignees = changes.find((change) => change.field === 'assigneeIds')
  if (assignees?.to.some((id) => !(assignees.from as readonly string[]).includes(id))) {
    types.push('ticket.assigned')
  }
  return types
}

/** Whether an endpoint subscribed to `events` wants `type` (`ping` always reaches its endpoint). */
export const wants = (events: readonly string[], type: WebhookEventType) =>
  type === 'ping' || events.includes('*') || events.includes(type)

/** After attempt n (1-based) fails, the next comes this much later; after the last, none. */
export const RETRY_DELAYS_MS = [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600].map((s) => s * 1000)
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1

/** An endpoint whose deliveries have all failed for this long is disabled. */
export const DISABLE_AFTER_MS = 5 * 24 * 3600 * 1000

export const nextAttemptDelay = (attempts: number): number | null => RETRY_DELAYS_MS[attempts - 1] ?? null
