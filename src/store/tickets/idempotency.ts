/**
 * Idempotency keys for ticket creation: a retried create with the same key (per caller) returns the
 * first result instead of making a second ticket; the same key with a different body is refused.
 * Keys are honoured for 24 hours, then forgotten (and swept by the daily alarm).
 */
import type { Ticket } from '../../domain/ticket'
import { fail, ok, type Result } from '../../lib/result'
import { first, run } from '../db/sql'

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000

export interface IdempotencyKey {
  key: string
  /** SHA-256 of the request body, computed by the Worker. */
  requestHash: string
}

/** The stored result of an earlier request with this key, null when there is none, or a refusal. */
export function earlierResult(sql: SqlStorage, userId: string, idempotency: IdempotencyKey): Result<Ticket | null> {
  const earlier = first<{ request_hash: string; response: string }>(
    sql,
    'SELECT request_hash, response FROM idempotency_keys WHERE user_id = ? AND key = ? AND created_at > ?',
    userId,
    idempotency.key,
    new Date(Date.now() - IDEMPOTENCY_TTL_MS).toISOString(),
  )
  if (!earlier) return ok(null)
  if (earlier.request_hash !== idempotency.requestHash) return fail('E_IDEMPOTENCY_KEY_REUSED')
  return ok(JSON.parse(earlier.response) as Ticket)
}

export function rememberResult(
  sql: SqlStorage,
  userId: string,
  idempotency: IdempotencyKey,
  ticket: Ticket,
  now: string,
) {
  run(
    sql,
    `INSERT INTO idempotency_keys (user_id, key, request_hash, response, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (user_id, key) DO UPDATE SET request_hash = excluded.request_hash,
       response = excluded.response, created_at = excluded.created_at`,
    userId,
    idempotency.key,
    idempotency.requestHash,
    JSON.stringify(ticket),
    now,
  )
}

/** Forgets keys older than the TTL (the daily sweep). */
export const forgetExpiredKeys = (sql: SqlStorage, now: number) =>
  run(sql, 'DELETE FROM idempotency_keys WHERE created_at <= ?', new Date(now - IDEMPOTENCY_TTL_MS).toISOString())
