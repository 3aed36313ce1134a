/**
 * The one router factory. Every router gets the same validation hook (zod failures become 422
 * `E_VALIDATION_ERROR` with `details.issues`), the same trailing-slash rule, and a gate that
 * answers 415 when a route that requires a JSON body is sent anything else.
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

export function validationIssues(error: ZodError, target: string) {
  return error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
    location: LOCATIONS[target] ?? target,
  }))
}

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json\s*(;.*)?$/i

/** 415 unless the request says its body is JSON; runs after auth so 401 comes first. */
export const requireJsonBody = createMiddleware<AppEnv>(async (c, next) => {
  if (!JSON_MEDIA_TYPE.test(c.req.header('Content-Type') ?? '')) {
    throw new ApiError('E_UNSUPPORTED_MEDIA_TYPE')
  }
  await next()
})

function withJsonGate<R extends RouteConfig>(route: R): R {
  const body = route.request?.body
  if (!body?.required || !body.content?.['application/json']) return route
  const middleware = route.middleware === undefined ? [] : [route.middleware].flat()
  return { ...route, middleware: [...middleware, requireJsonBody] }
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
