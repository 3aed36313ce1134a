/**
 * CORS for browser clients. Allowed origins come from `CORS_ORIGINS`, a comma-separated list in
 * which `*` matches within one origin part (so `http://localhost:*` allows any local port).
 */
import { cors } from 'hono/cors'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from './app-env'

const escapeRegExp = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&')

/** A predicate for the allowed origins; `*` alone allows any origin. */
export function originMatcher(patterns: string[]) {
  const expressions = patterns.map((pattern) =>
    pattern === '*' ? /^.*$/ : new RegExp(`^${escapeRegExp(pattern).replaceAll('*', '[a-z0-9-]*')}$`, 'i'),
  )
  return (origin: string) => expressions.some((expression) => expression.test(origin))
}

const matchers = new WeakMap<string[], (origin: string) => boolean>()

export const corsPolicy = createMiddleware<AppEnv>((c, next) => {
  const patterns = c.get('config').corsOrigins
  let allowed = matchers.get(patterns)
  if (!allowed) {
    allowed = originMatcher(patterns)
    matchers.set(patterns, allowed)
  }
  const isAllowed = allowed
  return cors({
    origin: (origin) => (origin && isAllowed(origin) ? origin : null),
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key', 'X-Request-Id'],
    exposeHeaders: ['ETag', 'Link', 'Location', 'X-Total-Count', 'X-Request-Id', 'Retry-After'],
    maxAge: 600,
  })(c, next)
})
