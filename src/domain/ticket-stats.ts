/**
 * What a ticket contributes to the workspace's counters, as counter keys: one per status, priority
 * and department, plus its priority among tickets not yet closed. Adding a ticket adds one to each
 * of its keys; a change subtracts the old keys and adds the new ones. Pure.
 */
import type { CountedTicket } from './ticket'

export type { CountedTicket }

export const UNASSIGNED_DEPARTMENT = 'Unassigned'

export const statusKey = (status: string) => `status:${status}`
export const priorityKey = (priority: string) => `priority:${priority}`
export const departmentKey = (department: string | null) => `department:${department ?? ''}`
export const openPriorityKey = (priority: string) => `open_priority:${priority}`

export function counterKeys(ticket: CountedTicket): string[] {
  const keys = [statusKey(ticket.status), priorityKey(ticket.priority), departmentKey(ticket.department)]
  if (ticket.status !== 'closed') keys.push(openPriorityKey(ticket.priority))
  return keys
}

/** The net change of every counter when a ticket goes from `before` to `after` (either may be absent). */
export function counterDeltas(before: CountedTicket | null, after: CountedTicket | null): Map<string, number> {
  const deltas = new Map<string, number>()
  for (const key of before ? counterKeys(before) : []) deltas.set(key, (deltas.get(key) ?? 0) - 1)
  for (const key of after ? counterKeys(after) : []) deltas.set(key, (deltas.get(key) ?? 0) + 1)
  for (const [key, delta] of deltas) if (delta === 0) deltas.delete(key)
  return deltas
}

/** The UTC calendar day of an ISO timestamp: the unit of the activity report. */
export const dayOf = (iso: string) => iso.slice(0, 10)

/** The first day (inclusive) of a window of `days` days ending today. */
export function windowStart(now: Date, days: number): string {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1)))
  return start.toISOString().slice(0, 10)
}

export type ActivityKind = 'created' | 'assigned' | 'closed'

export interface ActivityEvent {
  userId: string
  kind: ActivityKind
  day: string
}

interface HistoryLike {
  action: string
  userId: string | null
  oldValue: unknown
  newValue: unknown
  createdAt: string
}

const ids = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []

/**
 * The activity a history entry stands for: who created a ticket, who was newly assigned, who
 * closed one. Counting history entries this way, and uncounting them when a ticket is deleted,
 * keeps the daily activity equal to what the remaining history says.
 */
export function activityOf(entry: HistoryLike): ActivityEvent[] {
  const day = dayOf(entry.createdAt)
  const events: ActivityEvent[] = []
  if (entry.action === 'created') {
    if (entry.userId) events.push({ userId: entry.userId, kind: 'created', day })
    const initial = (entry.newValue as { assigneeIds?: unknown } | null)?.assigneeIds
    for (const userId of ids(initial)) events.push({ userId, kind: 'assigned', day })
  }
  if (entry.action === 'updated_assignees' || entry.action === 'workflow_assign_user') {
    const before = new Set(ids(entry.oldValue))
    for (const userId of ids(entry.newValue)) if (!before.has(userId)) events.push({ userId, kind: 'assigned', day })
  }
  if ((entry.action === 'updated_status' || entry.action === 'workflow_change_status') && entry.newValue === 'closed') {
    if (entry.userId) events.push({ userId: entry.userId, kind: 'closed', day })
  }
  return events
}
