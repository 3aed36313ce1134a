/**
 * A ticket's activity: its history (oldest first) and its comments. Visible exactly when the ticket
 * is: anyone else gets 404.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { access } from '../../auth/middleware'
import { AUTH_ERRORS, BODY_ERRORS, errorResponses, jsonBody, jsonContent } from '../../lib/openapi'
import { PageQuerySchema, pageHeaders } from '../../lib/pagination'
import {
  CommentIdParamSchema,
  CommentSchema,
  CreateCommentSchema,
  HistoryEntrySchema,
  TicketIdParamSchema,
} from './tickets.schemas'

const common = { tags: ['Tickets'] }
const readErrors = errorResponses(...AUTH_ERRORS, 'E_VALIDATION_ERROR', 'E_TICKET_NOT_FOUND')

export const history = createRoute({
  ...common,
  ...access('tickets:read'),
  method: 'get',
  path: '/{ticketId}/history',
  operationId: 'listTicketHistory',
  summary: 'A ticket’s history, oldest first',
  description:
    'One entry per change: `created`, `updated_<field>` with old and new values, or `workflow_<action>` for what a rule did.',
  request: { params: TicketIdParamSchema, query: PageQuerySchema },
  responses: {
    200: { ...jsonContent(z.array(HistoryEntrySchema), 'A page of history entries'), headers: pageHeaders },
    ...readErrors,
  },
})

export const listComments = createRoute({
  ...common,
  ...access('tickets:read'),
  method: 'get',
  path: '/{ticketId}/comments',
  operationId: 'listTicketComments',
  summary: 'A ticket’s comments, oldest first',
  request: { params: TicketIdParamSchema, query: PageQuerySchema },
  responses: {
    200: { ...jsonContent(z.array(CommentSchema), 'A page of comments'), headers: pageHeaders },
    ...readErrors,
  },
})

export const addComment = createRoute({
  ...common,
  ...access('tickets:write'),
  method: 'post',
  path: '/{ticketId}/comments',
  operationId: 'addTicketComment',
  summary: 'Comment on a ticket',
  request: { params: TicketIdParamSchema, body: jsonBody(CreateCommentSchema) },
  responses: {
    201: {
      ...jsonContent(CommentSchema, 'Comment added'),
      headers: { Location: { description: 'URL of the comment', schema: { type: 'string' } } },
    },
    ...errorResponses(...AUTH_ERRORS, ...BODY_ERRORS, 'E_TICKET_NOT_FOUND'),
  },
})

export const getComment = createRoute({
  ...common,
  ...access('tickets:read'),
  method: 'get',
  path: '/{ticketId}/comments/{commentId}',
  operationId: 'getTicketComment',
  summary: 'Read one comment',
  request: { params: CommentIdParamSchema },
  responses: {
    200: jsonContent(CommentSchema, 'The comment'),
    ...errorResponses(...AUTH_ERRORS, 'E_VALIDATION_ERROR', 'E_TICKET_NOT_FOUND', 'E_COMMENT_NOT_FOUND'),
  },
})
