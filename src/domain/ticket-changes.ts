/**
 * What a partial update changes: the fields whose values really differ (assignees compared as a
 * set), and the history action each change is recorded under. Pure, so the store and the workflow
 * engine agree on what counts as a change.
 */
import type { TicketState } from './ticket'

export type { TicketState }

/** The changeable part of a ticket (anything with these fields, such as the store's Ticket). */
export const stateOf = (ticket: TicketState): TicketState => ({
  title: ticket.title,
  description: ticket.description,
  status: ticket.status,
  priority: ticket.priority,
  department: ticket.department,
  projectId: ticket.projectId,
  assigneeIds: ticket.assigneeIds,
  labels: ticket.labels,
  dueAt: ticket.dueAt,
})

export type TicketField = keyof TicketState
export type TicketPatch = Partial<TicketState>

export type FieldChange = {
  [F in TicketField]: { field: F; from: TicketState[F]; to: TicketState[F] }
}[TicketField]

const FIELDS: TicketField[] = [
  'title',
  'description',
  'status',
  'priority',
  'department',
  'projectId',
  'assigneeIds',
  'labels',
  'dueAt',
]

/** Fields whose value is a set: compared without regard to order or case of duplicates. */
const SET_FIELDS = new Set<TicketField>(['assigneeIds', 'labels'])

const sameSet = (a: readonly string[], b: readonly string[]) => {
  const left = new Set(a)
  const right = new Set(b)
  return left.size === right.size && [...left].every((item) => right.has(item))
}

export function diffTicket(before: TicketState, patch: TicketPatch): FieldChange[] {
  const changes: FieldChange[] = []
  for (const field of FIELDS) {
    const to = patch[field]
    if (to === undefined) continue
    const from = before[field]
    const same = SET_FIELDS.has(field) ? sameSet(from as string[], to as string[]) : from === to
    if (!same) changes.push({ field, from, to } as FieldChange)
  }
  return changes
}

const ACTION_NAMES: Record<TicketField, string> = {
  title: 'title',
  description: 'description',
  status: 'status',
  priority: 'priority',
  department: 'department',
  projectId: 'project',
  assigneeIds: 'assignees',
  labels: 'labels',
  dueAt: 'due_date',
}

/** `updated_status`, `updated_assignees`, … */
export const historyAction = (field: TicketField) => `updated_${ACTION_NAMES[field]}`
