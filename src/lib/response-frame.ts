/**
 * What the app does around every request, in two middleware steps instead of six: `frame` (the
 * request id, then, on the way out, the security headers, CORS's response headers, the API's CSP
 * and the request log line) and `configAndPreflight` (the parsed config, and CORS preflights).
 *
 * Why one pass: every Hono middleware is one more async step per request, and the old CORS
 * middleware touched `c.res` before the route ran, which made Hono build a placeholder response,
 * copy it into the route's response, and copy that again for each header set afterwards (five
 * Response objects for a ticket read). Here the route's response is copied once, by the first
 * `c.header` after it (Hono copies a finished response there, so a fetched one with immutable
 * headers, such as a WebSocket upgrade, can be changed), and every other header is set on that copy.
 * The headers are the same as before on every kind of response (test/response-headers.test.ts).
 */
import { cors } from 'hono/cors'
import { createMiddleware } from 'hono/factory'
import { type Config, getConfig } from '../config'
import type { AppEnv } from './app-env'
import { originMatcher } from './cors'
import { writeRequestLog } from './request-log'

const REQUEST_ID = 'X-Request-Id'
const REQUEST_ID_MAX = 128
const REQUEST_ID_UNSAFE = /[^\w\-=]/

/**
 * Hono's `secureHeaders()` defaults as the app has always configured them: without
 * Cross-Origin-Resource-Policy and without a CSP (the API's is below; the docs set their own).
 */
const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'SAMEORIGIN'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
]

const API_CSP = "default-src 'none'; frame-ancestors 'none'"

const CORS_OPTIONS = {
  allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key', 'X-Request-Id'],
  exposeHeaders: ['ETag', 'Link', 'Location', 'X-Total-Count', 'X-Request-Id', 'Retry-After'],
  maxAge: 600,
}
const EXPOSED = CORS_OPTIONS.exposeHeaders.join(',')

type Cors = { allowed: (origin: string) => boolean; preflight: ReturnType<typeof cors> }

/** The CORS policy of one config (one per isolate and environment): built on first use. */
const policies = new WeakMap<Config, Cors>()
function policyOf(config: Config): Cors {
  let policy = policies.get(config)
  if (!policy) {
    const allowed = originMatcher(config.corsOrigins)
    const preflight = cors({ ...CORS_OPTIONS, origin: (origin) => (origin && allowed(origin) ? origin : null) })
    policy = { allowed, preflight }
    policies.set(config, policy)
  }
  return policy
}

export const frame = createMiddleware<AppEnv>(async (c, next) => {
  const started = performance.now()
  let id = c.req.header(REQUEST_ID)
  if (!id || id.length > REQUEST_ID_MAX || REQUEST_ID_UNSAFE.test(id)) id = crypto.randomUUID()
  c.set('requestId', id)
  await next()
  // The one copy of the route's response; every header after this is set on it directly.
  c.header(REQUEST_ID, id)
  const headers = c.res.headers
  for (const [name, value] of SECURITY_HEADERS) headers.set(name, value)
  headers.delete('X-Powered-By')
  const config = c.get('config')
  // A preflight was answered whole by `configAndPreflight`; without a config nothing else ran.
  if (config && c.req.method !== 'OPTIONS') {
    const origin = c.req.header('Origin')
    if (origin && policyOf(config).allowed(origin)) headers.set('Access-Control-Allow-Origin', origin)
    headers.set('Access-Control-Expose-Headers', EXPOSED)
    headers.append('Vary', 'Origin')
    const path = c.req.path
    if ((path === '/api' || path.startsWith('/api/')) && !headers.has('Content-Security-Policy'))
      headers.set('Content-Security-Policy', API_CSP)
  }
  writeRequestLog(c, started)
})

/** The config for every later step; a CORS preflight (any OPTIONS request) is answered here. */
export const configAndPreflight = createMiddleware<AppEnv>((c, next) => {
  const config = getConfig(c.env)
  c.set('config', config)
  return c.req.method === 'OPTIONS' ? policyOf(config).preflight(c, next) : next()
})
