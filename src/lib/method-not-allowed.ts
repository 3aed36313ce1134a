/**
 * Telling "no such path" (404 `E_NOT_FOUND`) from "this path exists, but not with this method"
 * (405 `E_METHOD_NOT_ALLOWED`, with an `Allow` header), by matching the path against the app's
 * registered routes once they are all known: the not-found handler for paths no route takes, and
 * a guard for paths that name a fixed route (`/attachments/presigned-url`) but would otherwise be
 * taken by a parameterised one (`GET /attachments/{attachmentId}`) and answered 422.
 */
import type { Context, Hono } from 'hono'
import { createMiddleware } from 'hono/factory'
import { PatternRouter } from 'hono/router/pattern-router'
import { ApiError, errorResponse } from './errors'

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])

/** Runs on every API request: the regular expression only when there is a trailing slash to drop. */
const withoutTrailingSlash = (path: string) => (path.length > 1 && path.endsWith('/') ? path.replace(/\/+$/, '') : path)

const methodNotAllowed = (c: Context, allowed: string[]) =>
  new ApiError('E_METHOD_NOT_ALLOWED', {
    message: `${c.req.method} is not allowed on ${c.req.path}`,
    details: { allowed },
    headers: { Allow: allowed.join(', ') },
  })

/**
 * 405 for a path that is exactly one of the app's fixed (parameter-free) routes, called with a
 * method that route does not have: a fixed path names that resource, never a parameter's value.
 */
// biome-ignore lint/suspicious/noExplicitAny: any app's routes can be matched
export function fixedRouteMethods(app: Hono<any, any, any>) {
  let fixed: Map<string, string[]> | undefined
  const table = () => {
    if (!fixed) {
      const methods = new Map<string, Set<string>>()
      for (const route of app.routes) {
        if (!METHODS.has(route.method) || /[:*{]/.test(route.path)) continue
        const path = withoutTrailingSlash(route.path)
        if (!methods.has(path)) methods.set(path, new Set())
        methods.get(path)?.add(route.method)
      }
      fixed = new Map(
        [...methods].map(([path, set]) => [path, set.has('GET') ? [...set, 'HEAD'] : [...set]] as [string, string[]]),
      )
    }
    return fixed
  }
  return createMiddleware(async (c, next) => {
    const allowed = table().get(withoutTrailingSlash(c.req.path))
    if (allowed && c.req.method !== 'OPTIONS' && !allowed.includes(c.req.method)) throw methodNotAllowed(c, allowed)
    await next()
  })
}

// biome-ignore lint/suspicious/noExplicitAny: any app's routes can be matched
export function notFoundHandler(app: Hono<any, any, any>) {
  let router: PatternRouter<string> | undefined
  const allowedMethods = (path: string) => {
    if (!router) {
      router = new PatternRouter<string>()
      for (const route of app.routes) {
        if (!METHODS.has(route.method)) continue
        const path = withoutTrailingSlash(route.path)
        router.add(route.method, path, route.method)
      }
    }
    const allowed = new Set<string>()
    for (const method of METHODS) {
      const [matches] = router.match(method, path)
      if (matches.length > 0) allowed.add(method)
    }
    if (allowed.has('GET')) allowed.add('HEAD')
    return [...allowed]
  }

  return (c: Context) => {
    const path = withoutTrailingSlash(c.req.path)
    const allowed = allowedMethods(path)
    if (allowed.length === 0 || allowed.includes(c.req.method)) {
      return errorResponse(c, new ApiError('E_NOT_FOUND', { message: `No route for ${c.req.method} ${c.req.path}` }))
    }
    return errorResponse(c, methodNotAllowed(c, allowed))
  }
}
