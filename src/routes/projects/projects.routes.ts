/**
 * Project routes: anyone authenticated reads; managers and admins create, update and delete. A
 * project that still has tickets cannot be deleted (409 `E_PROJECT_HAS_TICKETS`).
 */
import { createRoute, z } from '@hono/zod-openapi'
import { access, requireRole } from '../../auth/middleware'
import { AUTH_ERRORS, BODY_ERRORS, errorResponses, jsonBody, jsonContent } from '../../lib/openapi'
import { PageQuerySchema, pageHeaders } from '../../lib/pagination'
import { CreateProjectSchema, ProjectIdParamSchema, ProjectSchema, UpdateProjectSchema } from './projects.schemas'

const common = { tags: ['Projects'] }

export const list = createRoute({
  ...common,
  ...access('projects:read'),
  method: 'get',
  path: '/',
  operationId: 'listProjects',
  summary: 'List projects',
  description: 'Oldest first, paged with `limit` and `cursor`.',
  request: { query: PageQuerySchema },
  responses: {
    200: { ...jsonContent(z.array(ProjectSchema), 'A page of projects'), headers: pageHeaders },
    ...errorResponses(...AUTH_ERRORS, 'E_VALIDATION_ERROR'),
  },
})

export const create = createRoute({
  ...common,
  ...access('projects:write', requireRole('manager')),
  method: 'post',
  path: '/',
  operationId: 'createProject',
  summary: 'Create a project (manager, admin)',
  request: { body: jsonBody(CreateProjectSchema) },
  responses: {
    201: {
      ...jsonContent(ProjectSchema, 'Project created'),
      headers: { Location: { description: 'URL of the new project', schema: { type: 'string' } } },
    },
    ...errorResponses(...AUTH_ERRORS, ...BODY_ERRORS, 'E_AUTH_INSUFFICIENT_PERMISSIONS', 'E_PROJECT_KEY_EXISTS'),
  },
})

export const get = createRoute({
  ...common,
  ...access('projects:read'),
  method: 'get',
  path: '/{projectId}',
  operationId: 'getProject',
  summary: 'Read a project',
  request: { params: ProjectIdParamSchema },
  responses: {
    200: jsonContent(ProjectSchema, 'The project'),
    ...errorResponses(...AUTH_ERRORS, 'E_VALIDATION_ERROR', 'E_PROJECT_NOT_FOUND'),
  },
})

export const update = createRoute({
  ...common,
  ...access('projects:write', requireRole('manager')),
  method: 'put',
  path: '/{projectId}',
  operationId: 'updateProject',
  summary: 'Rename or describe a project (manager, admin)',
  description: 'The key is fixed: it is part of every ticket key in the project.',
  request: { params: ProjectIdParamSchema, body: jsonBody(UpdateProjectSchema) },
  responses: {
    200: jsonContent(ProjectSchema, 'The updated project'),
    ...errorResponses(...AUTH_ERRORS, ...BODY_ERRORS, 'E_AUTH_INSUFFICIENT_PERMISSIONS', 'E_PROJECT_NOT_FOUND'),
  },
})

export const remove = createRoute({
  ...common,
  ...access('projects:write', requireRole('manager')),
  method: 'delete',
  path: '/{projectId}',
  operationId: 'deleteProject',
  summary: 'Delete a project without tickets (manager, admin)',
  description:
    'Refused with 409 `E_PROJECT_HAS_TICKETS` while any ticket belongs to the project: move or delete them first, so no ticket ever points at a project that is gone. Keys of the project are never reused, even by a new project with the same key.',
  request: { params: ProjectIdParamSchema },
  responses: {
    204: { description: 'Deleted' },
    ...errorResponses(
      ...AUTH_ERRORS,
      'E_VALIDATION_ERROR',
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
      'E_PROJECT_NOT_FOUND',
      'E_PROJECT_HAS_TICKETS',
    ),
  },
})
