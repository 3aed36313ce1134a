/**
 * Credential and session operations of the store. Password checks and token signing happen in
 * the Worker; the store hands out the stored hash, then opens, rotates and revokes sessions in
 * transactions that re-check what the Worker saw (the user may have changed in between).
 */
import { fail, ok, type Result } from '../../lib/result'
import type { Principal, StoreContext } from '../db/context'
import { readMeta, writeMeta } from '../db/meta'
import { nowIso, transact } from '../db/sql'
import { findUserByEmail, findUserById, insertUser, toUser, type User, updateUserRow } from './rows'
import { findSession, insertSession, revokeSession, rotateRefreshToken } from './sessions'

export interface Credentials {
  userId: string
  passwordHash: string
  active: boolean
}

export function credentialsFor(ctx: StoreContext, email: string) {
  const row = findUserByEmail(ctx.sql, email)
  const credentials: Credentials | null = row
    ? { userId: row.id, passwordHash: row.password_hash, active: row.active === 1 }
    : null
  return { credentials, bootstrapPending: !bootstrapDone(ctx.sql) }
}

const bootstrapDone = (sql: SqlStorage) => readMeta(sql, 'bootstrap_admin') !== null

/**
 * Creates the first admin once per workspace, from configuration. Never again afterwards, even if
 * that admin is later renamed or deleted, so a default password cannot come back.
 */
export function bootstrapAdmin(
  ctx: StoreContext,
  admin: { email: string; name: string; passwordHash: string },
): Result<{ created: boolean }> {
  return transact(ctx.storage, () => {
    if (bootstrapDone(ctx.sql)) return ok({ created: false })
    const now = nowIso()
    const created = findUserByEmail(ctx.sql, admin.email) === null
    if (created) insertUser(ctx.sql, { ...admin, role: 'admin' }, now)
    writeMeta(ctx.sql, 'bootstrap_admin', now)
    return ok({ created })
  })
}

export interface LoginInput {
  userId: string
  sessionId: string
  refreshJti: string
  expiresAt: string
  /** The hash the Worker verified the password against; the login fails if it changed since. */
  verifiedHash: string
  /** A stronger hash of the same password, when the stored one used fewer iterations. */
  upgradedHash?: string
}

export function openSession(ctx: StoreContext, input: LoginInput): Result<User> {
  return transact(ctx.storage, () => {
    const row = findUserById(ctx.sql, input.userId)
    if (row?.active !== 1 || row.password_hash !== input.verifiedHash) {
      return fail('E_AUTH_INVALID_CREDENTIALS')
    }
    const now = nowIso()
    if (input.upgradedHash) updateUserRow(ctx.sql, row.id, { passwordHash: input.upgradedHash }, now)
    insertSession(ctx.sql, { ...input, id: input.sessionId }, now)
    return ok(toUser(row))
  })
}

export interface RefreshInput {
  sessionId: string
  userId: string
  presentedJti: string
  nextJti: string
  expiresAt: string
}

/**
 * Swaps the session's refresh token for a new one. A token that was already swapped (a retired
 * one presented again) means it leaked: the whole session is revoked, and that revocation is kept.
 */
export function rotateSession(ctx: StoreContext, input: RefreshInput): Result<User> {
  const now = nowIso()
  return ctx.storage.transactionSync((): Result<User> => {
    const session = findSession(ctx.sql, input.sessionId)
    if (!session || session.user_id !== input.userId || session.revoked_at !== null) {
      return fail('E_AUTH_TOKEN_INVALID')
    }
    if (session.expires_at <= now) return fail('E_AUTH_TOKEN_EXPIRED')
    if (session.refresh_jti !== input.presentedJti) {
      revokeSession(ctx.sql, session.id, 'refresh_reuse', now)
      return fail('E_AUTH_TOKEN_INVALID', { reason: 'refresh_token_reused' })
    }
    const user = findUserById(ctx.sql, input.userId)
    if (user?.active !== 1) return fail('E_AUTH_TOKEN_INVALID')
    rotateRefreshToken(ctx.sql, session.id, input.nextJti, input.expiresAt, now)
    return ok(toUser(user))
  })
}

/** Ends the caller's session, and the session of a refresh token it hands in, if that is its own. */
export function closeSession(ctx: StoreContext, principal: Principal, refreshSessionId: string | null): Result<null> {
  return transact(ctx.storage, () => {
    const now = nowIso()
    revokeSession(ctx.sql, principal.sessionId, 'logout', now)
    if (refreshSessionId && refreshSessionId !== principal.sessionId) {
      const other = findSession(ctx.sql, refreshSessionId)
      if (other && other.user_id === principal.id) revokeSession(ctx.sql, other.id, 'logout', now)
    }
    return ok(null)
  })
}
