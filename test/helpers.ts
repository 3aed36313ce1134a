/**
 * Test helpers: requests through the Worker's own fetch (real routing, real Durable Object and
 * SQLite), with a fresh client address per request unless one is given, so the per-address rate
 * limit only bites in the tests about it.
 */
import { env, exports } from 'cloudflare:workers'
import { SignJWT } from 'jose'

export const ORIGIN = 'https://api.test'
export const ADMIN = { email: 'admin@company.com', password: 'password' }
export const TEST_SECRET = 'test-only-secret-key-0123456789abcdef'

export interface CallOptions {
  token?: string
  body?: unknown
  headers?: Record<string, string>
  address?: string
}

const randomAddress = () => `10.${crypto.getRandomValues(new Uint8Array(3)).join('.')}`

export function call(method: string, path: string, options: CallOptions = {}) {
  const headers = new Headers(options.headers)
  if (!headers.has('CF-Connecting-IP')) headers.set('CF-Connecting-IP', options.address ?? randomAddress())
  if (options.token) headers.set('Authorization', `Bearer ${options.token}`)
  let body: BodyInit | undefined
  if (options.body !== undefined) {
    if (!headers.has('Content-Type')) headers.set('Content-Type', 'application/json')
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body)
  }
  return exports.default.fetch(new Request(`${ORIGIN}${path}`, { method, headers, body }))
}

export const uniqueEmail = (prefix = 'user') => `${prefix}-${crypto.randomUUID().slice(0, 8)}@example.com`

export interface Session {
  accessToken: string
  refreshToken: string
  user: { id: string; email: string; role: string; name: string }
}

export async function login(email: string, password: string): Promise<Session> {
  const res = await call('POST', '/api/v1/auth/login', { body: { email, password } })
  if (res.status !== 200) throw new Error(`login ${email} → ${res.status} ${await res.text()}`)
  return res.json()
}

let adminSession: Promise<Session> | undefined
/** The seeded development admin, logged in once per test file. */
export const asAdmin = () => {
  adminSession ??= login(ADMIN.email, ADMIN.password)
  return adminSession
}

/** Creates a user with the given role (through the admin API) and logs it in. */
export async function userWithRole(role: 'user' | 'manager' | 'admin', name = `${role} tester`) {
  const admin = await asAdmin()
  const email = uniqueEmail(role)
  const password = `pw-${crypto.randomUUID()}`
  const res = await call('POST', '/api/v1/users', { token: admin.accessToken, body: { name, email, password, role } })
  if (res.status !== 201) throw new Error(`create ${role} → ${res.status} ${await res.text()}`)
  return { ...(await login(email, password)), email, password }
}

/** Signs a token with the test key, for claims the API would never issue itself. */
export async function forgeToken(claims: Record<string, unknown>, options: { expiresIn?: number; kid?: string } = {}) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(TEST_SECRET))
  const { base64url } = await import('jose')
  const kid = options.kid ?? `hs-${base64url.encode(new Uint8Array(digest).slice(0, 9))}`
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ jti: crypto.randomUUID(), typ: 'access', ...claims })
    .setProtectedHeader({ alg: 'HS256', kid, typ: 'JWT' })
    .setIssuedAt(now - 60)
    .setExpirationTime(now + (options.expiresIn ?? 600))
    .setIssuer(String(claims.iss ?? 'ticketing-api'))
    .setAudience(String(claims.aud ?? 'ticketing-api'))
    .sign(new TextEncoder().encode(TEST_SECRET))
}

/** The same app, called with a changed environment (production mode, other keys, log level). */
export async function callWithEnv(overrides: Record<string, unknown>, request: Request) {
  const { createApp } = await import('../src/app')
  const app = createApp()
  return app.fetch(
    request,
    { ...env, ...overrides } as typeof env,
    {
      waitUntil: () => {},
      passThroughOnException: () => {},
      props: {},
    } as unknown as ExecutionContext,
  )
}

export async function expectError(res: Response, status: number, code: string) {
  const body = (await res.json()) as { error: string; message: string; details: unknown }
  if (res.status !== status || body.error !== code) {
    throw new Error(`expected ${status} ${code}, got ${res.status} ${JSON.stringify(body)}`)
  }
  if (typeof body.message !== 'string' || typeof body.details !== 'object' || body.details === null) {
    throw new Error(`not an error envelope: ${JSON.stringify(body)}`)
  }
  return body
}
