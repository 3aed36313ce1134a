/**
 * Workspace routes: `POST /workspaces` creates a workspace and logs its first admin in; `GET`,
 * `PUT` and `DELETE /workspace` act on the caller's own workspace (the one its token names).
 */
import { createRoute } from '@hono/zod-openapi'
import { access, requireRole } from '../../auth/middleware'
import { AUTH_ERRORS, BODY_ERRORS, bearerSecurity, errorResponses, jsonBody, jsonContent } from '../../lib/openapi'
import {
  CreatedWorkspaceSchema,
  CreateWorkspaceSchema,
  DeleteWorkspaceSchema,
  UpdateWorkspaceSchema,
  WorkspaceSchema,
  WorkspaceWithCountsSchema,
} from './workspaces.schemas'

const tags = ['Workspaces']
const common = { tags }

export const create = createRoute({
  method: 'post',
  path: '/workspaces',
  operationId: 'createWorkspace',
  summary: 'Create a workspace',
  description: [
    'Creates a workspace with its first admin and logs that admin in (the tokens belong to the new workspace).',
    'Who may: anyone when the deployment’s `WORKSPACE_SIGNUP` is `open` (the development default; rate limited per client address), otherwise an admin of `default`, with its bearer token.',
    '`jurisdiction` and `locationHint` are fixed for good. A slug is never given out twice, not even after its workspace is deleted: 409 `E_WORKSPACE_EXISTS`.',
  ].join(' '),
  tags,
  security: [{}, ...bearerSecurity],
  request: { body: jsonBody(CreateWorkspaceSchema) },
  responses: {
    201: {
      ...jsonContent(CreatedWorkspaceSchema, 'Workspace created; its admin is logged in'),
      headers: { Location: { description: 'URL of the workspace', schema: { type: 'string' } } },
    },
    ...errorResponses(
      ...AUTH_ERRORS,
      ...BODY_ERRORS,
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
      'E_WORKSPACE_EXISTS',
      'E_RATE_LIMITED',
    ),
  },
})

export const get = createRoute({
  ...common,
  ...access('any-scope'),
  method: 'get',
  path: '/workspace',
  operationId: 'getWorkspace',
  summary: 'Read the caller’s workspace',
  description: 'The workspace the access token belongs to, with how many users, tickets and projects it holds.',
  responses: {
    200: jsonContent(WorkspaceWithCountsSchema, 'The workspace'),
    ...errorResponses(...AUTH_ERRORS),
  },
})

export const update = createRoute({
  ...common,
  ...access('session-only', requireRole('admin')),
  method: 'put',
  path: '/workspace',
  operationId: 'updateWorkspace',
  summary: 'Rename the caller’s workspace (admin)',
  request: { body: jsonBody(UpdateWorkspaceSchema) },
  responses: {
    200: jsonContent(WorkspaceSchema, 'The renamed workspace'),
    ...errorResponses(...AUTH_ERRORS, ...BODY_ERRORS, 'E_AUTH_INSUFFICIENT_PERMISSIONS'),
  },
})

export const remove = createRoute({
  ...common,
  ...access('session-only', requireRole('admin')),
  method: 'delete',
  path: '/workspace',
  operationId: 'deleteWorkspace',
  summary: 'Delete the caller’s workspace (admin)',
  description: [
    'Send the workspace’s slug as `confirm`. At once every token of the workspace answers 401 and nobody can log in to it;',
    'then its data (users, tickets, everything in its Durable Object) and its files are erased in the background, in bounded batches.',
    'The slug stays taken. `default` cannot be deleted (400 `E_WORKSPACE_PROTECTED`).',
  ].join(' '),
  request: { body: jsonBody(DeleteWorkspaceSchema) },
  responses: {
    202: { description: 'Deletion accepted: the workspace is gone for its users, its data is being erased' },
    ...errorResponses(
      ...AUTH_ERRORS,
      ...BODY_ERRORS,
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
      'E_WORKSPACE_CONFIRMATION_MISMATCH',
      'E_WORKSPACE_PROTECTED',
    ),
  },
})
