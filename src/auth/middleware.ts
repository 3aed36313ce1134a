/**
 * `requireAuth`: the bearer access token is verified here, in the Worker (signature, algorithm,
 * key id, issuer, audience, type, expiry). Whether its session is still live is decided by the
 * store on the same call that serves the request, so logout and deactivation apply at once.
 */
import { createMiddleware } from 'hono/factory'
import { atLeast, type Role } from '../domain/roles'
import type { AppEnv } from '../lib/app-env'
import { ApiError, unwrap } from '../lib/errors'
import { tokenKeys } from './keys'
import { TokenError, verifyToken } from './tokens'

const BEARER = /^Bearer +([A-Za-z0-9\-_.~+/]+=*) *$/i

export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  const match = BEARER.exec(c.req.header('Authorization') ?? '')
  if (!match?.[1]) {
    throw new ApiError('E_AUTH_TOKEN_INVALID', { message: 'A bearer access token is required' })
  }
  const config = c.get('config')
  const keys = await tokenKeys(config)
  try {
    const token = await verifyToken(keys, config.jwt, match[1], 'access')
    c.set('auth', { actor: { userId: token.sub, sessionId: token.sid } })
  } catch (error) {
    if (!(error instanceof TokenError)) throw error
    throw new ApiError(error.reason === 'expired' ? 'E_AUTH_TOKEN_EXPIRED' : 'E_AUTH_TOKEN_INVALID')
  }
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
