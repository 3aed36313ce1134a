/**
 * API tokens through HTTP: minted once from a login session, stored as a hash, routed by the token
 * alone; scopes on one route of each resource, narrowed by the user's current role; what a token can
 * never do; revocation, expiry, deactivation, deletion and workspace deletion stopping it at once;
 * `lastUsedAt` written at most once a minute; the per-token rate limit; live updates with a token.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import type { components } from '../examples/api-types'
import { hashApiToken } from '../src/auth/api-tokens'
import type { Workspace as WorkspaceObject } from '../src/store/workspace'
import {
  asAdmin,
  call,
  callWithEnv,
  createTicket,
  createWorkspace,
  expectError,
  expectStatus,
  login,
  ORIGIN,
  type Session,
  type Ticket,
  type User,
  uniqueEmail,
  userWithRole,
} from './helpers'

type ApiToken = components['schemas']['ApiToken']
type CreatedApiToken = components['schemas']['CreatedApiToken']
type Scope = components['schemas']['Scope']

async function mint(session: Session, scopes: Scope[], extra: Record<string, unknown> = {}) {
  const res = await call('POST', '/api/v1/auth/tokens', {
    token: session.accessToken,
    body: { name: 'integration', scopes, ...extra },
  })
  return expectStatus<CreatedApiToken>(res, 201)
}

async function tokensOf(session: Session, query = '') {
  const res = await call('GET', `/api/v1/auth/tokens${query}`, { token: session.accessToken })
  return expectStatus<ApiToken[]>(res, 200)
}

describe('creating an API token', () => {
  it('shows the secret once, keeps only what identifies it, and names its workspace and id', async () => {
    const user = await userWithRole('user')
    const res = await call('POST', '/api/v1/auth/tokens', {
      token: user.accessToken,
      body: { name: ' CI bot ', scopes: ['tickets:read', 'tickets:read'] },
    })
    expect(res.headers.get('Cache-Control')).toBe('no-store')
    const created = await expectStatus<CreatedApiToken>(res, 201)
    expect(res.headers.get('Location')).toBe(`/api/v1/auth/tokens/${created.id}`)
    expect(created.token).toMatch(new RegExp(`^tkt_default\\.${created.id}\\.[A-Za-z0-9_-]{43}$`))
    expect(created).toMatchObject({ name: 'CI bot', scopes: ['tickets:read'], userId: user.user.id, lastUsedAt: null })
    expect(created.prefix).toBe(`tkt_default.${created.id.slice(0, 8)}`)
    const days = (Date.parse(created.expiresAt) - Date.parse(created.createdAt)) / 86_400_000
    expect(Math.round(days)).toBe(90)

    const listed = await tokensOf(user)
    expect(listed).toEqual([{ ...created, token: undefined }].map(({ token: _, ...rest }) => rest))
    expect(JSON.stringify(listed)).not.toContain(created.token.slice(-43))
    // What is stored is a hash, never the secret.
    const stored = await runInDurableObject(env.WORKSPACE.getByName('default'), (_i: WorkspaceObject, state) =>
      state.storage.sql.exec('SELECT * FROM api_tokens WHERE id = ?', created.id).one(),
    )
    expect(JSON.stringify(stored)).not.toContain(created.token.slice(-43))
  })

  it('refuses scopes beyond the caller’s role, unknown scopes and bad lifetimes', async () => {
    const user = await userWithRole('user')
    const beyond = await call('POST', '/api/v1/auth/tokens', {
      token: user.accessToken,
      body: { name: 'too much', scopes: ['tickets:write', 'users:write', 'projects:write'] },
    })
    const body = await expectError(beyond, 403, 'E_AUTH_INSUFFICIENT_PERMISSIONS')
    expect(body.details).toMatchObject({ scopes: ['users:write', 'projects:write'] })
    for (const bad of [
      { name: 'x', scopes: ['tickets:delete'] },
      { name: 'x', scopes: [] },
      { name: 'x', scopes: ['tickets:read'], expiresInDays: 0 },
      { name: 'x', scopes: ['tickets:read'], expiresInDays: 367 },
      { name: ' ', scopes: ['tickets:read'] },
    ]) {
      const res = await call('POST', '/api/v1/auth/tokens', { token: user.accessToken, body: bad })
      await expectError(res, 422, 'E_VALIDATION_ERROR')
    }
  })
})

describe('using an API token', () => {
  /** One route of each resource, and the scope it needs; run as an admin so the role never limits. */
  const ROUTES: { scope: Scope; method: string; path: (self: User) => string; body?: () => unknown; ok: number }[] = [
    { scope: 'tickets:read', method: 'GET', path: () => '/api/v1/tickets', ok: 200 },
    {
      scope: 'tickets:write',
      method: 'POST',
      path: () => '/api/v1/tickets',
      body: () => ({ title: 'From a script', description: 'CI' }),
      ok: 201,
    },
    { scope: 'projects:read', method: 'GET', path: () => '/api/v1/projects', ok: 200 },
    {
      scope: 'projects:write',
      method: 'POST',
      path: () => '/api/v1/projects',
      body: () => ({ key: `T${crypto.randomUUID().replace(/-/g, '').slice(0, 5).toUpperCase()}`, name: 'Tokened' }),
      ok: 201,
    },
    { scope: 'users:read', method: 'GET', path: (self) => `/api/v1/users/${self.id}`, ok: 200 },
    {
      scope: 'users:write',
      method: 'POST',
      path: () => '/api/v1/users',
      body: () => ({ name: 'Made by token', email: uniqueEmail('tok'), password: 'long-enough-password' }),
      ok: 201,
    },
    { scope: 'reports:read', method: 'GET', path: () => '/api/v1/reports/tickets-by-status', ok: 200 },
    { scope: 'workflows:write', method: 'GET', path: () => '/api/v1/workflows', ok: 200 },
  ]

  it.each(ROUTES)('$scope opens $method of its resource, and nothing else does', async (route) => {
    const admin = await userWithRole('admin')
    const right = await mint(admin, [route.scope])
    const other = ROUTES.find((r) => r.scope.split(':')[0] !== route.scope.split(':')[0])?.scope ?? 'reports:read'
    const wrong = await mint(admin, [other])
    const send = (token: string) =>
      call(route.method, route.path(admin.user), { token, ...(route.body ? { body: route.body() } : {}) })
    await expectStatus(await send(right.token), route.ok)
    const answer = await send(wrong.token)
    expect(answer.headers.get('WWW-Authenticate')).toContain(`error="insufficient_scope", scope="${route.scope}"`)
    const refused = await expectError(answer, 403, 'E_AUTH_INSUFFICIENT_SCOPE')
    expect(refused.details).toMatchObject({ requiredScope: route.scope })
  })

  it('lets a write scope read, and never a read scope write', async () => {
    const user = await userWithRole('user')
    const writer = await mint(user, ['tickets:write'])
    const ticket = await expectStatus<Ticket>(
      await call('POST', '/api/v1/tickets', { token: writer.token, body: { title: 'T', description: 'D' } }),
      201,
    )
    expect(ticket.reporterId).toBe(user.user.id)
    await expectStatus(await call('GET', `/api/v1/tickets/${ticket.id}`, { token: writer.token }), 200)
    const reader = await mint(user, ['tickets:read'])
    const refused = await call('PUT', `/api/v1/tickets/${ticket.id}`, { token: reader.token, body: { title: 'X' } })
    await expectError(refused, 403, 'E_AUTH_INSUFFICIENT_SCOPE')
    // /auth/me and /workspace take a token of any scope.
    const me = await expectStatus<User>(await call('GET', '/api/v1/auth/me', { token: reader.token }), 200)
    expect(me.id).toBe(user.user.id)
    await expectStatus(await call('GET', '/api/v1/workspace', { token: reader.token }), 200)
  })

  it('acts with the user’s current role: a demoted user’s token loses what the role gave', async () => {
    const admin = await asAdmin()
    const manager = await userWithRole('manager')
    const token = await mint(manager, ['projects:write', 'tickets:read'])
    const body = () => ({ key: `D${crypto.randomUUID().replace(/-/g, '').slice(0, 5).toUpperCase()}`, name: 'P' })
    await expectStatus(await call('POST', '/api/v1/projects', { token: token.token, body: body() }), 201)
    await expectStatus(
      await call('PUT', `/api/v1/users/${manager.user.id}`, { token: admin.accessToken, body: { role: 'user' } }),
      200,
    )
    const demoted = await call('POST', '/api/v1/projects', { token: token.token, body: body() })
    await expectError(demoted, 403, 'E_AUTH_INSUFFICIENT_PERMISSIONS')
    await expectStatus(await call('GET', '/api/v1/tickets', { token: token.token }), 200)
  })

  it('can never mint or revoke tokens, change a password, log out, or rename or delete a workspace', async () => {
    const admin = await userWithRole('admin')
    const token = (await mint(admin, ['users:write', 'tickets:write'])).token
    const other = await mint(admin, ['tickets:read'])
    const attempts = [
      call('POST', '/api/v1/auth/tokens', { token, body: { name: 'child', scopes: ['tickets:read'] } }),
      call('GET', '/api/v1/auth/tokens', { token }),
      call('DELETE', `/api/v1/auth/tokens/${other.id}`, { token }),
      call('PUT', `/api/v1/users/${admin.user.id}`, {
        token,
        body: { password: 'new-password-1', currentPassword: admin.password },
      }),
      call('POST', '/api/v1/auth/logout', { token }),
      call('PUT', '/api/v1/workspace', { token, body: { name: 'Renamed by a script' } }),
      call('DELETE', '/api/v1/workspace', { token, body: { confirm: 'default' } }),
    ]
    for (const res of await Promise.all(attempts)) await expectError(res, 403, 'E_AUTH_SESSION_REQUIRED')
    // The other token is untouched, and the admin's password still works.
    await expectStatus(await call('GET', '/api/v1/tickets', { token: other.token }), 200)
    await login(admin.email, admin.password)
  })

  it('refuses tampered, malformed and foreign tokens with 401', async () => {
    const user = await userWithRole('user')
    const { token } = await mint(user, ['tickets:read'])
    const last = token.at(-1) === 'A' ? 'B' : 'A'
    const elsewhere = await createWorkspace()
    const foreign = token.replace('tkt_default.', `tkt_${elsewhere.workspace.slug}.`)
    for (const bad of [`${token.slice(0, -1)}${last}`, token.slice(0, -2), 'tkt_default.x.y', foreign]) {
      await expectError(await call('GET', '/api/v1/tickets', { token: bad }), 401, 'E_AUTH_TOKEN_INVALID')
    }
    // A token of another workspace finds nothing of this one, and this one's finds nothing of it.
    const theirs = await mint(elsewhere.session, ['tickets:read'])
    expect(theirs.token.startsWith(`tkt_${elsewhere.workspace.slug}.`)).toBe(true)
    const mine = await createTicket(user)
    await expectError(
      await call('GET', `/api/v1/tickets/${mine.id}`, { token: theirs.token }),
      404,
      'E_TICKET_NOT_FOUND',
    )
  })
})

describe('ending an API token', () => {
  it('revoked: 401 at once; only its owner or an admin may revoke it', async () => {
    const owner = await userWithRole('user')
    const stranger = await userWithRole('user')
    const { id, token } = await mint(owner, ['tickets:read'])
    await expectError(
      await call('DELETE', `/api/v1/auth/tokens/${id}`, { token: stranger.accessToken }),
      404,
      'E_API_TOKEN_NOT_FOUND',
    )
    await expectStatus(await call('GET', '/api/v1/tickets', { token }), 200)
    await expectStatus(await call('DELETE', `/api/v1/auth/tokens/${id}`, { token: owner.accessToken }), 204)
    await expectError(await call('GET', '/api/v1/tickets', { token }), 401, 'E_AUTH_TOKEN_INVALID')
    expect(await tokensOf(owner)).toEqual([])

    const second = await mint(owner, ['tickets:read'])
    const admin = await asAdmin()
    expect((await tokensOf(admin, `?user_id=${owner.user.id}`)).map((t) => t.id)).toEqual([second.id])
    expect((await tokensOf(admin, '?all=true')).map((t) => t.id)).toContain(second.id)
    await expectError(
      await call('GET', '/api/v1/auth/tokens?all=true', { token: owner.accessToken }),
      403,
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
    )
    await expectStatus(await call('DELETE', `/api/v1/auth/tokens/${second.id}`, { token: admin.accessToken }), 204)
    await expectError(await call('GET', '/api/v1/tickets', { token: second.token }), 401, 'E_AUTH_TOKEN_INVALID')
  })

  it('expired: 401 E_AUTH_TOKEN_EXPIRED', async () => {
    const user = await userWithRole('user')
    const { id, token } = await mint(user, ['tickets:read'], { expiresInDays: 1 })
    await runInDurableObject(env.WORKSPACE.getByName('default'), (_i: WorkspaceObject, state) => {
      state.storage.sql.exec("UPDATE api_tokens SET expires_at = '2000-01-01T00:00:00.000Z' WHERE id = ?", id)
    })
    await expectError(await call('GET', '/api/v1/tickets', { token }), 401, 'E_AUTH_TOKEN_EXPIRED')
  })

  it('deactivating or deleting its user revokes it for good; a password change does not', async () => {
    const admin = await asAdmin()
    const user = await userWithRole('user')
    const kept = await mint(user, ['tickets:read'])
    const changed = await call('PUT', `/api/v1/users/${user.user.id}`, {
      token: user.accessToken,
      body: { password: 'another-password-1', currentPassword: user.password },
    })
    await expectStatus(changed, 200)
    await expectStatus(await call('GET', '/api/v1/tickets', { token: kept.token }), 200)

    const setActive = (active: boolean) =>
      call('PUT', `/api/v1/users/${user.user.id}`, { token: admin.accessToken, body: { active } })
    await expectStatus(await setActive(false), 200)
    await expectError(await call('GET', '/api/v1/tickets', { token: kept.token }), 401, 'E_AUTH_TOKEN_INVALID')
    await expectStatus(await setActive(true), 200)
    await expectError(await call('GET', '/api/v1/tickets', { token: kept.token }), 401, 'E_AUTH_TOKEN_INVALID')

    const other = await userWithRole('user')
    const doomed = await mint(other, ['tickets:read'])
    await expectStatus(await call('DELETE', `/api/v1/users/${other.user.id}`, { token: admin.accessToken }), 204)
    await expectError(await call('GET', '/api/v1/tickets', { token: doomed.token }), 401, 'E_AUTH_TOKEN_INVALID')
  })

  it('deleting the workspace ends its tokens at once', async () => {
    const { workspace, session } = await createWorkspace()
    const { token } = await mint(session, ['tickets:read'])
    await expectStatus(await call('GET', '/api/v1/tickets', { token }), 200)
    const res = await call('DELETE', '/api/v1/workspace', {
      token: session.accessToken,
      body: { confirm: workspace.slug },
    })
    await expectStatus(res, 202)
    await expectError(await call('GET', '/api/v1/tickets', { token }), 401, 'E_AUTH_TOKEN_INVALID')
  })
})

describe('a busy API token', () => {
  it('records lastUsedAt to the minute: one write, not one per request', async () => {
    const user = await userWithRole('user')
    const { id, token } = await mint(user, ['tickets:read'])
    const minuteOf = (at: number) => new Date(at).toISOString().slice(0, 16)
    const started = Date.now()
    await expectStatus(await call('GET', '/api/v1/tickets', { token }), 200)
    const first = (await tokensOf(user)).find((t) => t.id === id)?.lastUsedAt
    expect(first).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/)
    for (let i = 0; i < 3; i++) await expectStatus(await call('GET', '/api/v1/tickets', { token }), 200)
    const last = (await tokensOf(user)).find((t) => t.id === id)?.lastUsedAt
    // Within one minute of the clock, the later requests wrote nothing; across a minute, one more write.
    if (minuteOf(started) === minuteOf(Date.now())) expect(last).toBe(first)
    else expect(last?.slice(0, 16)).toBe(minuteOf(Date.now()))
  })

  it('is rate limited per token: 429 with Retry-After', async () => {
    const user = await userWithRole('user')
    const { token } = await mint(user, ['tickets:read'])
    const counted: string[] = []
    // The platform's limiter answers "over the limit" for this token; the API must say so.
    const limiter = {
      limit: async ({ key }: { key: string }) => {
        counted.push(key)
        return { success: false }
      },
    }
    const res = await callWithEnv(
      { RATE_LIMIT_BY_TOKEN: limiter },
      new Request(`${ORIGIN}/api/v1/tickets`, { headers: { Authorization: `Bearer ${token}` } }),
    )
    await expectError(res, 429, 'E_RATE_LIMITED')
    expect(res.headers.get('Retry-After')).toBe('60')
    // Counted by the whole token's hash: a guessed secret for this id would count against itself.
    expect(counted).toEqual([`token:${await hashApiToken(token)}`])
  })

  it('opens live updates with tickets:read, and not without it', async () => {
    const user = await userWithRole('user')
    const reader = await mint(user, ['tickets:read'])
    const open = await exports.default.fetch(`${ORIGIN}/api/v1/events`, {
      headers: { Upgrade: 'websocket', Authorization: `Bearer ${reader.token}` },
    })
    expect(open.status).toBe(101)
    open.webSocket?.accept()
    open.webSocket?.close()
    const projects = await mint(user, ['projects:read'])
    const refused = await exports.default.fetch(`${ORIGIN}/api/v1/events`, {
      headers: { Upgrade: 'websocket', Authorization: `Bearer ${projects.token}` },
    })
    await expectError(refused, 403, 'E_AUTH_INSUFFICIENT_SCOPE')
  })

  it('never appears in a log line', async () => {
    const user = await userWithRole('user')
    const { token } = await mint(user, ['tickets:read'])
    const lines: string[] = []
    for (const method of ['log', 'info', 'warn', 'error'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')))
    }
    try {
      const res = await callWithEnv(
        { LOG_LEVEL: 'debug' },
        new Request(`${ORIGIN}/api/v1/tickets`, { headers: { Authorization: `Bearer ${token}` } }),
      )
      await expectStatus(res, 200)
    } finally {
      vi.restoreAllMocks()
    }
    expect(lines.length).toBeGreaterThan(0)
    expect(lines.join('\n')).not.toContain(token.split('.').at(-1))
  })
})
