/**
 * Ticket routes: create, list, `/my`, read by id or key, partial update with optimistic
 * concurrency, delete. A plain user sees only tickets it reported or is assigned to; every other
 * ticket answers 404 on every route.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { access } from '../../auth/middleware'
import { AUTH_ERRORS, BODY_ERRORS, errorResponses, jsonBody, jsonContent, namedInBody } from '../../lib/openapi'
import { pageHeaders } from '../../lib/pagination'
import {
  CreateTicketSchema,
  IdempotencyHeaderSchema,
  IfMatchHeaderSchema,
  TicketIdParamSchema,
  TicketKeyParamSchema,
  TicketListQuerySchema,
  TicketSchema,
  UpdateTicketSchema,
} from './tickets.schemas'

const common = { tags: ['Tickets'] }
const etagHeader = { ETag: { description: 'The ticket’s version, `"<version>"`', schema: { type: 'string' as const } } }
const page = { ...jsonContent(z.array(TicketSchema), 'A page of tickets'), headers: pageHeaders }

export const list = createRoute({
  ...common,
  ...access('tickets:read'),
  method: 'get',
  path: '/',
  operationId: 'listTickets',
  summary: 'List tickets',
  description:
    'Filters combine with AND. Managers and admins see every ticket; a plain user only those it reported or is assigned to. Paging is by keyset cursor: with the default sort, tickets created while paging never cause an item to be skipped or repeated.',
  request: { query: TicketListQuerySchema },
  responses: { 200: page, ...errorResponses(...AUTH_ERRORS, 'E_VALIDATION_ERROR') },
})

export const my = createRoute({
  ...common,
  ...access('tickets:read'),
  method: 'get',
  path: '/my',
  operationId: 'listMyTickets',
  summary: 'Tickets the caller reported or is assigned to',
  request: { query: TicketListQuerySchema },
  responses: { 200: page, ...errorResponses(...AUTH_ERRORS, 'E_VALIDATION_ERROR') },
})

export const create = createRoute({
  ...common,
  ...access('tickets:write'),
  method: 'post',
  path: '/',
  operationId: 'createTicket',
  summary: 'Create a ticket',
  description:
    'New tickets are `open`, reported by the caller, keyed `TSK-1001`, … or `<PROJECTKEY>-1`, … within a project. Only managers and admins may set `assigneeIds`.',
  request: { headers: IdempotencyHeaderSchema, body: jsonBody(CreateTicketSchema) },
  responses: {
    201: {
      ...jsonContent(TicketSchema, 'Ticket created (or, for a repeated Idempotency-Key, the first result)'),
      headers: {
        ...etagHeader,
        Location: { description: 'URL of the ticket', schema: { type: 'string' } },
        'Idempotent-Replayed': {
          description: '`true` when this is the stored result of an earlier request with the same Idempotency-Key',
          schema: { type: 'string' },
        },
      },
    },
    ...errorResponses(
      ...AUTH_ERRORS,
      ...BODY_ERRORS,
      'E_TICKET_INVALID_ASSIGNEE',
      namedInBody('E_PROJECT_NOT_FOUND'),
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
      'E_IDEMPOTENCY_KEY_REUSED',
    ),
  },
})

const readErrors = errorResponses(...AUTH_ERRORS, 'E_VALIDATION_ERROR', 'E_TICKET_NOT_FOUND')

export const getByKey = createRoute({
  ...common,
  ...access('tickets:read'),
  method: 'get',
  path: '/key/{ticketKey}',
  operationId: 'getTicketByKey',
  summary: 'Read a ticket by key',
  request: { params: TicketKeyParamSchema },
  responses: { 200: { ...jsonContent(TicketSchema, 'The ticket'), headers: etagHeader }, ...readErrors },
})

export const get = createRoute({
  ...common,
  ...access('tickets:read'),
  method: 'get',
  path: '/{ticketId}',
  operationId: 'getTicket',
  summary: 'Read a ticket',
  request: { params: TicketIdParamSchema },
  responses: { 200: { ...jsonContent(TicketSchema, 'The ticket'), headers: etagHeader }, ...readErrors },
})

export const update = createRoute({
  ...common,
  ...access('tickets:write'),
  method: 'put',
  path: '/{ticketId}',
  operationId: 'updateTicket',
  summary: 'Change a ticket (partial)',
  description:
    'Only the fields sent change; each change is one history entry and the version grows by one. A status change must follow the lifecycle (400 `E_TICKET_INVALID_STATUS_TRANSITION` with `details: {from, to, allowed}`); setting the current status again changes nothing. With `If-Match`, the update applies only to that version (else 412). Plain users may not change `assigneeIds` (403).',
  request: { params: TicketIdParamSchema, headers: IfMatchHeaderSchema, body: jsonBody(UpdateTicketSchema) },
  responses: {
    200: { ...jsonContent(TicketSchema, 'The updated ticket'), headers: etagHeader },
    ...errorResponses(
      ...AUTH_ERRORS,
      ...BODY_ERRORS,
      'E_TICKET_INVALID_STATUS_TRANSITION',
      'E_TICKET_INVALID_ASSIGNEE',
      namedInBody('E_PROJECT_NOT_FOUND'),
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
      'E_TICKET_NOT_FOUND',
      'E_PRECONDITION_FAILED',
    ),
  },
})

export const remove = createRoute({
  ...common,
  ...access('tickets:write'),
  method: 'delete',
  path: '/{ticketId}',
  operationId: 'deleteTicket',
  summary: 'Delete a ticket (manager, admin)',
  description: 'Deletes the ticket with its history and comments. Its key is never reused.',
  request: { params: TicketIdParamSchema },
  responses: {
    204: { description: 'Deleted' },
    ...errorResponses(...AUTH_ERRORS, 'E_VALIDATION_ERROR', 'E_AUTH_INSUFFICIENT_PERMISSIONS', 'E_TICKET_NOT_FOUND'),
  },
})
