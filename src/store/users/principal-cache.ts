/**
 * The callers behind this object's live sessions, kept in memory so that an ordinary request does
 * not query `sessions ⋈ users` again (that lookup was a tenth of a ticket read's CPU).
 *
 * It stays exact because the object is the only writer of those rows, and every statement that
 * writes them (`sessions.ts`, `rows.ts`, user deletion, workspace deletion and erasure) drops the
 * entries it touches in the same synchronous call, inside the same transaction, before any other
 * request can run: a revoked session, a deactivated or deleted user, a changed role or name is read
 * from SQL again on the very next call. Dropping is always safe (a transaction that rolls back
 * afterwards only costs a miss), and nothing but `resolvePrincipal`, outside any transaction, fills
 * it. An entry's expiry is checked on every use; an expired entry is a miss, not a refusal, so a
 * session whose expiry a refresh moved on is read again. Bounded: the oldest entry goes when full.
 *
 * Keyed by the object's `SqlStorage` handle, which is one object per Durable Object (a test
 * checks that), so each workspace has its own entries and the writers need no other argument.
 */
import type { Principal } from '../db/context'

type Entry = { userId: string; expiresAt: number; principal: Readonly<Principal> }

/** Entries per object: far more than the sessions active at once in a workspace. */
export const PRINCIPAL_CACHE_LIMIT = 1024

const caches = new WeakMap<SqlStorage, Map<string, Entry>>()

/** The cached caller of `sessionId`, if its entry names `userId` and has not expired at `now` (ms). */
export function cachedPrincipal(sql: SqlStorage, sessionId: string, userId: string, now: number) {
  const entry = caches.get(sql)?.get(sessionId)
  return entry && entry.userId === userId && entry.expiresAt > now ? entry.principal : null
}

export function rememberPrincipal(sql: SqlStorage, principal: Readonly<Principal>, expiresAt: number) {
  let cache = caches.get(sql)
  if (!cache) {
    cache = new Map()
    caches.set(sql, cache)
  }
  if (cache.size >= PRINCIPAL_CACHE_LIMIT && !cache.has(principal.sessionId)) {
    cache.delete(cache.keys().next().value as string)
  }
  cache.set(principal.sessionId, { userId: principal.id, expiresAt, principal })
}

/** After a write to one session's row. */
export function forgetSession(sql: SqlStorage, sessionId: string) {
  caches.get(sql)?.delete(sessionId)
}

/** After a write to a user's row, or to all of its sessions. */
export function forgetUser(sql: SqlStorage, userId: string) {
  const cache = caches.get(sql)
  if (!cache) return
  for (const [sessionId, entry] of cache) if (entry.userId === userId) cache.delete(sessionId)
}

/** After a write to many sessions or users at once (workspace deletion, erasure, the sweep). */
export function forgetAll(sql: SqlStorage) {
  caches.get(sql)?.clear()
}

/** How many entries the object holds (for tests). */
export const cachedPrincipals = (sql: SqlStorage) => caches.get(sql)?.size ?? 0
