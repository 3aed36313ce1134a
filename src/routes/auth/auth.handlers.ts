/**
 * Auth handlers. The CPU-heavy parts (PBKDF2, JWT signing) run here in the Worker; the store only
 * hands out the stored hash and opens, rotates and closes sessions.
 */

import type { Context } from 'hono'
import { tokenKeys } from '../../auth/keys'
import { decoyHash, hashPassword, verifyPassword } from '../../auth/password'
import { limitCredentialAttempts } from '../../auth/rate-limit'
import { issueTokenPair, sessionExpiry } from '../../auth/session-tokens'
import { checkToken } from '../../auth/token-check'
import type { AppEnv, AppRouteHandler } from '../../lib/app-env'
import { ApiError, unwrap } from '../../lib/errors'
import type { Credentials } from '../../store/users/credentials'
import type * as routes from './auth.routes'

/**
 * The configured first admin is created on the first login with its email, and only while the
 * workspace has never had one (the store remembers), so a default password never comes back.
 */
async function bootstrapIfDue(c: Context<AppEnv>, email: string): Promise<Credentials | null> {
  const admin = c.get('config').bootstrapAdmin
  if (!admin || admin.email !== email) return null
  const store = c.get('store')
  await unwrap(store.bootstrapAdmin({ email, name: admin.name, passwordHash: await hashPassword(admin.password) }))
  return (await store.credentialsFor(email)).credentials
}

export const login: AppRouteHandler<typeof routes.login> = async (c) => {
  const { email, password } = c.req.valid('json')
  await limitCredentialAttempts(c, email)
  const config = c.get('config')
  await tokenKeys(config) // a deployment without a signing key says so before checking passwords
  const store = c.get('store')
  const found = await store.credentialsFor(email)
  const credentials = found.credentials ?? (found.bootstrapPending ? await bootstrapIfDue(c, email) : null)
  // Unknown emails are checked against a decoy hash, so both failures take the same time.
  const check = await verifyPassword(password, credentials?.passwordHash ?? (await decoyHash()))
  if (!credentials || !check.valid || !credentials.active) throw new ApiError('E_AUTH_INVALID_CREDENTIALS')
  const session = { id: crypto.randomUUID(), refreshJti: crypto.randomUUID() }
  const user = await unwrap(
    store.openSession({
      userId: credentials.userId,
      sessionId: session.id,
      refreshJti: session.refreshJti,
      expiresAt: sessionExpiry(config),
      verifiedHash: credentials.passwordHash,
      ...(check.needsRehash ? { upgradedHash: await hashPassword(password) } : {}),
    }),
  )
  return c.json({ ...(await issueTokenPair(config, user, session)), user }, 200)
}

export const register: AppRouteHandler<typeof routes.register> = async (c) => {
  const { name, email, password, role } = c.req.valid('json')
  await limitCredentialAttempts(c, email)
  if (role !== undefined && role !== 'user') {
    throw new ApiError('E_AUTH_INSUFFICIENT_PERMISSIONS', {
      message: 'Registration creates plain users; an admin must grant other roles',
    })
  }
  // The configured first admin's email is reserved, whether or not it has been created yet.
  if (c.get('config').bootstrapAdmin?.email === email) throw new ApiError('E_USER_EMAIL_EXISTS')
  const user = await unwrap(c.get('store').registerUser({ name, email, passwordHash: await hashPassword(password) }))
  c.header('Location', `/api/v1/users/${user.id}`)
  return c.json(user, 201)
}

export const refresh: AppRouteHandler<typeof routes.refresh> = async (c) => {
  const { refreshToken } = c.req.valid('json')
  await limitCredentialAttempts(c)
  const config = c.get('config')
  const presented = await checkToken(config, refreshToken, 'refresh')
  const session = { id: presented.sid, refreshJti: crypto.randomUUID() }
  const user = await unwrap(
    c.get('store').rotateSession({
      sessionId: presented.sid,
      userId: presented.sub,
      presentedJti: presented.jti,
      nextJti: session.refreshJti,
      expiresAt: sessionExpiry(config),
    }),
  )
  return c.json(await issueTokenPair(config, user, session), 200)
}

export const logout: AppRouteHandler<typeof routes.logout> = async (c) => {
  const { refreshToken } = c.req.valid('json')
  let otherSession: string | null = null
  if (refreshToken) {
    // Best effort: an unreadable refresh token does not stop the caller's own session from ending.
    const other = await checkToken(c.get('config'), refreshToken, 'refresh').catch(() => null)
    if (other?.sub === c.get('auth').actor.userId) otherSession = other.sid
  }
  await unwrap(c.get('store').closeSession(c.get('auth').actor, otherSession))
  return c.body(null, 204)
}

export const me: AppRouteHandler<typeof routes.me> = async (c) => {
  return c.json(await unwrap(c.get('store').me(c.get('auth').actor)), 200)
}
