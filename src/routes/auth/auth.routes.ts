/**
 * Auth routes: login, register, refresh, logout and me.
 */
import { createRoute } from '@hono/zod-openapi'
import { access } from '../../auth/middleware'
import { AUTH_ERRORS, BODY_ERRORS, errorResponses, jsonBody, jsonContent, publicSecurity } from '../../lib/openapi'
import { UserSchema } from '../users/users.schemas'
import {
  LoginResponseSchema,
  LoginSchema,
  LogoutSchema,
  RefreshSchema,
  RegisterSchema,
  TokenPairSchema,
} from './auth.schemas'

const tags = ['Auth']

export const login = createRoute({
  method: 'post',
  path: '/login',
  operationId: 'login',
  summary: 'Log in with email and password',
  description:
    'Opens a session in the workspace named by `workspace` (omitted: `default`) and returns an access token (15 minutes by default) and a single-use refresh token, both bound to that workspace. A wrong password, an unknown email and an unknown workspace give the same answer. Rate limited per client address and per email.',
  tags,
  security: publicSecurity,
  request: { body: jsonBody(LoginSchema) },
  responses: {
    200: jsonContent(LoginResponseSchema, 'Logged in'),
    ...errorResponses(...BODY_ERRORS, 'E_AUTH_INVALID_CREDENTIALS', 'E_RATE_LIMITED', 'E_SERVICE_MISCONFIGURED'),
  },
})

export const register = createRoute({
  method: 'post',
  path: '/register',
  operationId: 'register',
  summary: 'Create an account',
  description:
    'Self-service registration creates a `user` in the workspace named by `workspace` (omitted: `default`); an unknown workspace is 404. Asking for any other role is refused with 403.',
  tags,
  security: publicSecurity,
  request: { body: jsonBody(RegisterSchema) },
  responses: {
    201: {
      ...jsonContent(UserSchema, 'Account created'),
      headers: { Location: { description: 'URL of the new user', schema: { type: 'string' } } },
    },
    ...errorResponses(
      ...BODY_ERRORS,
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
      'E_USER_EMAIL_EXISTS',
      'E_WORKSPACE_NOT_FOUND',
      'E_RATE_LIMITED',
    ),
  },
})

export const refresh = createRoute({
  method: 'post',
  path: '/refresh',
  operationId: 'refreshTokens',
  summary: 'Exchange a refresh token for a new token pair',
  description:
    'Refresh tokens are single use. Presenting one that was already exchanged revokes the whole session (reuse detection) and answers 401.',
  tags,
  security: publicSecurity,
  request: { body: jsonBody(RefreshSchema) },
  responses: {
    200: jsonContent(TokenPairSchema, 'A new token pair'),
    ...errorResponses(
      ...BODY_ERRORS,
      'E_AUTH_TOKEN_INVALID',
      'E_AUTH_TOKEN_EXPIRED',
      'E_RATE_LIMITED',
      'E_SERVICE_MISCONFIGURED',
    ),
  },
})

export const logout = createRoute({
  method: 'post',
  path: '/logout',
  operationId: 'logout',
  summary: 'End the current session',
  description:
    'Revokes the session of the access token: its refresh token stops working and its access tokens answer 401 from now on. A refresh token of another of the caller’s sessions may be sent to end that one too.',
  tags,
  ...access('session-only'),
  request: {
    body: { required: false, content: { 'application/json': { schema: LogoutSchema } } },
  },
  responses: {
    204: { description: 'Logged out' },
    ...errorResponses(...AUTH_ERRORS, ...BODY_ERRORS),
  },
})

export const me = createRoute({
  method: 'get',
  path: '/me',
  operationId: 'getCurrentUser',
  summary: 'The authenticated user',
  tags,
  ...access('any-scope'),
  responses: {
    200: jsonContent(UserSchema, 'The caller'),
    ...errorResponses(...AUTH_ERRORS),
  },
})
