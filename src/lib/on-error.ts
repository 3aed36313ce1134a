/**
 * The last line: turns anything thrown while handling a request into the error envelope. ApiErrors
 * render as themselves; Hono's HTTPExceptions (malformed JSON, 413, 415) map to catalog codes;
 * a ConfigError is a 503 naming the variables; everything else is a logged 500 with no internals.
 */
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ErrorCode } from './error-catalog'
import { ApiError, errorResponse } from './errors'
import { log } from './log'

const byStatus: Record<number, ErrorCode> = {
  400: 'E_BAD_REQUEST',
  401: 'E_AUTH_TOKEN_INVALID',
  404: 'E_NOT_FOUND',
  405: 'E_METHOD_NOT_ALLOWED',
  413: 'E_PAYLOAD_TOO_LARGE',
  415: 'E_UNSUPPORTED_MEDIA_TYPE',
}

export function toApiError(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error
  if (error instanceof HTTPException) {
    const code = byStatus[error.status]
    if (code) return new ApiError(code, code === 'E_BAD_REQUEST' ? { message: error.message } : {})
    return null
  }
  const name = (error as { name?: unknown } | null)?.name
  if (name === 'ConfigError') {
    const variables = (error as { variables?: string[] }).variables ?? []
    return new ApiError('E_SERVICE_MISCONFIGURED', {
      message: `The service is misconfigured: check ${variables.join(', ')}`,
      details: { variables },
    })
  }
  // A Durable Object that is overloaded, or was reset or unreachable for a moment, says so: the
  // client may try again shortly (a read was already retried once; a write never blindly).
  const flags = error as { overloaded?: unknown; retryable?: unknown } | null
  if (flags?.overloaded === true || flags?.retryable === true) {
    return new ApiError('E_SERVICE_UNAVAILABLE', { headers: { 'Retry-After': '1' } })
  }
  return null
}

export function onError(error: unknown, c: Context) {
  const known = toApiError(error)
  if (known) {
    if (known.status >= 500) log(c, 'error', 'request failed', { code: known.code, error: describe(error) })
    return errorResponse(c, known)
  }
  log(c, 'error', 'unhandled exception', { error: describe(error) })
  return errorResponse(c, new ApiError('E_INTERNAL_ERROR', { details: { requestId: c.get('requestId') ?? null } }))
}

function describe(error: unknown) {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack }
  return { value: String(error) }
}
