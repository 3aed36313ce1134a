/**
 * Sessions: one row per login, carrying the id of the one refresh token that may still be used.
 * Access tokens name their session (`sid`), so revoking the row ends them at once.
 */
import type { Role } from '../../domain/roles'
import type { Actor, Principal } from '../db/context'
import { first, run } from '../db/sql'
import { cachedPrincipal, forgetAll, forgetSession, forgetUser, rememberPrincipal } from './principal-cache'

export type SessionRow = {
  id: string
  user_id: string
  refresh_jti: string
  created_at: string
  refreshed_at: string
  expires_at: string
  revoked_at: string | null
  revoked_reason: string | null
}

export type RevokeReason =
  | 'logout'
  | 'refresh_reuse'
  | 'password_changed'
  | 'deactivated'
  | 'deleted'
  | 'workspace_deleted'

export const findSession = (sql: SqlStorage, id: string) =>
  first<SessionRow>(sql, 'SELECT * FROM sessions WHERE id = ?', id)

export function insertSession(
  sql: SqlStorage,
  session: { id: string; userId: string; refreshJti: string; expiresAt: string },
  now: string,
) {
  run(
    sql,
    `INSERT INTO sessions (id, user_id, refresh_jti, created_at, refreshed_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
    session.id,
    session.userId,
    session.refreshJti,
    now,
    now,
    session.expiresAt,
  )
}

export function rotateRefreshToken(sql: SqlStorage, id: string, jti: string, expiresAt: string, now: string) {
  forgetSession(sql, id)
  return run(
    sql,
    'UPDATE sessions SET refresh_jti = ?, refreshed_at = ?, expires_at = ? WHERE id = ?',
    jti,
    now,
    expiresAt,
    id,
  )
}

export function revokeSession(sql: SqlStorage, id: string, reason: RevokeReason, now: string) {
  forgetSession(sql, id)
  return run(
    sql,
    'UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL',
    now,
    reason,
    id,
  )
}

/** Revokes every live session of a user, except `keep` (the caller's own, on a password change). */
export function revokeUserSessions(sql: SqlStorage, userId: string, reason: RevokeReason, now: string, keep = '') {
  forgetUser(sql, userId)
  return run(
    sql,
    `UPDATE sessions SET revoked_at = ?, revoked_reason = ?
     WHERE user_id = ? AND id != ? AND revoked_at IS NULL`,
    now,
    reason,
    userId,
    keep,
  )
}

/** Every session of the workspace, when it is deleted. */
export function revokeAllSessions(sql: SqlStorage, reason: RevokeReason, now: string) {
  forgetAll(sql)
  return run(sql, 'UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE revoked_at IS NULL', now, reason)
}

/** A user's sessions, when the user is deleted. */
export function deleteUserSessions(sql: SqlStorage, userId: string) {
  forgetUser(sql, userId)
  return run(sql, 'DELETE FROM sessions WHERE user_id = ?', userId)
}

/** Expired sessions are useless; revoked ones are kept until they would have expired. */
export function deleteExpiredSessions(sql: SqlStorage, now: string) {
  forgetAll(sql)
  return run(sql, 'DELETE FROM sessions WHERE expires_at <= ?', now)
}

/**
 * The caller behind an access token, if its session is live and its user active; with the
 * user's current role, so demotions and deactivations apply to tokens already issued. Served from
 * `principal-cache.ts` when the session was resolved before and no write touched it since; the
 * expiry is checked on every call either way.
 */
export function resolvePrincipal(sql: SqlStorage, actor: Actor, now = Date.now()): Readonly<Principal> | null {
  const cached = cachedPrincipal(sql, actor.sessionId, actor.userId, now)
  if (cached) return cached
  const row = first<{ id: string; role: string; name: string; expires_at: string }>(
    sql,
    `SELECT u.id, u.role, u.name, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.id = ? AND s.user_id = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND u.active = 1`,
    actor.sessionId,
    actor.userId,
    new Date(now).toISOString(),
  )
  if (!row) return null
  const principal = Object.freeze({ id: row.id, role: row.role as Role, name: row.name, sessionId: actor.sessionId })
  rememberPrincipal(sql, principal, Date.parse(row.expires_at))
  return principal
}
