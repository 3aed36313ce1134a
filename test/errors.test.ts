/**
 * The error envelope every failure shares (`{error, message, details}`): unknown routes (404), wrong
 * methods (405 with Allow), malformed or non-JSON bodies (400, 415), oversized bodies (413, declared
 * or streamed), schema failures (422, one issue per problem), the store's own codes passed through,
 * and unexpected exceptions (500 without internals). Also X-Request-Id on every response and the 503
 * for an invalid configuration.
 */
import { env, exports } from 'cloudflare:workers'
import { createRoute, z } from '@hono/zod-openapi'
import { describe, expect, it } from 'vitest'
import { createRouter } from '../src/lib/create-router'
import { onError } from '../src/lib/on-error'
import { asAdmin, call, callWithEnv, expectError, ORIGIN } from './helpers'

describe('the error envelope', () => {
  it('answers unknown routes with 404 E_NOT_FOUND', async () => {
    await expectError(await call('GET', '/api/v1/nothing-here'), 404, 'E_NOT_FOUND')
    await expectError(await call('GET', '/nope'), 404, 'E_NOT_FOUND')
  })

  it('answers a known path with the wrong method with 405 and Allow', async () => {
    const res = await call('DELETE', '/api/v1/auth/login')
    expect(res.headers.get('Allow')).toBe('POST')
    const body = await expectError(res, 405, 'E_METHOD_NOT_ALLOWED')
    expect(body.details).toEqual({ allowed: ['POST'] })
    const users = await call('PATCH', `/api/v1/users/${crypto.randomUUID()}/`)
    expect(users.headers.get('Allow')?.split(', ').sort()).toEqual(['DELETE', 'GET', 'HEAD', 'PUT'])
    await expectError(users, 405, 'E_METHOD_NOT_ALLOWED')
  })

  it('answers with and without a trailing slash', async () => {
    const admin = await asAdmin()
    expect((await call('GET', '/api/v1/users', { token: admin.accessToken })).status).toBe(200)
    expect((await call('GET', '/api/v1/users/', { token: admin.accessToken })).status).toBe(200)
    expect((await call('GET', '/health/')).status).toBe(200)
  })

  it('answers malformed JSON with 400 E_BAD_REQUEST', async () => {
    const res = await call('POST', '/api/v1/auth/login', { body: '{"email": "a@b.c",' })
    await expectError(res, 400, 'E_BAD_REQUEST')
  })

  it('answers a body that is not JSON, or has no content type, with 415', async () => {
    const text = await call('POST', '/api/v1/auth/login', {
      body: 'email=a@b.c',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    })
    await expectError(text, 415, 'E_UNSUPPORTED_MEDIA_TYPE')
    const none = await fetchRaw('POST', '/api/v1/auth/login', new TextEncoder().encode('{}'))
    await expectError(none, 415, 'E_UNSUPPORTED_MEDIA_TYPE')
    const empty = await fetchRaw('POST', '/api/v1/auth/register')
    await expectError(empty, 415, 'E_UNSUPPORTED_MEDIA_TYPE')
  })

  it('accepts JSON with a charset parameter', async () => {
    const res = await call('POST', '/api/v1/auth/login', {
      body: { email: 'admin@company.com', password: 'password' },
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
    })
    expect(res.status).toBe(200)
  })

  it('refuses bodies over 1 MiB with 413 before parsing, declared or streamed', async () => {
    const big = `{"email":"a@b.c","password":"${'x'.repeat(1024 * 1024)}"}`
    const declared = await call('POST', '/api/v1/auth/login', { body: big })
    await expectError(declared, 413, 'E_PAYLOAD_TOO_LARGE')
    const bytes = new TextEncoder().encode(big)
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < bytes.length; offset += 64 * 1024) {
          controller.enqueue(bytes.slice(offset, offset + 64 * 1024))
        }
        controller.close()
      },
    })
    const streamed = await fetchRaw('POST', '/api/v1/auth/login', stream, { 'Content-Type': 'application/json' })
    await expectError(streamed, 413, 'E_PAYLOAD_TOO_LARGE')
  })

  it('answers schema failures with 422 and one issue per problem', async () => {
    const admin = await asAdmin()
    const res = await call('POST', '/api/v1/users', {
      token: admin.accessToken,
      body: { name: '', email: 'nope', password: 'short', role: 'owner' },
    })
    const body = await expectError(res, 422, 'E_VALIDATION_ERROR')
    const issues = (body.details as { issues: { path: string; message: string }[] }).issues
    expect(issues.map((issue) => issue.path).sort()).toEqual(['email', 'name', 'password', 'role'])
    for (const issue of issues) expect(issue.message.length).toBeGreaterThan(0)
  })

  it('passes the store’s own status and code through (not a 500)', async () => {
    const admin = await asAdmin()
    const res = await call('DELETE', `/api/v1/users/${admin.user.id}`, { token: admin.accessToken })
    await expectError(res, 400, 'E_USER_SELF_LOCKOUT')
  })

  it('turns an unexpected exception into 500 E_INTERNAL_ERROR with no internals', async () => {
    const router = createRouter()
    router.openapi(createRoute({ method: 'get', path: '/boom', responses: { 200: { description: 'never' } } }), () => {
      throw new Error('SELECT secret FROM users -- at Object.<anonymous> (src/store/users.ts:1:1)')
    })
    router.onError(onError)
    const res = await router.request('/boom', {}, env)
    const text = await res.text()
    expect(res.status).toBe(500)
    const body = JSON.parse(text)
    expect(body).toMatchObject({ error: 'E_INTERNAL_ERROR', message: 'Something went wrong on our side' })
    expect(text).not.toContain('SELECT')
    expect(text).not.toContain('users.ts')
  })

  it('uses the same validation envelope in every router', async () => {
    const router = createRouter()
    router.openapi(
      createRoute({
        method: 'get',
        path: '/q',
        request: { query: z.object({ n: z.coerce.number().int() }) },
        responses: { 200: { description: 'ok' } },
      }),
      (c) => c.json({}, 200),
    )
    router.onError(onError)
    const res = await router.request('/q?n=abc', {}, env)
    const body = await res.json<{ error: string; details: { issues: { path: string; location: string }[] } }>()
    expect(res.status).toBe(422)
    expect(body.details.issues[0]).toMatchObject({ path: 'n', location: 'query' })
  })
})

describe('X-Request-Id', () => {
  it('is generated on every response, errors included', async () => {
    for (const res of [
      await call('GET', '/health'),
      await call('GET', '/nope'),
      await call('POST', '/api/v1/auth/login'),
    ]) {
      expect(res.headers.get('X-Request-Id')).toMatch(/^[\w-]{8,}$/)
      await res.body?.cancel()
    }
  })

  it('echoes a sane incoming id and replaces an unsafe one', async () => {
    const sane = await call('GET', '/health', { headers: { 'X-Request-Id': 'client-id-123' } })
    expect(sane.headers.get('X-Request-Id')).toBe('client-id-123')
    const unsafe = await call('GET', '/health', { headers: { 'X-Request-Id': 'bad id\twith<script>' } })
    expect(unsafe.headers.get('X-Request-Id')).not.toContain('<')
    const long = await call('GET', '/health', { headers: { 'X-Request-Id': 'a'.repeat(500) } })
    expect(long.headers.get('X-Request-Id')?.length).toBeLessThanOrEqual(128)
  })
})

describe('configuration', () => {
  it('answers 503 naming the variable when a value is invalid', async () => {
    const res = await callWithEnv({ ACCESS_TOKEN_EXPIRE_MINUTES: 'soon' }, new Request(`${ORIGIN}/health`))
    const body = await expectError(res, 503, 'E_SERVICE_MISCONFIGURED')
    expect(body.message).toContain('ACCESS_TOKEN_EXPIRE_MINUTES')
    expect(body.details).toEqual({ variables: ['ACCESS_TOKEN_EXPIRE_MINUTES'] })
  })
})

/** A request without the helper's JSON defaults: no content type unless given, streamed bodies. */
function fetchRaw(method: string, path: string, body?: BodyInit, headers: Record<string, string> = {}) {
  return exports.default.fetch(
    new Request(`${ORIGIN}${path}`, {
      method,
      body,
      headers: { 'CF-Connecting-IP': '198.51.100.1', ...headers },
      // @ts-expect-error: workerd needs duplex for streamed request bodies
      duplex: 'half',
    }),
  )
}
