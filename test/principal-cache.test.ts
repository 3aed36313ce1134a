/**
 * The Durable Object's cache of resolved sessions (src/store/users/principal-cache.ts) never lets a
 * change take effect later than it would without it: each test first warms the cache with the
 * token it then checks (and asserts that the entry is there), makes the change through the API, and
 * expects the very next request with that token to see it. Expiry is checked on every use, and the
 * cache is bounded.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import type { Principal } from '../src/store/db/context'
import {
  cachedPrincipal,
  cachedPrincipals,
  PRINCIPAL_CACHE_LIMIT,
  rememberPrincipal,
} from '../src/store/users/principal-cache'
import { resolvePrincipal } from '../src/store/users/sessions'
import type { Workspace } from '../src/store/workspace'
import {
  asAdmin,
  call,
  createTicket,
  createWorkspace,
  expectError,
  expectStatus,
  login,
  type Session,
  type User,
  userWithRole,
} from './helpers'

const stub = (slug = 'default') => env.WORKSPACE.getByName(slug)

/** The user and session an access token names. */
const claimsOf = (session: Session) => decodeJwt(session.accessToken) as { sub: string; sid: string }

/** Whether the object serving `slug` holds a cached entry for the session of `session`'s token. */
async function isCached(session: Session, slug = 'default') {
  const { sub, sid } = claimsOf(session)
  return runInDurableObject(stub(slug), (_instance: Workspace, state) =>
    Boolean(cachedPrincipal(state.storage.sql, sid, sub, Date.now())),
  )
}

/** A request with the token that succeeds, after which its session must be in the cache. */
async function warm(session: Session, slug = 'default') {
  await expectStatus(await call('GET', '/api/v1/auth/me', { token: session.accessToken }), 200)
  expect(await isCached(session, slug), 'the session is cached after a request').toBe(true)
}

const me = (session: Session) => call('GET', '/api/v1/auth/me', { token: session.accessToken })

describe('the session cache of a workspace object', () => {
  it('is the object’s own SqlStorage handle, so every writer reaches the same entries', async () => {
    const same = await runInDurableObject(stub(), (instance: Workspace, state) => {
      const store = (instance as unknown as { store: { sql: SqlStorage } }).store
      const again = state.storage
      return store.sql === state.storage.sql && again.sql === store.sql
    })
    expect(same).toBe(true)
  })

  it('serves a warm session, and a logout refuses its token on the next request', async () => {
    const session = await userWithRole('user')
    await warm(session)
    await expectStatus(await call('POST', '/api/v1/auth/logout', { token: session.accessToken }), 204)
    await expectError(await me(session), 401, 'E_AUTH_TOKEN_INVALID')
  })

  it('ends a warm session whose refresh token is reused (revocation)', async () => {
    const session = await userWithRole('user')
    await warm(session)
    const body = { refreshToken: session.refreshToken }
    await expectStatus(await call('POST', '/api/v1/auth/refresh', { body }), 200)
    await expectError(await call('POST', '/api/v1/auth/refresh', { body }), 401, 'E_AUTH_TOKEN_INVALID')
    await expectError(await me(session), 401, 'E_AUTH_TOKEN_INVALID')
  })

  it('keeps serving a session after a refresh moved its expiry', async () => {
    const session = await userWithRole('user')
    await warm(session)
    const refreshed = await expectStatus<Session>(
      await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: session.refreshToken } }),
      200,
    )
    await expectStatus(await me(session), 200)
    await expectStatus(await me(refreshed), 200)
  })

  it('refuses a warm session on the next request once its user is deactivated', async () => {
    const admin = await asAdmin()
    const bob = await userWithRole('user')
    await warm(bob)
    const res = await call('PUT', `/api/v1/users/${bob.user.id}`, { token: admin.accessToken, body: { active: false } })
    await expectStatus(res, 200)
    await expectError(await me(bob), 401, 'E_AUTH_TOKEN_INVALID')
  })

  it('applies a demotion to a warm session on the next request, inside the object too', async () => {
    const admin = await asAdmin()
    const ticket = await createTicket(admin, { title: 'Only staff see this one' })
    const manager = await userWithRole('manager')
    await warm(manager)
    // Who sees a ticket is decided in the object from the caller's role (no role check in the Worker).
    await expectStatus(await call('GET', `/api/v1/tickets/${ticket.id}`, { token: manager.accessToken }), 200)
    const res = await call('PUT', `/api/v1/users/${manager.user.id}`, {
      token: admin.accessToken,
      body: { role: 'user' },
    })
    await expectStatus(res, 200)
    await expectError(
      await call('GET', `/api/v1/tickets/${ticket.id}`, { token: manager.accessToken }),
      404,
      'E_TICKET_NOT_FOUND',
    )
    expect((await expectStatus<User>(await me(manager), 200)).role).toBe('user')
  })

  it('drops a warm session’s entry when its user is renamed, so the next request reads the new name', async () => {
    const user = await userWithRole('user', 'Before Rename')
    await warm(user)
    const renamed = await call('PUT', `/api/v1/users/${user.user.id}`, {
      token: user.accessToken,
      body: { name: 'After Rename' },
    })
    await expectStatus(renamed, 200)
    expect(await isCached(user), 'the entry with the old name is gone').toBe(false)
    expect((await expectStatus<User>(await me(user), 200)).name).toBe('After Rename')
    expect(await isCached(user)).toBe(true)
  })

  it('ends the other warm sessions on a password change, and all of them on an admin reset', async () => {
    const admin = await asAdmin()
    const alice = await userWithRole('user')
    const otherDevice = await login(alice.email, alice.password)
    await warm(alice)
    await warm(otherDevice)
    const changed = await call('PUT', `/api/v1/users/${alice.user.id}`, {
      token: alice.accessToken,
      body: { password: 'brand-new-pass', currentPassword: alice.password },
    })
    await expectStatus(changed, 200)
    await expectStatus(await me(alice), 200)
    await expectError(await me(otherDevice), 401, 'E_AUTH_TOKEN_INVALID')

    await warm(alice)
    const reset = await call('PUT', `/api/v1/users/${alice.user.id}`, {
      token: admin.accessToken,
      body: { password: 'reset-by-admin' },
    })
    await expectStatus(reset, 200)
    await expectError(await me(alice), 401, 'E_AUTH_TOKEN_INVALID')
  })

  it('refuses a warm session on the next request once its user is deleted', async () => {
    const admin = await asAdmin()
    const bob = await userWithRole('user')
    await warm(bob)
    await expectStatus(await call('DELETE', `/api/v1/users/${bob.user.id}`, { token: admin.accessToken }), 204)
    await expectError(await me(bob), 401, 'E_AUTH_TOKEN_INVALID')
  })

  it('refuses a warm session of a workspace on the next request once the workspace is deleted', async () => {
    const created = await createWorkspace()
    const slug = created.workspace.slug
    const other = await expectStatus<Session>(
      await call('POST', '/api/v1/auth/login', {
        body: { email: created.admin.email, password: created.admin.password, workspace: slug },
      }),
      200,
    )
    await warm(other, slug)
    const res = await call('DELETE', '/api/v1/workspace', {
      token: created.session.accessToken,
      body: { confirm: slug },
    })
    await expectStatus(res, 202)
    await expectError(await me(other), 401, 'E_AUTH_TOKEN_INVALID')
  })

  it('checks a cached session’s expiry on every use', async () => {
    const session = await userWithRole('user')
    await warm(session)
    const { sub, sid } = claimsOf(session)
    const outcome = await runInDurableObject(stub(), (_instance: Workspace, state) => {
      const sql = state.storage.sql
      const { expires_at } = sql.exec<{ expires_at: string }>('SELECT expires_at FROM sessions WHERE id = ?', sid).one()
      const expiry = Date.parse(expires_at)
      return {
        before: resolvePrincipal(sql, { userId: sub, sessionId: sid }, expiry - 1)?.id ?? null,
        at: resolvePrincipal(sql, { userId: sub, sessionId: sid }, expiry),
        after: resolvePrincipal(sql, { userId: sub, sessionId: sid }, expiry + 60_000),
        otherUser: resolvePrincipal(sql, { userId: 'someone-else', sessionId: sid }, expiry - 1),
      }
    })
    expect(outcome).toEqual({ before: sub, at: null, after: null, otherUser: null })
  })

  it('holds at most PRINCIPAL_CACHE_LIMIT entries, dropping the oldest', async () => {
    const sizes = await runInDurableObject(stub(), (_instance: Workspace, state) => {
      const sql = state.storage.sql
      const far = Date.now() + 60_000
      const principal = (n: number): Principal => ({ id: `u${n}`, role: 'user', name: 'n', sessionId: `s${n}` })
      for (let n = 0; n < PRINCIPAL_CACHE_LIMIT + 10; n++) rememberPrincipal(sql, principal(n), far)
      return {
        size: cachedPrincipals(sql),
        oldest: cachedPrincipal(sql, 's0', 'u0', Date.now()),
        newest: cachedPrincipal(sql, `s${PRINCIPAL_CACHE_LIMIT + 9}`, `u${PRINCIPAL_CACHE_LIMIT + 9}`, Date.now())?.id,
      }
    })
    expect(sizes).toEqual({ size: PRINCIPAL_CACHE_LIMIT, oldest: null, newest: `u${PRINCIPAL_CACHE_LIMIT + 9}` })
  })
})
