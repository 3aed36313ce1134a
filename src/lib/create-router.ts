/**
 * The one router factory. Every router gets the same validation hook (zod failures become 422
 * `E_VALIDATION_ERROR` with `details.issues`), the same trailing-slash rule, and a gate in front
 * of every route that requires a JSON body: 415 for any media type but `application/json`, 400 for
 * malformed JSON, and 422 for text that is not well-formed Unicode (a lone UTF-16 surrogate escape
 * such as `"\ud800"` parses, but could only be stored as replacement characters).
 */
import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi'
import { createMiddleware } from 'hono/factory'
import type { ZodError } from 'zod'
import type { AppEnv } from './app-env'
import type { ErrorCode } from './error-catalog'
import { ApiError } from './errors'

const LOCATIONS: Record<string, string> = {
  json: 'body',
  query: 'query',
  param: 'path',
  header: 'header',
  cookie: 'cookie',
  form: 'body',
}

/** Zod's issues as the envelope's `details.issues`; an unknown field is one issue at its own path. */
export function validationIssues(error: ZodError, target: string) {
  const location = LOCATIONS[target] ?? target
  const at = (path: PropertyKey[]) => (path.length > 0 ? path.map(String).join('.') : '(root)')
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: at([...issue.path, key]), message: 'Unknown field', location }))
      : [{ path: at(issue.path), message: issue.message, location }],
  )
}

const JSON_MEDIA_TYPE = /^application\/json\s*(;.*)?$/i

/** The path (as `validationIssues` writes it) of the first string that is not well-formed UTF-16. */
export function illFormedPath(value: unknown, path: string[] = []): string | null {
  const at = (key: string) => (path.length > 0 ? [...path, key] : [key]).join('.')
  if (typeof value === 'string') return value.isWellFormed() ? null : path.join('.') || '(root)'
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = illFormedPath(item, [...path, String(index)])
      if (found) return found
    }
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  for (const [key, item] of Object.entries(value)) {
    if (!key.isWellFormed()) return at(key)
    const found = illFormedPath(item, [...path, key])
    if (found) return found
  }
  return null
}

/**
 * 415 unless the body is `application/json`, 400 when it does not parse, 422 when a string in it
 * is not well-formed Unicode. Runs after the route's auth and role checks, so 401 and 403 come
 * first; the parsed body is cached for the validator.
 */
export const requireJsonBody = createMiddleware<AppEnv>(async (c, next) => {
  if (!JSON_MEDIA_TYPE.test(c.req.header('Content-Type') ?? '')) {
    throw new ApiError('E_UNSUPPORTED_MEDIA_TYPE')
  }
  let body: unknown
  try {
    body = await c.req.json()
  } catch {
    throw new ApiError('E_BAD_REQUEST', { message: 'Malformed JSON in request body' })
  }
  const path = illFormedPath(body)
  if (path !== null) {
    throw new ApiError('E_VALIDATION_ERROR', {
      details: {
        issues: [{ path, message: 'must be well-formed Unicode (no lone UTF-16 surrogates)', location: 'body' }],
      },
    })
  }
  await next()
})

/** Whether the request carries a body at all (an optional body may be left out entirely). */
const hasBody = (request: Request) => {
  const length = request.headers.get('Content-Length')
  return length === null ? request.body !== null : length !== '0'
}

/** The same gate for a route whose JSON body is optional: it applies when a body is sent. */
const optionalJsonBody = createMiddleware<AppEnv>((c, next) => (hasBody(c.req.raw) ? requireJsonBody(c, next) : next()))

function withJsonGate<R extends RouteConfig>(route: R): R {
  const body = route.request?.body
  if (!body?.content?.['application/json']) return route
  const middleware = route.middleware === undefined ? [] : [route.middleware].flat()
  return { ...route, middleware: [...middleware, body.required ? requireJsonBody : optionalJsonBody] }
}

/**
 * A validation hook: failures become `code` (default `E_VALIDATION_ERROR`) with `details.issues`.
 * A route may use another code for its body (a workflow rule's is `E_WORKFLOW_INVALID_RULE`).
 */
export function createRouterHook(bodyCode: ErrorCode = 'E_VALIDATION_ERROR') {
  return (result: { success: true } | { success: false; error: ZodError; target: string }): undefined => {
    if (result.success) return undefined
    const code = result.target === 'json' ? bodyCode : 'E_VALIDATION_ERROR'
    throw new ApiError(code, { details: { issues: validationIssues(result.error, result.target) } })
  }
}

export function createRouter() {
  const router = new OpenAPIHono<AppEnv>({ strict: false, defaultHook: createRouterHook() })
  const register = router.openapi
  router.openapi = ((route, handler, hook) => register(withJsonGate(route), handler, hook)) as typeof router.openapi
  return router
}
