/**
 * API tokens in the store: creating one for the caller (scopes within its role), listing and
 * revoking them, and `authenticateToken`, which checks a presented token on the call that serves the
 * request: the hash (in constant time), expiry, revocation, the user's `active` flag and current
 * role, and the scope the route needs. `lastUsedAt` is written at most once a minute per token.
 */

import type { Role } from '../../domain/roles'
import { grants, type Scope, scopesBeyond } from '../../domain/scopes'
import type { Position } from '../../lib/pagination'
import { fail, ok, type Result } from '../../lib/result'
import type { Actor, Principal, StoreContext } from '../db/context'
import { seqPage } from '../db/paging'
import { first, nowIso, one, run, transact } from '../db/sql'

type TokenRow = {
  seq: number
  id: string
  user_id: string
  name: string
  scopes: string
  shown: string
  secret_hash: string
  created_at: string
  expires_at: string
  last_used_at: string | null
  revoked_at: string | null
}

export interface ApiToken {
  id: string
  userId: string
  name: string
  scopes: Scope[]
  prefix: string
  createdAt: string
  expiresAt: string
  lastUsedAt: string | null
}

const toToken = (row: TokenRow): ApiToken => ({
  id: row.id,
  userId: row.user_id,
  name: row.name,
  scopes: JSON.parse(row.scopes) as Scope[],
  prefix: row.shown,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  lastUsedAt: row.last_used_at,
})

export interface NewApiToken {
  id: string
  name: string
  scopes: Scope[]
  shown: string
  hash: string
  expiresAt: string
}

/** Tokens are made from a login session only, for the caller itself, within what its role may do. */
export function createToken(ctx: StoreContext, caller: Principal, input: NewApiToken): Result<ApiToken> {
  if (caller.tokenId) return fail('E_AUTH_SESSION_REQUIRED')
  const beyond = scopesBeyond(caller.role, input.scopes)
  if (beyond.length > 0) {
    return fail(
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
      { scopes: beyond },
      { message: 'Your role cannot grant these scopes' },
    )
  }
  const row = one<TokenRow>(
    ctx.sql,
    `INSERT INTO api_tokens (id, user_id, name, scopes, shown, secret_hash, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    input.id,
    caller.id,
    input.name,
    JSON.stringify([...new Set(input.scopes)]),
    input.shown,
    input.hash,
    nowIso(),
    input.expiresAt,
  )
  return ok(toToken(row))
}

export type TokenOwners = { userId: string } | { all: true }

/** Live (unrevoked, unexpired) tokens, oldest first: one's own; an admin's choice of user or all. */
export function listTokens(
  ctx: StoreContext,
  caller: Principal,
  owners: TokenOwners | null,
  after: Position | null,
  limit: number,
) {
  if (caller.tokenId) return fail('E_AUTH_SESSION_REQUIRED')
  if (owners && caller.role !== 'admin') return fail('E_AUTH_INSUFFICIENT_PERMISSIONS')
  const live = 'revoked_at IS NULL AND expires_at > ?'
  const now = nowIso()
  const query =
    owners && 'all' in owners
      ? { table: 'api_tokens', where: live, params: [now] }
      : { table: 'api_tokens', where: `user_id = ? AND ${live}`, params: [owners?.userId ?? caller.id, now] }
  return ok(seqPage<TokenRow, ApiToken>(ctx.sql, query, after, limit, toToken))
}

/** Revokes a token: its owner's or, for an admin, anyone's. Others' tokens are a 404. */
export function revokeToken(ctx: StoreContext, caller: Principal, id: string): Result<null> {
  if (caller.tokenId) return fail('E_AUTH_SESSION_REQUIRED')
  return transact(ctx.storage, () => {
    const row = first<TokenRow>(ctx.sql, 'SELECT * FROM api_tokens WHERE id = ? AND revoked_at IS NULL', id)
    if (!row || (row.user_id !== caller.id && caller.role !== 'admin')) return fail('E_API_TOKEN_NOT_FOUND')
    run(ctx.sql, "UPDATE api_tokens SET revoked_at = ?, revoked_reason = 'revoked' WHERE id = ?", nowIso(), id)
    return ok(null)
  })
}

export type TokenRevokeReason = 'deactivated' | 'deleted' | 'workspace_deleted'

/** Revokes every live token of a user (deactivated or deleted), or of everyone (`null`). */
export const revokeTokensOf = (sql: SqlStorage, userId: string | null, reason: TokenRevokeReason, now: string) =>
  run(
    sql,
    `UPDATE api_tokens SET revoked_at = ?, revoked_reason = ?
     WHERE revoked_at IS NULL AND (? IS NULL OR user_id = ?)`,
    now,
    reason,
    userId,
    userId,
  )

/** Compares two strings in time that depends only on their length, not on where they differ. */
function sameSecret(a: string, b: string) {
  if (a.length !== b.length) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return difference === 0
}

/**
 * The caller behind an API token, or why not: 401 for anything wrong with the token or its user,
 * 403 `E_AUTH_INSUFFICIENT_SCOPE` when the route needs a scope it lacks.
 */
export function authenticateToken(sql: SqlStorage, token: NonNullable<Actor['apiToken']>): Result<Principal> {
  const now = new Date()
  const row = first<TokenRow & { role: Role; user_name: string; active: number }>(
    sql,
    `SELECT t.*, u.role, u.name AS user_name, u.active FROM api_tokens t JOIN users u ON u.id = t.user_id
     WHERE t.id = ?`,
    token.id,
  )
  if (!row || !sameSecret(row.secret_hash, token.hash) || row.revoked_at !== null || row.active !== 1) {
    return fail('E_AUTH_TOKEN_INVALID')
  }
  if (row.expires_at <= now.toISOString()) return fail('E_AUTH_TOKEN_EXPIRED')
  const scopes = JSON.parse(row.scopes) as Scope[]
  if (token.scope && !grants(scopes, token.scope)) {
    return fail('E_AUTH_INSUFFICIENT_SCOPE', { requiredScope: token.scope, grantedScopes: scopes })
  }
  // Kept to the minute: written when the minute changes, so at most once a minute per token.
  const minute = `${now.toISOString().slice(0, 16)}:00.000Z`
  if (row.last_used_at !== minute) run(sql, 'UPDATE api_tokens SET last_used_at = ? WHERE id = ?', minute, row.id)
  return ok({ id: row.user_id, role: row.role, name: row.user_name, sessionId: '', tokenId: row.id })
}
