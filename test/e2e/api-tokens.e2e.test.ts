/**
 * API tokens over real HTTP against wrangler dev, in workspaces of their own: a token minted from a
 * login session creates, moves and reads a ticket as its user; a route outside its scope is a 403, a
 * session-only route a 403 of its own; the list shows it without its secret and with `lastUsedAt`;
 * revoked, it is a 401 at once. A token of one workspace finds nothing of another's, and a token
 * whose workspace was swapped in its string is refused.
 */
import { describe, expect, it } from 'vitest'
import type { components } from '../../examples/api-types'
import { expectError, json, request, uniqueEmail } from './client'

type ApiToken = components['schemas']['ApiToken']
type CreatedApiToken = components['schemas']['CreatedApiToken']
type CreatedWorkspace = components['schemas']['CreatedWorkspace']
type Scope = components['schemas']['Scope']
type Ticket = components['schemas']['Ticket']
type User = components['schemas']['User']

/** A fresh workspace, and its admin's login session. */
async function freshWorkspace() {
  const slug = `tok-${crypto.randomUUID().slice(0, 8)}`
  const admin = { name: 'Token owner', email: uniqueEmail('tok'), password: 'token-owner-password' }
  const created = await json<CreatedWorkspace>(
    await request('POST', '/api/v1/workspaces', { body: { slug, name: `Tokens ${slug}`, admin } }),
    201,
  )
  expect(created.workspace.slug).toBe(slug)
  expect(created.user).toMatchObject({ email: admin.email, role: 'admin' })
  return { slug, session: created.accessToken, user: created.user }
}

async function mint(session: string, name: string, scopes: Scope[]) {
  const res = await request('POST', '/api/v1/auth/tokens', { token: session, body: { name, scopes } })
  const created = await json<CreatedApiToken>(res, 201)
  expect(res.headers.get('Location')).toBe(`/api/v1/auth/tokens/${created.id}`)
  expect(res.headers.get('Cache-Control')).toBe('no-store')
  return created
}

async function tokensOf(session: string) {
  return json<ApiToken[]>(await request('GET', '/api/v1/auth/tokens', { token: session }), 200)
}

describe('an API token over real HTTP against wrangler dev', () => {
  it('works a ticket as its user, within its scope, until it is revoked', async () => {
    const { slug, session, user } = await freshWorkspace()
    const minted = await mint(session, 'e2e bot', ['tickets:write'])
    expect(minted.token).toMatch(new RegExp(`^tkt_${slug}\\.${minted.id}\\.[A-Za-z0-9_-]{43}$`))
    expect(minted).toMatchObject({ userId: user.id, name: 'e2e bot', scopes: ['tickets:write'], lastUsedAt: null })
    expect(minted.prefix).toBe(`tkt_${minted.token.split('.')[0]?.slice(4)}.${minted.id.slice(0, 8)}`)
    const secret = minted.token.split('.').at(-1) ?? ''
    const token = minted.token

    // It acts as its user: /auth/me takes a token of any scope.
    const me = await json<User>(await request('GET', '/api/v1/auth/me', { token }), 200)
    expect(me).toMatchObject({ id: user.id, role: 'admin' })

    const created = await request('POST', '/api/v1/tickets', {
      token,
      headers: { 'Idempotency-Key': `tok-e2e-${crypto.randomUUID()}` },
      body: { title: 'Filed by a script', description: 'Nightly job failed', priority: 'high' },
    })
    const ticket = await json<Ticket>(created, 201)
    expect(created.headers.get('ETag')).toBe('"1"')
    expect(ticket).toMatchObject({ reporterId: user.id, status: 'open', version: 1 })

    const moved = await json<Ticket>(
      await request('PUT', `/api/v1/tickets/${ticket.id}`, {
        token,
        headers: { 'If-Match': '"1"' },
        body: { status: 'in_progress' },
      }),
      200,
    )
    expect(moved).toMatchObject({ status: 'in_progress', version: 2 })
    // tickets:write includes tickets:read.
    const read = await json<Ticket>(await request('GET', `/api/v1/tickets/${ticket.id}`, { token }), 200)
    expect(read).toMatchObject({ id: ticket.id, status: 'in_progress', version: 2, reporterId: user.id })
    const byKey = await json<Ticket>(await request('GET', `/api/v1/tickets/key/${ticket.key}`, { token }), 200)
    expect(byKey.id).toBe(ticket.id)

    // Outside its scope: 403, naming the scope the route needs, even though its user is an admin.
    for (const [path, requiredScope] of [
      ['/api/v1/projects', 'projects:read'],
      ['/api/v1/reports/dashboard', 'reports:read'],
      [`/api/v1/users/${user.id}`, 'users:read'],
    ] as const) {
      const refused = await request('GET', path, { token })
      const body = await json<{ error: string; details: { requiredScope?: string } }>(refused, 403)
      expect(body.error, path).toBe('E_AUTH_INSUFFICIENT_SCOPE')
      expect(body.details.requiredScope, path).toBe(requiredScope)
    }
    // What needs a login session is refused to any token.
    await expectError(await request('GET', '/api/v1/auth/tokens', { token }), 403, 'E_AUTH_SESSION_REQUIRED')
    await expectError(
      await request('POST', '/api/v1/auth/tokens', { token, body: { name: 'child', scopes: ['tickets:read'] } }),
      403,
      'E_AUTH_SESSION_REQUIRED',
    )

    // Listed from the session: no secret, and used.
    const listed = await tokensOf(session)
    expect(listed).toHaveLength(1)
    const [entry] = listed
    expect(entry).toEqual({
      id: minted.id,
      userId: user.id,
      name: 'e2e bot',
      scopes: ['tickets:write'],
      prefix: minted.prefix,
      createdAt: minted.createdAt,
      expiresAt: minted.expiresAt,
      lastUsedAt: expect.any(String),
    })
    // Kept to the minute: the minute of the first use, not before the token's own minute.
    expect(entry?.lastUsedAt).toMatch(/:00\.000Z$/)
    const usedMinute = entry?.lastUsedAt?.slice(0, 16) ?? ''
    expect(usedMinute >= minted.createdAt.slice(0, 16), `${usedMinute} vs ${minted.createdAt}`).toBe(true)
    expect(JSON.stringify(listed)).not.toContain(secret)

    // Revoked: 401 at once, and gone from the list; the session that revoked it goes on.
    const revoked = await request('DELETE', `/api/v1/auth/tokens/${minted.id}`, { token: session })
    expect(revoked.status, await revoked.clone().text()).toBe(204)
    await expectError(await request('GET', `/api/v1/tickets/${ticket.id}`, { token }), 401, 'E_AUTH_TOKEN_INVALID')
    await expectError(
      await request('PUT', `/api/v1/tickets/${ticket.id}`, { token, body: { status: 'closed' } }),
      401,
      'E_AUTH_TOKEN_INVALID',
    )
    expect(await tokensOf(session)).toEqual([])
    await expectError(
      await request('DELETE', `/api/v1/auth/tokens/${minted.id}`, { token: session }),
      404,
      'E_API_TOKEN_NOT_FOUND',
    )
    const after = await json<Ticket>(await request('GET', `/api/v1/tickets/${ticket.id}`, { token: session }), 200)
    expect(after).toMatchObject({ status: 'in_progress', version: 2 })
  })

  it('of one workspace finds nothing of another’s, and cannot be re-routed to it', async () => {
    const a = await freshWorkspace()
    const b = await freshWorkspace()
    const theirs = await json<Ticket>(
      await request('POST', '/api/v1/tickets', {
        token: b.session,
        body: { title: 'Only in B', description: 'Not for A' },
      }),
      201,
    )
    const mine = await mint(a.session, 'reader of A', ['tickets:read'])
    expect(mine.token.startsWith(`tkt_${a.slug}.`)).toBe(true)
    const ownList = await json<Ticket[]>(await request('GET', '/api/v1/tickets', { token: mine.token }), 200)
    expect(ownList.map((t) => t.id)).not.toContain(theirs.id)
    await expectError(
      await request('GET', `/api/v1/tickets/${theirs.id}`, { token: mine.token }),
      404,
      'E_TICKET_NOT_FOUND',
    )
    await expectError(
      await request('GET', `/api/v1/tickets/key/${theirs.key}`, { token: mine.token }),
      404,
      'E_TICKET_NOT_FOUND',
    )
    // The workspace is read from the token's string; naming B in A's token reaches B, where no such
    // token exists.
    const rerouted = mine.token.replace(`tkt_${a.slug}.`, `tkt_${b.slug}.`)
    await expectError(
      await request('GET', `/api/v1/tickets/${theirs.id}`, { token: rerouted }),
      401,
      'E_AUTH_TOKEN_INVALID',
    )
    // B's own session still sees its ticket; A's token is untouched by the attempt.
    await json(await request('GET', `/api/v1/tickets/${theirs.id}`, { token: b.session }), 200)
    await json(await request('GET', '/api/v1/tickets', { token: mine.token }), 200)
  })
})
