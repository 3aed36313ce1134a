/**
 * User routes: list and create (admins), read (the user itself, managers, admins), update (the
 * user itself; admins also role and active), delete (admins, not themselves).
 */
import { createRoute, z } from '@hono/zod-openapi'
import { access, requireRole } from '../../auth/middleware'
import { AUTH_ERRORS, BODY_ERRORS, errorResponses, jsonBody, jsonContent } from '../../lib/openapi'
import { PageQuerySchema, pageHeaders } from '../../lib/pagination'
import { CreateUserSchema, UpdateUserSchema, UserIdParamSchema, UserListQuerySchema, UserSchema } from './users.schemas'

const tags = ['Users']
const common = { tags } as const

export const list = createRoute({
  ...common,
  ...access('users:read', requireRole('admin')),
  method: 'get',
  path: '/',
  operationId: 'listUsers',
  summary: 'List users (admin)',
  description: 'Oldest first. Paged with `limit` and `cursor`; see the `Link` and `X-Total-Count` headers.',
  request: { query: PageQuerySchema.extend(UserListQuerySchema.shape) },
  responses: {
    200: { ...jsonContent(z.array(UserSchema), 'A page of users'), headers: pageHeaders },
    ...errorResponses(...AUTH_ERRORS, 'E_VALIDATION_ERROR', 'E_AUTH_INSUFFICIENT_PERMISSIONS'),
  },
})

export const create = createRoute({
  ...common,
  ...access('users:write', requireRole('admin')),
  method: 'post',
  path: '/',
  operationId: 'createUser',
  summary: 'Create a user with any role (admin)',
  request: { body: jsonBody(CreateUserSchema) },
  responses: {
    201: {
      ...jsonContent(UserSchema, 'User created'),
      headers: { Location: { description: 'URL of the new user', schema: { type: 'string' } } },
    },
    ...errorResponses(...AUTH_ERRORS, ...BODY_ERRORS, 'E_AUTH_INSUFFICIENT_PERMISSIONS', 'E_USER_EMAIL_EXISTS'),
  },
})

export const get = createRoute({
  ...common,
  ...access('users:read'),
  method: 'get',
  path: '/{userId}',
  operationId: 'getUser',
  summary: 'Read a user',
  description: 'A plain user may read only itself; any other id answers 404.',
  request: { params: UserIdParamSchema },
  responses: {
    200: jsonContent(UserSchema, 'The user'),
    ...errorResponses(...AUTH_ERRORS, 'E_VALIDATION_ERROR', 'E_USER_NOT_FOUND'),
  },
})

export const update = createRoute({
  ...common,
  ...access('users:write'),
  method: 'put',
  path: '/{userId}',
  operationId: 'updateUser',
  summary: 'Change a user (partial)',
  description:
    'The user itself may change `name`, `email` and `password` (with `currentPassword`). Admins may also change `role` and `active`; anyone else sending them gets 403. A new password ends the user’s other sessions; `active: false` ends all of them.',
  request: { params: UserIdParamSchema, body: jsonBody(UpdateUserSchema) },
  responses: {
    200: jsonContent(UserSchema, 'The updated user'),
    ...errorResponses(
      ...AUTH_ERRORS,
      ...BODY_ERRORS,
      'E_USER_CURRENT_PASSWORD_INVALID',
      'E_USER_SELF_LOCKOUT',
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
      'E_USER_NOT_FOUND',
      'E_USER_EMAIL_EXISTS',
    ),
  },
})

export const remove = createRoute({
  ...common,
  ...access('users:write', requireRole('admin')),
  method: 'delete',
  path: '/{userId}',
  operationId: 'deleteUser',
  summary: 'Delete a user (admin, not oneself)',
  description:
    'Ends the user’s sessions. Tickets it reported keep its id as `reporterId`; it is removed from every ticket’s assignees.',
  request: { params: UserIdParamSchema },
  responses: {
    204: { description: 'Deleted' },
    ...errorResponses(
      ...AUTH_ERRORS,
      'E_VALIDATION_ERROR',
      'E_USER_SELF_LOCKOUT',
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
      'E_USER_NOT_FOUND',
    ),
  },
})
