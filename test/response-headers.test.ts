/**
 * The headers the app's global middleware puts on every kind of response (request id, security
 * headers, CORS, the API's CSP), recorded from the middleware as it was before it was folded into
 * one pass (src/lib/response-frame.ts) and held fixed here: a JSON answer, an error, a 404 and a
 * 405, a 401, a preflight, the OpenAPI document, a docs page and a static asset. Values that
 * change per request (the request id, dates, lengths, ETags) are checked for presence only.
 */
import { describe, expect, it } from 'vitest'
import { asAdmin, call, createTicket } from './helpers'

const VARYING = new Set(['x-request-id', 'date', 'content-length', 'etag', 'last-modified', 'cf-cache-status'])

async function headersOf(res: Response) {
  await res.arrayBuffer()
  const out: Record<string, string> = {}
  for (const [name, value] of res.headers) out[name] = VARYING.has(name) ? '(varies)' : value
  return { status: res.status, headers: out }
}

/** Recorded at commit 3c43fa8, before the global middleware changed. */
const EXPECTED = {
  health: {
    status: 200,
    headers: {
      'access-control-allow-origin': 'http://localhost:5173',
      'access-control-expose-headers': 'ETag,Link,Location,X-Total-Count,X-Request-Id,Retry-After',
      'content-type': 'application/json',
      'cross-origin-opener-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=15552000; includeSubDomains',
      vary: 'Origin',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'SAMEORIGIN',
      'x-permitted-cross-domain-policies': 'none',
      'x-request-id': '(varies)',
      'x-xss-protection': '0',
    },
  },
  ticket: {
    status: 200,
    headers: {
      'access-control-allow-origin': 'http://localhost:5173',
      'access-control-expose-headers': 'ETag,Link,Location,X-Total-Count,X-Request-Id,Retry-After',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'content-type': 'application/json',
      'cross-origin-opener-policy': 'same-origin',
      etag: '(varies)',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=15552000; includeSubDomains',
      vary: 'Origin',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'SAMEORIGIN',
      'x-permitted-cross-domain-policies': 'none',
      'x-request-id': '(varies)',
      'x-xss-protection': '0',
    },
  },
  ticketNoOrigin: {
    status: 200,
    headers: {
      'access-control-expose-headers': 'ETag,Link,Location,X-Total-Count,X-Request-Id,Retry-After',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'content-type': 'application/json',
      'cross-origin-opener-policy': 'same-origin',
      etag: '(varies)',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=15552000; includeSubDomains',
      vary: 'Origin',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'SAMEORIGIN',
      'x-permitted-cross-domain-policies': 'none',
      'x-request-id': '(varies)',
      'x-xss-protection': '0',
    },
  },
  unauthorized: {
    status: 401,
    headers: {
      'access-control-allow-origin': 'http://localhost:5173',
      'access-control-expose-headers': 'ETag,Link,Location,X-Total-Count,X-Request-Id,Retry-After',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'content-type': 'application/json',
      'cross-origin-opener-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=15552000; includeSubDomains',
      vary: 'Origin',
      'www-authenticate':
        'Bearer realm="ticketing-api", error="invalid_token", error_description="A bearer access token is required"',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'SAMEORIGIN',
      'x-permitted-cross-domain-policies': 'none',
      'x-request-id': '(varies)',
      'x-xss-protection': '0',
    },
  },
  notFound: {
    status: 404,
    headers: {
      'access-control-expose-headers': 'ETag,Link,Location,X-Total-Count,X-Request-Id,Retry-After',
      'content-security-policy':
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      'content-type': 'application/json',
      'cross-origin-opener-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=15552000; includeSubDomains',
      vary: 'Origin',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'SAMEORIGIN',
      'x-permitted-cross-domain-policies': 'none',
      'x-request-id': '(varies)',
      'x-xss-protection': '0',
    },
  },
  methodNotAllowed: {
    status: 405,
    headers: {
      'access-control-expose-headers': 'ETag,Link,Location,X-Total-Count,X-Request-Id,Retry-After',
      allow: 'POST',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'content-type': 'application/json',
      'cross-origin-opener-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=15552000; includeSubDomains',
      vary: 'Origin',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'SAMEORIGIN',
      'x-permitted-cross-domain-policies': 'none',
      'x-request-id': '(varies)',
      'x-xss-protection': '0',
    },
  },
  invalid: {
    status: 422,
    headers: {
      'access-control-expose-headers': 'ETag,Link,Location,X-Total-Count,X-Request-Id,Retry-After',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'content-type': 'application/json',
      'cross-origin-opener-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=15552000; includeSubDomains',
      vary: 'Origin',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'SAMEORIGIN',
      'x-permitted-cross-domain-policies': 'none',
      'x-request-id': '(varies)',
      'x-xss-protection': '0',
    },
  },
  preflight: {
    status: 204,
    headers: {
      'access-control-allow-headers': 'Authorization,Content-Type,If-Match,Idempotency-Key,X-Request-Id',
      'access-control-allow-methods': 'GET,HEAD,POST,PUT,PATCH,DELETE,OPTIONS',
      'access-control-allow-origin': 'http://localhost:5173',
      'access-control-expose-headers': 'ETag,Link,Location,X-Total-Count,X-Request-Id,Retry-After',
      'access-control-max-age': '600',
      'cross-origin-opener-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=15552000; includeSubDomains',
      vary: 'Origin, Access-Control-Request-Headers',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'SAMEORIGIN',
      'x-permitted-cross-domain-policies': 'none',
      'x-request-id': '(varies)',
      'x-xss-protection': '0',
    },
  },
  openapi: {
    status: 200,
    headers: {
      'access-control-expose-headers': 'ETag,Link,Location,X-Total-Count,X-Request-Id,Retry-After',
      'content-type': 'application/json',
      'cross-origin-opener-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=15552000; includeSubDomains',
      vary: 'Origin',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'SAMEORIGIN',
      'x-permitted-cross-domain-policies': 'none',
      'x-request-id': '(varies)',
      'x-xss-protection': '0',
    },
  },
  docs: {
    status: 200,
    headers: {
      'access-control-expose-headers': 'ETag,Link,Location,X-Total-Count,X-Request-Id,Retry-After',
      'content-security-policy':
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      'content-type': 'text/html; charset=UTF-8',
      'cross-origin-opener-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=15552000; includeSubDomains',
      vary: 'Origin',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'SAMEORIGIN',
      'x-permitted-cross-domain-policies': 'none',
      'x-request-id': '(varies)',
      'x-xss-protection': '0',
    },
  },
  asset: {
    status: 404,
    headers: {
      'access-control-expose-headers': 'ETag,Link,Location,X-Total-Count,X-Request-Id,Retry-After',
      'content-security-policy':
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      'content-type': 'application/json',
      'cross-origin-opener-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=15552000; includeSubDomains',
      vary: 'Origin',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'SAMEORIGIN',
      'x-permitted-cross-domain-policies': 'none',
      'x-request-id': '(varies)',
      'x-xss-protection': '0',
    },
  },
}

const ORIGIN_HEADER = { Origin: 'http://localhost:5173' }

describe('response headers', () => {
  it('are the same on every kind of response as before the middleware was folded into one pass', async () => {
    const admin = await asAdmin()
    const ticket = await createTicket(admin)
    const cases = {
      health: await call('GET', '/health', { headers: ORIGIN_HEADER }),
      ticket: await call('GET', `/api/v1/tickets/${ticket.id}`, { token: admin.accessToken, headers: ORIGIN_HEADER }),
      ticketNoOrigin: await call('GET', `/api/v1/tickets/${ticket.id}`, { token: admin.accessToken }),
      unauthorized: await call('GET', '/api/v1/tickets', { headers: ORIGIN_HEADER }),
      notFound: await call('GET', '/api/v1/nothing-here'),
      methodNotAllowed: await call('PATCH', '/api/v1/auth/login'),
      invalid: await call('POST', '/api/v1/tickets', { token: admin.accessToken, body: { title: '' } }),
      preflight: await call('OPTIONS', `/api/v1/tickets/${ticket.id}`, {
        headers: {
          ...ORIGIN_HEADER,
          'Access-Control-Request-Method': 'PUT',
          'Access-Control-Request-Headers': 'authorization, content-type',
        },
      }),
      openapi: await call('GET', '/openapi.json'),
      docs: await call('GET', '/docs'),
      asset: await call('GET', '/static/vendor/redoc/redoc.standalone.js'),
    }
    const out: Record<string, unknown> = {}
    for (const [name, res] of Object.entries(cases)) out[name] = await headersOf(res)
    expect(out).toEqual(EXPECTED)
  })
})
