/**
 * The result type that crosses the Durable Object RPC boundary. Only `name` and `message` of a
 * thrown error survive RPC, so expected failures are returned as data instead: `{ok: true, value}`
 * or `{ok: false, code, details}`, and the Worker turns a failure into the error envelope.
 */
import type { ErrorCode } from './error-catalog'

export type Details = Record<string, unknown>
/** `status` overrides the catalog's status where the contract reuses a code (a 404 code as a 400). */
export type Failure = {
  ok: false
  code: ErrorCode
  message?: string
  details?: Details
  status?: number
}
export type Success<T> = { ok: true; value: T }
export type Result<T> = Success<T> | Failure

export const ok = <T>(value: T): Success<T> => ({ ok: true, value })

export const fail = (
  code: ErrorCode,
  details?: Details,
  options: { message?: string; status?: number } = {},
): Failure => ({
  ok: false,
  code,
  ...(details === undefined ? {} : { details }),
  ...options,
})
