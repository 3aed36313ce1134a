/**
 * API token routes, under /api/v1/auth/tokens. They need a login session: an API token can never
 * mint or revoke tokens.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { access } from '../../auth/middleware'
import { AUTH_ERRORS, BODY_ERRORS, errorResponses, jsonBody, jsonContent } from '../../lib/openapi'
import { PageQuerySchema, pageHeaders } from '../../lib/pagination'
import {
  ApiTokenSchema,
  CreateApiTokenSchema,
  CreatedApiTokenSchema,
  TokenIdParamSchema,
  TokenListQuerySchema,
} from './tokens.schemas'

const common = { tags: ['Auth'], ...access('session-only') }

export const create = createRoute({
  ...common,
  method: 'post',
  path: '/',
  operationId: 'createApiToken',
  summary: 'Create an API token',
  description: [
    'A long-lived credential for scripts and integrations, acting as the caller with the caller’s current role, narrowed to `scopes`.',
    'The secret (`token`) is in this answer only; the API keeps nothing but its hash. Scopes beyond the caller’s role are refused (403, `details.scopes`).',
  ].join(' '),
  request: { body: jsonBody(CreateApiTokenSchema) },
  responses: {
    201: {
      ...jsonContent(CreatedApiTokenSchema, 'Token created: store `token` now, it is never shown again'),
      headers: { Location: { description: 'URL of the token', schema: { type: 'string' } } },
    },
    ...errorResponses(...AUTH_ERRORS, ...BODY_ERRORS, 'E_AUTH_INSUFFICIENT_PERMISSIONS'),
  },
})

export const list = createRoute({
  ...common,
  method: 'get',
  path: '/',
  operationId: 'listApiTokens',
  summary: 'List live API tokens',
  description:
    'The caller’s own unrevoked, unexpired tokens, oldest first; admins may ask for one user’s (`user_id`) or all (`all=true`). Never the secrets.',
  request: { query: PageQuerySchema.extend(TokenListQuerySchema.shape) },
  responses: {
    200: { ...jsonContent(z.array(ApiTokenSchema), 'A page of tokens'), headers: pageHeaders },
    ...errorResponses(...AUTH_ERRORS, 'E_AUTH_INSUFFICIENT_PERMISSIONS', 'E_VALIDATION_ERROR'),
  },
})

export const revoke = createRoute({
  ...common,
  method: 'delete',
  path: '/{tokenId}',
  operationId: 'revokeApiToken',
  summary: 'Revoke an API token',
  description: 'Its owner or an admin. From this answer on, the token is refused (401).',
  request: { params: TokenIdParamSchema },
  responses: {
    204: { description: 'Revoked' },
    ...errorResponses(...AUTH_ERRORS, 'E_API_TOKEN_NOT_FOUND', 'E_VALIDATION_ERROR'),
  },
})
