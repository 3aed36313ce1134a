/**
 * Auth handlers. The CPU-heavy parts (PBKDF2, JWT signing) run here in the Worker; the store only
 * hands out the stored hash and opens, rotates and closes sessions. Login and register name their
 * workspace in the body (the directory says where it lives); refresh takes it from the token.
 */

import type { Context } from 'hono'
import { tokenKeys } from '../../auth/keys'
import { decoyHash, hashPassword, verifyPassword } from '../../auth/password'
import { limitCredentialAttempts } from '../../auth/rate-limit'
import { issueTokenPair, sessionExpiry } from '../../auth/session-tokens'
import { checkToken } from '../../auth/token-check'
import { useWorkspace } from '../../auth/workspace-context'
import { DEFAULT_WORKSPACE } from '../../domain/workspaces'
import type { AppEnv, AppRouteHandler } from '../../lib/app-env'
import { ApiError, unwrap } from '../../lib/errors'
import { findWorkspace } from '../../store/client'
import type { Credentials } from '../../store/users/credentials'
import type * as routes from './auth.routes'

/**
 * The configured first admin is created on the first login with its email, and only while the
 * workspace has never had one (the store remembers), so a default password never comes back.
 */
async function bootstrapIfDue(c: Context<AppEnv>, email: string): Promise<Credentials | null> {
  const admin = c.get('config').bootstrapAdmin
  if (!admin || admin.email !== email || c.get('workspace').slug !== DEFAULT_WORKSPACE) return null
  const store = c.get('store')
  await unwrap(store.bootstrapAdmin({ email, name: admin.name, passwordHash: await hashPassword(admin.password) }))
  return (await store.credentialsFor(email)).credentials
}

export const login: AppRouteHandler<typeof routes.login> = async (c) => {
  const { email, password, workspace: slug = DEFAULT_WORKSPACE } = c.req.valid('json')
  await limitCredentialAttempts(c, { workspace: slug, email })
  const config = c.get('config')
  await tokenKeys(config) // a deployment without a signing key says so before checking passwords
  const workspace = await findWorkspace(c.env, slug)
  let credentials: Credentials | null = null
  if (workspace) {
    const found = await useWorkspace(c, workspace).credentialsFor(email)
    credentials = found.credentials ?? (found.bootstrapPending ? await bootstrapIfDue(c, email) : null)
  }
  // Unknown emails and workspaces are checked against a decoy hash: every failure takes as long.
  const check = await verifyPassword(password, credentials?.passwordHash ?? (await decoyHash()))
  if (!workspace || !credentials || !check.valid || !credentials.active) {
    throw new ApiError('E_AUTH_INVALID_CREDENTIALS')
  }
  const store = c.get('store')
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
  return c.json({ ...(await issueTokenPair(config, workspace, user, session)), user }, 200)
}

export const register: AppRouteHandler<typeof routes.register> = async (c) => {
  const { name, email, password, role, workspace: slug = DEFAULT_WORKSPACE } = c.req.valid('json')
  await limitCredentialAttempts(c, { workspace: slug, email })
  if (role !== undefined && role !== 'user') {
    throw new ApiError('E_AUTH_INSUFFICIENT_PERMISSIONS', {
      message: 'Registration creates plain users; an admin must grant other roles',
    })
  }
  // In `default`, the configured first admin's email is reserved, whether or not it exists yet.
  if (slug === DEFAULT_WORKSPACE && c.get('config').bootstrapAdmin?.email === email) {
    throw new ApiError('E_USER_EMAIL_EXISTS')
  }
  const workspace = await findWorkspace(c.env, slug)
  if (!workspace) throw new ApiError('E_WORKSPACE_NOT_FOUND', { details: { workspace: slug } })
  const store = useWorkspace(c, workspace)
  const user = await unwrap(store.registerUser({ name, email, passwordHash: await hashPassword(password) }))
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
    useWorkspace(c, presented.workspace).rotateSession({
      sessionId: presented.sid,
      userId: presented.sub,
      presentedJti: presented.jti,
      nextJti: session.refreshJti,
      expiresAt: sessionExpiry(config),
    }),
  )
  return c.json(await issueTokenPair(config, presented.workspace, user, session), 200)
}

export const logout: AppRouteHandler<typeof routes.logout> = async (c) => {
  const { refreshToken } = c.req.valid('json')
  let otherSession: string | null = null
  if (refreshToken) {
    // Best effort: an unreadable refresh token does not stop the caller's own session from ending.
    const other = await checkToken(c.get('config'), refreshToken, 'refresh').catch(() => null)
    const sameWorkspace = other?.workspace.slug === c.get('workspace').slug
    if (sameWorkspace && other?.sub === c.get('auth').actor.userId) otherSession = other?.sid ?? null
  }
  await unwrap(c.get('store').closeSession(c.get('auth').actor, otherSession))
  return c.body(null, 204)
}

export const me: AppRouteHandler<typeof routes.me> = async (c) => {
  return c.json(await unwrap(c.get('store').me(c.get('auth').actor)), 200)
}
