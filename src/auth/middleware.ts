/**
 * Route middleware for authentication and roles. `access(…)`: a bearer access token is verified
 * here, in the Worker (signature, algorithm, key id, issuer, audience, type, expiry), and its
 * `ws`/`jur` claims say which workspace's object serves the request, with no lookup; an API token
 * (`tkt_…`) names its workspace and id itself, and only its hash goes on. Whether the session is
 * live, or the API token valid and scoped for the route, is decided by that object on the same call
 * that serves the request, so logout, revocation, deactivation and workspace deletion apply at once.
 * `requireRole`: see below.
 */
import type { MiddlewareHandler } from 'hono'
import { createMiddleware } from 'hono/factory'
import { atLeast, type Role } from '../domain/roles'
import type { Scope } from '../domain/scopes'
import type { AppEnv } from '../lib/app-env'
import { ApiError, unwrap } from '../lib/errors'
import { API_TOKEN, bearerSecurity } from '../lib/openapi'
import { hashApiToken, isApiToken, parseApiToken } from './api-tokens'
import { limitApiToken } from './rate-limit'
import { bearerToken, checkToken, missingToken } from './token-check'
import { useWorkspace } from './workspace-context'

/**
 * What a route takes besides an access token (a login session): an API token with this scope,
 * an API token with any scope (`any-scope`), or no API token at all (`session-only`: minting and
 * revoking tokens, logout, renaming and deleting a workspace).
 */
export type TokenAccess = Scope | 'any-scope' | 'session-only'

export const authenticate = (accepts: TokenAccess) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const token = bearerToken(c.req.header('Authorization'))
    if (!token) throw missingToken()
    if (isApiToken(token)) {
      if (accepts === 'session-only') throw new ApiError('E_AUTH_SESSION_REQUIRED')
      const parsed = parseApiToken(token)
      if (!parsed) throw new ApiError('E_AUTH_TOKEN_INVALID')
      const hash = await hashApiToken(token)
      await limitApiToken(c, hash)
      useWorkspace(c, parsed.workspace)
      const scope = accepts === 'any-scope' ? null : accepts
      const apiToken = { id: parsed.tokenId, hash, scope }
      c.set('auth', { actor: { userId: '', sessionId: '', apiToken } })
    } else {
      const verified = await checkToken(c.get('config'), token, 'access')
      useWorkspace(c, verified.workspace)
      c.set('auth', { actor: { userId: verified.sub, sessionId: verified.sid } })
    }
    await next()
  })

/**
 * A route's authentication, declared next to its definition: the security requirements the
 * OpenAPI document shows (the bearer access token, and the API token scheme with the scope, unless
 * API tokens are refused), and the middleware that enforces them, followed by `then` (a role check).
 * The scope itself is checked by the workspace's object, on the call that serves the request.
 */
export function access(accepts: TokenAccess, ...then: MiddlewareHandler<AppEnv>[]) {
  const token = accepts === 'session-only' ? [] : [{ [API_TOKEN]: accepts === 'any-scope' ? [] : [accepts] }]
  return { security: [...bearerSecurity, ...token], middleware: [authenticate(accepts), ...then] }
}

/**
 * For routes that only a role may use: 403 before the request's parameters and body are looked at,
 * so the answer to a caller without the role never depends on what it sent. The role is the
 * user's current one, read from the store (one call, on these low-traffic routes only); the store
 * checks it again inside the operation itself.
 */
export const requireRole = (minimum: Role) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const caller = await unwrap(c.get('store').me(c.get('auth').actor))
    if (!atLeast(caller.role, minimum)) throw new ApiError('E_AUTH_INSUFFICIENT_PERMISSIONS')
    await next()
  })
