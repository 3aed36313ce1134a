/**
 * ApiError and the error envelope. Everything that ends in a non-2xx response (validation, auth,
 * Durable Object failures, unknown routes, uncaught exceptions) becomes one `{error, message,
 * details}` body through `errorResponse`, with the status taken from the catalog.
 */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { type ErrorCode, errorCatalog } from './error-catalog'
import type { Details, Failure, Result } from './result'

export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly code: ErrorCode
  readonly status: ContentfulStatusCode
  readonly details: Details
  readonly headers: Record<string, string>

  constructor(
    code: ErrorCode,
    options: {
      message?: string
      details?: Details
      headers?: Record<string, string>
      status?: number
    } = {},
  ) {
    const entry = errorCatalog[code]
    super(options.message ?? entry.message)
    this.code = code
    this.status = (options.status ?? entry.status) as ContentfulStatusCode
    this.details = options.details ?? {}
    this.headers = options.headers ?? {}
  }

  static fromFailure(failure: Failure): ApiError {
    return new ApiError(failure.code, {
      message: failure.message,
      details: failure.details,
      status: failure.status,
    })
  }
}

/** A store call's value, or its failure thrown as the ApiError of the store's code and status. */
export async function unwrap<T>(pending: Promise<Result<T>> | Result<T>): Promise<T> {
  const result = await pending
  if (!result.ok) throw ApiError.fromFailure(result)
  return result.value
}

export type ErrorBody = { error: ErrorCode; message: string; details: Details }

/**
 * 401 answers carry a Bearer challenge (RFC 6750) so clients know how to authenticate; an API
 * token without the route's scope gets `insufficient_scope` with the scope it needs.
 */
const challenge = (error: ApiError): string | undefined => {
  if (error.code === 'E_AUTH_INSUFFICIENT_SCOPE') {
    return `Bearer realm="ticketing-api", error="insufficient_scope", scope="${String(error.details.requiredScope ?? '')}"`
  }
  if (error.status !== 401) return undefined
  if (error.code === 'E_AUTH_INVALID_CREDENTIALS') return 'Bearer realm="ticketing-api"'
  return `Bearer realm="ticketing-api", error="invalid_token", error_description="${error.message}"`
}

export function errorResponse(c: Context, error: ApiError): Response {
  const body: ErrorBody = { error: error.code, message: error.message, details: error.details }
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value)
  const www = challenge(error)
  if (www) c.header('WWW-Authenticate', www)
  return c.json(body, error.status)
}
