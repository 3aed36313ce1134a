/**
 * The ticket, defined once: its changeable state and the fields the store sets. Every other shape
 * (the store's insert and row changes, the report counters' view, the workflow engine's before and
 * after) is derived from these with `Pick`/`Omit`, and the response schema in
 * `routes/tickets/tickets.schemas.ts` is checked against `Ticket` at compile time. Pure.
 */
import type { Priority } from './priorities'
import type { Status } from './ticket-lifecycle'

/** What a change can touch. */
export interface TicketState {
  title: string
  description: string
  status: Status
  priority: Priority
  department: string | null
  projectId: string | null
  assigneeIds: readonly string[]
  /** Label names, in the catalog's case, sorted case-insensitively. */
  labels: readonly string[]
  dueAt: string | null
}

/** Where a ticket stands against its SLA targets (all null without a policy for its priority). */
export interface TicketSla {
  firstResponseDueAt: string | null
  resolutionDueAt: string | null
  firstRespondedAt: string | null
  breached: SlaTarget[]
  paused: boolean
}

export const SLA_TARGETS = ['first_response', 'resolution'] as const
export type SlaTarget = (typeof SLA_TARGETS)[number]

export interface Ticket extends TicketState {
  id: string
  key: string
  reporterId: string
  assigneeIds: string[]
  labels: string[]
  sla: TicketSla
  version: number
  createdAt: string
  updatedAt: string
}

/** What the report counters see of a ticket. */
export type CountedTicket = Pick<Ticket, 'status' | 'priority' | 'department'>

/** Who is involved in a ticket: who may see it, and who hears about it. */
export type TicketParties = Pick<TicketState, 'assigneeIds'> & Pick<Ticket, 'reporterId'>
