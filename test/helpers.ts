/**
 * Test helpers: requests through the Worker's own fetch (real routing, real Durable Object and
 * SQLite), with a fresh client address per request unless one is given, so the per-address rate
 * limit only bites in the tests about it.
 *
 * Two helpers check responses, and every request a test makes goes through one of them or an
 * `expect` of its own, setup steps included (a setup step that silently failed would let the test
 * pass for the wrong reason):
 * - `expectStatus(res, 201)` asserts the status and returns the parsed body;
 * - `expectError(res, 404, 'E_TICKET_NOT_FOUND')` asserts the status, the code and the envelope.
 * `createTicket`, `updateTicket`, `createProject`, `createRule`, `userWithRole`, … are the setup
 * steps most tests need, each asserting its own status.
 *
 * Storage is isolated per test file, not per test: use unique emails, names and keys.
 */
import { env, exports } from 'cloudflare:workers'
import { SignJWT } from 'jose'
import { expect, inject } from 'vitest'
import type { components } from '../examples/api-types'

// ── The API's types: the schemas of the OpenAPI document, as its generated client sees them ──

type Schemas = components['schemas']
export type User = Schemas['User']
export type Session = Schemas['LoginResponse']
export type TokenPair = Schemas['TokenPair']
export type Ticket = Schemas['Ticket']
export type TicketStatus = Schemas['TicketStatus']
export type HistoryEntry = Schemas['TicketHistoryEntry']
export type Comment = Schemas['Comment']
export type Project = Schemas['Project']
export type WorkflowRule = Schemas['WorkflowRule']
export type Notification = Schemas['Notification']
export type PresignedUrl = Schemas['PresignedUrl']
export type Attachment = Schemas['Attachment']
export type AttachmentWithDownloadUrl = Schemas['AttachmentWithDownloadUrl']
export type ErrorBody = Schemas['Error']
export type Workspace = Schemas['Workspace']
export type WorkspaceWithCounts = Schemas['WorkspaceWithCounts']
export type CreatedWorkspace = Schemas['CreatedWorkspace']

// ── Requests ──

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

/**
 * Asserts the status (the failure shows the body, so a refused setup step says why) and returns the
 * parsed JSON body: `undefined` when there is none (204).
 */
export async function expectStatus<T = unknown>(res: Response, status: number): Promise<T> {
  const text = await res.text()
  expect(res.status, `expected ${status}, got ${res.status}: ${text.slice(0, 500)}`).toBe(status)
  return (text === '' ? undefined : JSON.parse(text)) as T
}

/** Asserts an error response: status, code, and the envelope (`error`, `message`, `details`); returns it. */
export async function expectError(res: Response, status: number, code: string) {
  const text = await res.text()
  const body = JSON.parse(text) as ErrorBody
  expect({ status: res.status, error: body.error }, text.slice(0, 500)).toEqual({ status, error: code })
  expect(body, 'the error envelope').toMatchObject({ message: expect.any(String), details: expect.any(Object) })
  return body
}

/** The path and query of the `Link: rel="next"` target, or null on the last page. */
export function nextLink(res: Response) {
  const link = res.headers.get('Link')
  const target = link ? /<([^>]+)>;\s*rel="next"/.exec(link)?.[1] : undefined
  if (!target) return null
  const url = new URL(target, ORIGIN)
  return url.pathname + url.search
}

// ── Users and sessions ──

export const uniqueEmail = (prefix = 'user') => `${prefix}-${crypto.randomUUID().slice(0, 8)}@example.com`

export async function login(email: string, password: string): Promise<Session> {
  return expectStatus<Session>(await call('POST', '/api/v1/auth/login', { body: { email, password } }), 200)
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
  await expectStatus(
    await call('POST', '/api/v1/users', { token: admin.accessToken, body: { name, email, password, role } }),
    201,
  )
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

// ── Workspaces ──

/** A fresh workspace slug (3–40 characters of a-z, 0-9 and '-'). */
export const uniqueSlug = (prefix = 'ws') => `${prefix}-${crypto.randomUUID().slice(0, 8)}`

/**
 * Creates a workspace (201; sign-up is open under the test configuration) and returns the answer,
 * its admin's credentials, and the admin's session in the shape `login` returns.
 */
export async function createWorkspace(body: Record<string, unknown> = {}) {
  const admin = { name: 'Workspace Admin', email: uniqueEmail('ws-admin'), password: `pw-${crypto.randomUUID()}` }
  const slug = uniqueSlug()
  const res = await call('POST', '/api/v1/workspaces', { body: { slug, name: `Workspace ${slug}`, admin, ...body } })
  const created = await expectStatus<CreatedWorkspace>(res, 201)
  const session: Session = { ...created, user: created.user }
  return { ...created, admin, session }
}

/** Logs in to a workspace (200). */
export async function loginTo(workspace: string, email: string, password: string): Promise<Session> {
  const res = await call('POST', '/api/v1/auth/login', { body: { email, password, workspace } })
  return expectStatus<Session>(res, 200)
}

// ── Tickets, projects, rules, notifications ──

/** Creates a ticket as `session` (201); the title and description default to a printer on fire. */
export async function createTicket(
  session: Session,
  body: Record<string, unknown> = {},
  headers?: Record<string, string>,
) {
  const res = await call('POST', '/api/v1/tickets', {
    token: session.accessToken,
    body: { title: 'Printer on fire', description: 'Smoke since 9am', ...body },
    headers,
  })
  return expectStatus<Ticket>(res, 201)
}

/** Changes a ticket as `session`, which must succeed (200). */
export async function updateTicket(session: Session, id: string, body: Record<string, unknown>) {
  return expectStatus<Ticket>(await call('PUT', `/api/v1/tickets/${id}`, { token: session.accessToken, body }), 200)
}

/** A ticket's history, oldest first. */
export async function ticketHistory(session: Session, id: string) {
  const res = await call('GET', `/api/v1/tickets/${id}/history?limit=200`, { token: session.accessToken })
  return expectStatus<HistoryEntry[]>(res, 200)
}

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
/** A fresh project key: `prefix` (a capital letter) and 5 random capitals or digits. */
export const uniqueProjectKey = (prefix = 'P') =>
  `${prefix}${Array.from(crypto.getRandomValues(new Uint8Array(5)), (n) => KEY_ALPHABET[n % 36]).join('')}`

/** Creates a project as `session` (201), with a fresh key unless one is given. */
export async function createProject(session: Session, body: Record<string, unknown> = {}) {
  const res = await call('POST', '/api/v1/projects', {
    token: session.accessToken,
    body: { key: uniqueProjectKey(), name: 'Project', ...body },
  })
  return expectStatus<Project>(res, 201)
}

/** Creates a workflow rule as `session` (an admin; 201). */
export async function createRule(session: Session, body: Record<string, unknown>) {
  const res = await call('POST', '/api/v1/workflows', { token: session.accessToken, body: { name: 'rule', ...body } })
  return expectStatus<WorkflowRule>(res, 201)
}

/** The caller's notifications, newest first (`query` such as `?unread=true`). */
export async function notificationsOf(session: Session, query = '') {
  const res = await call('GET', `/api/v1/notifications${query}`, { token: session.accessToken })
  return expectStatus<Notification[]>(res, 200)
}

// ── Seeded randomness ──

declare module 'vitest' {
  export interface ProvidedContext {
    /** `TEST_SEED` from the environment of `vitest` (vitest.config.ts), or '' when unset. */
    testSeed: string
  }
}

const DEFAULT_SEED = 20_240_601

/**
 * The seed for random choices in tests: fixed, unless `TEST_SEED` is set, so every run makes the
 * same choices and a failing one can be replayed (`TEST_SEED=<seed> npx vitest run <file>`). Tests
 * name it in their failure messages.
 */
export function testSeed() {
  const given = inject('testSeed')
  if (!given) return DEFAULT_SEED
  const seed = Number(given)
  if (!Number.isSafeInteger(seed)) throw new Error(`TEST_SEED must be an integer, got ${JSON.stringify(given)}`)
  return seed
}

/**
 * A small seeded pseudo-random generator (the mulberry32 algorithm): the same seed always gives the
 * same sequence. Not for anything secret.
 */
export function seededRandom(seed = testSeed()) {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
  /** One of `items`, chosen by the next number. */
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(next() * items.length)]
    if (item === undefined) throw new Error('pick from an empty list')
    return item
  }
  return { seed, next, pick, replay: `replay with TEST_SEED=${seed}` }
}

// ── Other environments ──

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
