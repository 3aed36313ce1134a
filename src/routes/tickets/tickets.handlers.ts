/**
 * Ticket handlers: turn query parameters into the store's filter, headers into concurrency and
 * idempotency controls, and results into responses with ETag and Location.
 */
import type { Context } from 'hono'
import type { Ticket } from '../../domain/ticket'
import { cursorArity } from '../../domain/ticket-sort'
import type { AppEnv, AppRouteHandler } from '../../lib/app-env'
import { ApiError, unwrap } from '../../lib/errors'
import { etag, parseIfMatch } from '../../lib/etag'
import { pageArgs, pageResponse } from '../../lib/pagination'
import type { TicketFilter } from '../../store/tickets/list'
import type * as routes from './tickets.routes'

type ListQuery = {
  status?: string
  priority?: string
  assignee_id?: string
  reporter_id?: string
  department?: string
  project_id?: string
  q?: string
  label?: string
  any_label?: string
  due_before?: string
  due_after?: string
  overdue?: 'true' | 'false'
}

const names = (list: string | undefined) => list?.split(',').map((name) => name.trim())

/** An instant as the store keeps it: UTC, milliseconds, `Z`. */
export const utc = (iso: string) => new Date(iso).toISOString()

const toFilter = (query: ListQuery): TicketFilter => ({
  status: query.status,
  priority: query.priority,
  assigneeId: query.assignee_id,
  reporterId: query.reporter_id,
  department: query.department,
  projectId: query.project_id,
  q: query.q,
  labels: names(query.label),
  anyLabels: names(query.any_label),
  dueBefore: query.due_before === undefined ? undefined : utc(query.due_before),
  dueAfter: query.due_after === undefined ? undefined : utc(query.due_after),
  overdue: query.overdue === undefined ? undefined : query.overdue === 'true',
})

/** A body's `dueAt`, in UTC (undefined and null pass through). */
const withUtcDueAt = <T extends { dueAt?: string | null }>(body: T): T =>
  body.dueAt ? { ...body, dueAt: utc(body.dueAt) } : body

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const { limit, cursor, sort, ...query } = c.req.valid('query')
  const page = pageArgs({ limit, cursor }, cursorArity(sort))
  return pageResponse(c, await unwrap(c.get('store').listTickets(c.get('auth').actor, toFilter(query), sort, page)))
}

export const my: AppRouteHandler<typeof routes.my> = async (c) => {
  const { limit, cursor, sort, ...query } = c.req.valid('query')
  const page = pageArgs({ limit, cursor }, cursorArity(sort))
  return pageResponse(c, await unwrap(c.get('store').listMyTickets(c.get('auth').actor, toFilter(query), sort, page)))
}

async function sha256(text: string) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}

const withTicketHeaders = (c: Context<AppEnv>, ticket: Ticket) => {
  c.header('ETag', etag(ticket.version))
  return ticket
}

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const input = withUtcDueAt(c.req.valid('json'))
  const key = c.req.valid('header')['idempotency-key']
  const idempotency = key ? { key, requestHash: await sha256(JSON.stringify(input)) } : undefined
  const { ticket, replayed } = await unwrap(c.get('store').createTicket(c.get('auth').actor, input, idempotency))
  c.header('Location', `/api/v1/tickets/${ticket.id}`)
  if (replayed) c.header('Idempotent-Replayed', 'true')
  return c.json(withTicketHeaders(c, ticket), 201)
}

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const { ticketId } = c.req.valid('param')
  const ticket = await unwrap(c.get('store').getTicket(c.get('auth').actor, ticketId))
  return c.json(withTicketHeaders(c, ticket), 200)
}

export const getByKey: AppRouteHandler<typeof routes.getByKey> = async (c) => {
  const { ticketKey } = c.req.valid('param')
  const ticket = await unwrap(c.get('store').getTicketByKey(c.get('auth').actor, ticketKey))
  return c.json(withTicketHeaders(c, ticket), 200)
}

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const { ticketId } = c.req.valid('param')
  const ifMatch = parseIfMatch(c.req.valid('header')['if-match'])
  let expectedVersion: number | undefined
  if (ifMatch && !ifMatch.any) {
    // One ETag is a ticket's one current version; a list of them, or garbage, can never all hold.
    if (ifMatch.versions.length !== 1) {
      throw new ApiError('E_PRECONDITION_FAILED', { details: { ifMatch: c.req.header('If-Match') ?? null } })
    }
    expectedVersion = ifMatch.versions[0]
  }
  const ticket = await unwrap(
    c.get('store').updateTicket(c.get('auth').actor, ticketId, withUtcDueAt(c.req.valid('json')), expectedVersion),
  )
  return c.json(withTicketHeaders(c, ticket), 200)
}

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const { ticketId } = c.req.valid('param')
  await unwrap(c.get('store').deleteTicket(c.get('auth').actor, ticketId))
  return c.body(null, 204)
}
