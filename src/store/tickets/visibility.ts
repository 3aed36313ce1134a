/**
 * Reading a ticket as a caller: a ticket the caller may not see is reported as not found, never as
 * forbidden, so its existence does not leak. Every ticket operation, and the attachments and
 * comments of a ticket, go through here.
 */
import { canSeeTicket } from '../../domain/ticket-access'
import { fail, ok, type Result } from '../../lib/result'
import type { Principal, StoreContext } from '../db/context'
import { findTicketRow, findTicketRowByKey, hydrateOne, type Ticket, type TicketRow } from './rows'

export const ticketNotFound = () => fail('E_TICKET_NOT_FOUND')

/** The ticket behind `row`, if the caller may see it. */
export function visibleTicket(ctx: StoreContext, caller: Principal, row: TicketRow | null): Result<Ticket> {
  if (!row) return ticketNotFound()
  const ticket = hydrateOne(ctx.sql, row)
  return canSeeTicket(caller, ticket) ? ok(ticket) : ticketNotFound()
}

export const getTicket = (ctx: StoreContext, caller: Principal, id: string) =>
  visibleTicket(ctx, caller, findTicketRow(ctx.sql, id))

export const getTicketByKey = (ctx: StoreContext, caller: Principal, key: string) =>
  visibleTicket(ctx, caller, findTicketRowByKey(ctx.sql, key))

/** Runs `then` with the ticket if the caller may see it; otherwise the ticket is not found. */
export function whenVisible<T>(
  ctx: StoreContext,
  caller: Principal,
  ticketId: string,
  then: (ticket: Ticket) => Result<T>,
): Result<T> {
  const ticket = getTicket(ctx, caller, ticketId)
  return ticket.ok ? then(ticket.value) : ticket
}
