/**
 * Who may see and change a ticket. A plain user sees only tickets it reported or is assigned to
 * (anything else is reported as not found, so existence does not leak) and may not set assignees;
 * managers and admins see and change every ticket, and only they may delete one.
 */
import { atLeast, type Caller } from './roles'
import type { TicketParties } from './ticket'

export const seesAllTickets = (caller: Caller) => atLeast(caller.role, 'manager')

export const canSeeTicket = (caller: Caller, ticket: TicketParties) =>
  seesAllTickets(caller) || ticket.reporterId === caller.id || ticket.assigneeIds.includes(caller.id)

export const canAssign = (caller: Caller) => atLeast(caller.role, 'manager')

export const canDeleteTicket = (caller: Caller) => atLeast(caller.role, 'manager')

export const canManageProjects = (caller: Caller) => atLeast(caller.role, 'manager')
