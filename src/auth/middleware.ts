/**
 * Route middleware for authentication and roles. `requireAuth`: the bearer access token is
 * verified here, in the Worker (signature, algorithm, key id, issuer, audience, type, expiry), and
 * its `ws`/`jur` claims say which workspace's object serves the request, with no lookup; whether
 * its session is still live is decided by that object on the same call that serves the request,
 * so logout, deactivation and workspace deletion apply at once. `requireRole`: see below.
 */
import { createMiddleware } from 'hono/factory'
import { atLeast, type Role } from '../domain/roles'
import type { AppEnv } from '../lib/app-env'
import { ApiError, unwrap } from '../lib/errors'
import { bearerToken, checkToken, missingToken } from './token-check'
import { useWorkspace } from './workspace-context'

export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  const token = bearerToken(c.req.header('Authorization'))
  if (!token) throw missingToken()
  const verified = await checkToken(c.get('config'), token, 'access')
  useWorkspace(c, verified.workspace)
  c.set('auth', { actor: { userId: verified.sub, sessionId: verified.sid } })
  await next()
})

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
