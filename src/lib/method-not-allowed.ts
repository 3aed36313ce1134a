/**
 * The not-found handler, which tells "no such path" (404 `E_NOT_FOUND`) from "this path exists,
 * but not with this method" (405 `E_METHOD_NOT_ALLOWED`, with an `Allow` header), by matching the
 * path against the app's registered routes once they are all known.
 */
import type { Context, Hono } from 'hono'
import { PatternRouter } from 'hono/router/pattern-router'
import { ApiError, errorResponse } from './errors'

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])

// biome-ignore lint/suspicious/noExplicitAny: any app's routes can be matched
export function notFoundHandler(app: Hono<any, any, any>) {
  let router: PatternRouter<string> | undefined
  const allowedMethods = (path: string) => {
    if (!router) {
      router = new PatternRouter<string>()
      for (const route of app.routes) {
        if (!METHODS.has(route.method)) continue
        const path = route.path.length > 1 ? route.path.replace(/\/+$/, '') : route.path
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
    const path = c.req.path.length > 1 ? c.req.path.replace(/\/+$/, '') : c.req.path
    const allowed = allowedMethods(path)
    if (allowed.length === 0 || allowed.includes(c.req.method)) {
      return errorResponse(c, new ApiError('E_NOT_FOUND', { message: `No route for ${c.req.method} ${c.req.path}` }))
    }
    return errorResponse(
      c,
      new ApiError('E_METHOD_NOT_ALLOWED', {
        message: `${c.req.method} is not allowed on ${c.req.path}`,
        details: { allowed },
        headers: { Allow: allowed.join(', ') },
      }),
    )
  }
}
