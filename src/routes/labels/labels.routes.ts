/**
 * The workspace's label catalog: anyone authenticated reads it; managers and admins create, rename,
 * recolour and delete labels. Renaming or deleting a label changes every ticket that carries it, in
 * the same transaction.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { access, requireRole } from '../../auth/middleware'
import { AUTH_ERRORS, BODY_ERRORS, errorResponses, jsonBody, jsonContent } from '../../lib/openapi'
import { PageQuerySchema, pageHeaders } from '../../lib/pagination'
import { CreateLabelSchema, LabelIdParamSchema, LabelSchema, UpdateLabelSchema } from './labels.schemas'

const common = { tags: ['Labels'] }
const writeErrors = ['E_AUTH_INSUFFICIENT_PERMISSIONS'] as const

export const list = createRoute({
  ...common,
  ...access('tickets:read'),
  method: 'get',
  path: '/',
  operationId: 'listLabels',
  summary: 'List labels',
  description: 'Oldest first, paged with `limit` and `cursor`.',
  request: { query: PageQuerySchema },
  responses: {
    200: { ...jsonContent(z.array(LabelSchema), 'A page of labels'), headers: pageHeaders },
    ...errorResponses(...AUTH_ERRORS, 'E_VALIDATION_ERROR'),
  },
})

export const create = createRoute({
  ...common,
  ...access('tickets:write', requireRole('manager')),
  method: 'post',
  path: '/',
  operationId: 'createLabel',
  summary: 'Create a label (manager, admin)',
  description: 'Names are unique case-insensitively (409 `E_LABEL_EXISTS`).',
  request: { body: jsonBody(CreateLabelSchema) },
  responses: {
    201: {
      ...jsonContent(LabelSchema, 'Label created'),
      headers: { Location: { description: 'URL of the new label', schema: { type: 'string' } } },
    },
    ...errorResponses(...AUTH_ERRORS, ...BODY_ERRORS, ...writeErrors, 'E_LABEL_EXISTS'),
  },
})

export const get = createRoute({
  ...common,
  ...access('tickets:read'),
  method: 'get',
  path: '/{labelId}',
  operationId: 'getLabel',
  summary: 'Read a label',
  request: { params: LabelIdParamSchema },
  responses: {
    200: jsonContent(LabelSchema, 'The label'),
    ...errorResponses(...AUTH_ERRORS, 'E_VALIDATION_ERROR', 'E_LABEL_NOT_FOUND'),
  },
})

export const update = createRoute({
  ...common,
  ...access('tickets:write', requireRole('manager')),
  method: 'put',
  path: '/{labelId}',
  operationId: 'updateLabel',
  summary: 'Change a label (partial; manager, admin)',
  description:
    'A new name shows on every ticket that carries the label at once; each such ticket’s version grows by one (no history entry per ticket).',
  request: { params: LabelIdParamSchema, body: jsonBody(UpdateLabelSchema) },
  responses: {
    200: jsonContent(LabelSchema, 'The label'),
    ...errorResponses(...AUTH_ERRORS, ...BODY_ERRORS, ...writeErrors, 'E_LABEL_NOT_FOUND', 'E_LABEL_EXISTS'),
  },
})

export const remove = createRoute({
  ...common,
  ...access('tickets:write', requireRole('manager')),
  method: 'delete',
  path: '/{labelId}',
  operationId: 'deleteLabel',
  summary: 'Delete a label (manager, admin)',
  description:
    'Removes the label from every ticket that carries it, in one transaction; each such ticket’s version grows by one (no history entry per ticket).',
  request: { params: LabelIdParamSchema },
  responses: {
    204: { description: 'Deleted' },
    ...errorResponses(...AUTH_ERRORS, 'E_VALIDATION_ERROR', ...writeErrors, 'E_LABEL_NOT_FOUND'),
  },
})
