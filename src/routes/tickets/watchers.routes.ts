/**
 * A ticket's watchers: who hears about every change to it. Anyone who can see the ticket reads the
 * list and starts or stops watching it (`/watchers/me`, idempotent: 204 either way); managers and
 * admins add or remove others. A plain user may watch only tickets it can see.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { access } from '../../auth/middleware'
import { AUTH_ERRORS, errorResponses, jsonContent } from '../../lib/openapi'
import { PageQuerySchema, pageHeaders } from '../../lib/pagination'
import { UserIdParamSchema } from '../users/users.schemas'
import { TicketIdParamSchema } from './tickets.schemas'

const common = { tags: ['Tickets'] }

export const WatcherSchema = z
  .object({
    userId: z.uuid(),
    name: z.string(),
    since: z.iso.datetime().openapi({ description: 'When the user started watching' }),
  })
  .openapi('Watcher')

const errors = ['E_VALIDATION_ERROR', 'E_TICKET_NOT_FOUND'] as const
const done = { 204: { description: 'Done (also when nothing had to change)' } }

export const list = createRoute({
  ...common,
  ...access('tickets:read'),
  method: 'get',
  path: '/{ticketId}/watchers',
  operationId: 'listTicketWatchers',
  summary: 'Who watches a ticket',
  description: 'In the order they started watching. The reporter and the assignees watch automatically.',
  request: { params: TicketIdParamSchema, query: PageQuerySchema },
  responses: {
    200: { ...jsonContent(z.array(WatcherSchema), 'A page of watchers'), headers: pageHeaders },
    ...errorResponses(...AUTH_ERRORS, ...errors),
  },
})

export const watch = createRoute({
  ...common,
  ...access('tickets:write'),
  method: 'put',
  path: '/{ticketId}/watchers/me',
  operationId: 'watchTicket',
  summary: 'Watch a ticket',
  request: { params: TicketIdParamSchema },
  responses: { ...done, ...errorResponses(...AUTH_ERRORS, ...errors) },
})

export const unwatch = createRoute({
  ...common,
  ...access('tickets:write'),
  method: 'delete',
  path: '/{ticketId}/watchers/me',
  operationId: 'unwatchTicket',
  summary: 'Stop watching a ticket',
  request: { params: TicketIdParamSchema },
  responses: { ...done, ...errorResponses(...AUTH_ERRORS, ...errors) },
})

const UserWatcherParams = TicketIdParamSchema.extend(UserIdParamSchema.shape)

export const addWatcher = createRoute({
  ...common,
  ...access('tickets:write'),
  method: 'put',
  path: '/{ticketId}/watchers/{userId}',
  operationId: 'addTicketWatcher',
  summary: 'Make a user watch a ticket (manager, admin)',
  description:
    'The user must be active (404 `E_USER_NOT_FOUND` otherwise); a plain user only for a ticket it reported or is assigned to (400 `E_WATCHER_NOT_ALLOWED`).',
  request: { params: UserWatcherParams },
  responses: {
    ...done,
    ...errorResponses(
      ...AUTH_ERRORS,
      ...errors,
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
      'E_USER_NOT_FOUND',
      'E_WATCHER_NOT_ALLOWED',
    ),
  },
})

export const removeWatcher = createRoute({
  ...common,
  ...access('tickets:write'),
  method: 'delete',
  path: '/{ticketId}/watchers/{userId}',
  operationId: 'removeTicketWatcher',
  summary: 'Make a user stop watching a ticket (manager, admin; anyone for itself)',
  request: { params: UserWatcherParams },
  responses: { ...done, ...errorResponses(...AUTH_ERRORS, ...errors, 'E_AUTH_INSUFFICIENT_PERMISSIONS') },
})
