/**
 * OpenAPI building blocks shared by every route: the error envelope schema, `errorResponses`
 * (which documents exactly the catalog codes a route can answer with, grouped by status), JSON
 * body and response helpers, and the bearer security requirement.
 */
import { z } from '@hono/zod-openapi'
import { type ErrorCode, errorCatalog } from './error-catalog'

export const ErrorSchema = z
  .object({
    error: z.string().openapi({ description: 'Stable machine-readable code', example: 'E_VALIDATION_ERROR' }),
    message: z.string().openapi({ description: 'Human readable message', example: 'The request is not valid' }),
    details: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'Structured context; `issues` for validation errors', example: {} }),
  })
  .openapi('Error')

/** Codes every route can produce: an unexpected failure, and a workspace object that is overloaded or briefly unreachable. */
const ALWAYS: ErrorCode[] = ['E_INTERNAL_ERROR', 'E_SERVICE_UNAVAILABLE']

/**
 * Codes of a route that requires a bearer token: a bad or expired one; an API token without the
 * route's scope, or on a route that needs a login session; an API token over its rate limit.
 */
export const AUTH_ERRORS: ErrorCode[] = [
  'E_AUTH_TOKEN_INVALID',
  'E_AUTH_TOKEN_EXPIRED',
  'E_AUTH_INSUFFICIENT_SCOPE',
  'E_AUTH_SESSION_REQUIRED',
  'E_RATE_LIMITED',
  'E_SERVICE_MISCONFIGURED',
]

/** Codes of a route that reads a JSON body. */
export const BODY_ERRORS: ErrorCode[] = [
  'E_BAD_REQUEST',
  'E_PAYLOAD_TOO_LARGE',
  'E_UNSUPPORTED_MEDIA_TYPE',
  'E_VALIDATION_ERROR',
]

type ErrorResponse = {
  description: string
  content: { 'application/json': { schema: typeof ErrorSchema } }
  headers?: Record<string, { description: string; schema: { type: 'string' | 'integer' } }>
}

/**
 * A code a route answers with; `[code, status]` when the route answers it with another status than
 * the catalog's (a project named in a ticket's body that does not exist is a 400, not a 404).
 */
export type RouteError = ErrorCode | readonly [ErrorCode, number]

/** A resource named in the request body that does not exist: its not-found code, as a 400. */
export const namedInBody = (code: ErrorCode): RouteError => [code, 400]

/** The `responses` entries for the given error codes (plus 500), one per status. */
export function errorResponses(...codes: RouteError[]): Record<number, ErrorResponse> {
  const byStatus = new Map<number, Set<ErrorCode>>()
  for (const entry of [...codes, ...ALWAYS]) {
    const [code, status] = typeof entry === 'string' ? [entry, errorCatalog[entry].status] : entry
    if (!byStatus.has(status)) byStatus.set(status, new Set())
    byStatus.get(status)?.add(code)
  }
  const responses: Record<number, ErrorResponse> = {}
  for (const [status, set] of [...byStatus].sort(([a], [b]) => a - b)) {
    const listed = [...set].map((code) => `\`${code}\`: ${errorCatalog[code].message}.`).join(' ')
    const response: ErrorResponse = {
      description: listed,
      content: { 'application/json': { schema: ErrorSchema } },
    }
    if (status === 401) {
      response.headers = { 'WWW-Authenticate': { description: 'Bearer challenge', schema: { type: 'string' } } }
    }
    if (status === 403 && set.has('E_AUTH_INSUFFICIENT_SCOPE')) {
      response.headers = {
        'WWW-Authenticate': {
          description: 'With `E_AUTH_INSUFFICIENT_SCOPE`: `error="insufficient_scope"` and the `scope` needed',
          schema: { type: 'string' },
        },
      }
    }
    if (status === 429 || status === 503) {
      response.headers = { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } }
    }
    responses[status] = response
  }
  return responses
}

export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})

export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  required: true,
  ...(description ? { description } : {}),
  content: { 'application/json': { schema } },
})

export const BEARER = 'bearerAuth'
/** The API token scheme: its requirement on an operation names the scope the operation needs. */
export const API_TOKEN = 'apiToken'
export const bearerSecurity = [{ [BEARER]: [] }]
export const publicSecurity: { [name: string]: string[] }[] = []
