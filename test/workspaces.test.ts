/**
 * Workspaces through HTTP: creation (open and closed sign-up, validation, taken slugs, races and a
 * creation that failed halfway), routing by the token alone (the directory is not asked on ordinary
 * requests), isolation of every resource between workspaces, signed file URLs and jurisdictions,
 * renaming, and deletion (tokens dead at once, then rows, files and storage erased in bounded,
 * resumable steps by the object's alarm).
 */
import { runInDurableObject } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import { decodeJwt } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { migrate } from '../src/store/db/migrate'
import { eraseFiles, eraseRows } from '../src/store/tenancy/erase'
import type { Workspace as WorkspaceObject } from '../src/store/workspace'
import {
  asAdmin,
  type CreatedWorkspace,
  call,
  callWithEnv,
  createProject,
  createRule,
  createTicket,
  createWorkspace,
  expectError,
  expectStatus,
  loginTo,
  ORIGIN,
  type PresignedUrl,
  type Session,
  type Ticket,
  type TokenPair,
  type User,
  uniqueEmail,
  uniqueSlug,
  userWithRole,
  type Workspace,
  type WorkspaceWithCounts,
} from './helpers'

const directory = () => env.DIRECTORY.getByName('directory')
const objectOf = (slug: string) => env.WORKSPACE.getByName(slug)

async function register(workspace: string | undefined, email = uniqueEmail()) {
  const body = { name: 'Member', email, password: 'member-password', ...(workspace ? { workspace } : {}) }
  return call('POST', '/api/v1/auth/register', { body })
}

async function uploadFile(session: Session, ticketId: string, data = new Uint8Array([1, 2, 3, 4, 5])) {
  const res = await call('POST', '/api/v1/attachments/presigned-url', {
    token: session.accessToken,
    body: { ticketId, filename: 'notes.txt', contentType: 'text/plain', size: data.byteLength },
  })
  const grant = await expectStatus<PresignedUrl>(res, 200)
  const put = new Request(grant.uploadUrl, { method: 'PUT', body: data, headers: grant.headers })
  await expectStatus(await exports.default.fetch(put), 200)
  const recorded = await call('POST', '/api/v1/attachments', {
    token: session.accessToken,
    body: { ticketId, fileKey: grant.fileKey, filename: 'notes.txt', contentType: 'text/plain', size: data.byteLength },
  })
  return { grant, attachment: await expectStatus<{ id: string; fileKey: string }>(recorded, 201) }
}

describe('creating a workspace', () => {
  it('answers 201 with the workspace, its admin and tokens that belong to it', async () => {
    const { workspace, user, session, admin } = await createWorkspace({ locationHint: 'weur' })
    expect(workspace).toMatchObject({ jurisdiction: null, locationHint: 'weur' })
    expect(workspace.slug).toMatch(/^ws-/)
    expect(user).toMatchObject({ email: admin.email, role: 'admin', active: true })
    expect(decodeJwt(session.accessToken)).toMatchObject({ ws: workspace.slug, sub: user.id })
    expect(decodeJwt(session.accessToken)).not.toHaveProperty('jur')

    const read = await call('GET', '/api/v1/workspace', { token: session.accessToken })
    expect(await expectStatus<WorkspaceWithCounts>(read, 200)).toEqual({
      ...workspace,
      counts: { users: 1, tickets: 0, projects: 0 },
    })
    // Its admin logs in by naming the workspace; without it, login goes to `default`.
    const again = await loginTo(workspace.slug, admin.email, admin.password)
    expect(again.user.id).toBe(user.id)
    const elsewhere = await call('POST', '/api/v1/auth/login', {
      body: { email: admin.email, password: admin.password },
    })
    await expectError(elsewhere, 401, 'E_AUTH_INVALID_CREDENTIALS')
  })

  it('refuses malformed slugs (422), default and taken slugs (409 E_WORKSPACE_EXISTS)', async () => {
    const admin = { name: 'A', email: uniqueEmail(), password: 'long-enough-password' }
    for (const slug of ['ab', '-abc', 'abc-', 'ABC', 'a_b_c', 'x'.repeat(41)]) {
      const res = await call('POST', '/api/v1/workspaces', { body: { slug, name: 'N', admin } })
      await expectError(res, 422, 'E_VALIDATION_ERROR')
    }
    const reserved = await call('POST', '/api/v1/workspaces', { body: { slug: 'default', name: 'N', admin } })
    await expectError(reserved, 409, 'E_WORKSPACE_EXISTS')
    const { workspace } = await createWorkspace()
    const taken = await call('POST', '/api/v1/workspaces', { body: { slug: workspace.slug, name: 'N', admin } })
    await expectError(taken, 409, 'E_WORKSPACE_EXISTS')
    const badPlacement = await call('POST', '/api/v1/workspaces', {
      body: { slug: uniqueSlug(), name: 'N', admin, jurisdiction: 'mars' },
    })
    await expectError(badPlacement, 422, 'E_VALIDATION_ERROR')
  })

  it('gives one 201 and one 409 to two concurrent creations of one slug', async () => {
    const slug = uniqueSlug('race')
    const body = (n: number) => ({
      slug,
      name: `Race ${n}`,
      admin: { name: 'A', email: uniqueEmail(), password: 'long-enough-password' },
    })
    const answers = await Promise.all([1, 2].map((n) => call('POST', '/api/v1/workspaces', { body: body(n) })))
    expect(answers.map((res) => res.status).sort()).toEqual([201, 409])
    await Promise.all(answers.map((res) => res.arrayBuffer()))
  })

  it('recovers a slug whose creation failed halfway: no half-made workspace, and the slug is usable', async () => {
    const slug = uniqueSlug('crash')
    const placement = { jurisdiction: null, locationHint: null }
    // An attempt that reserved the slug, initialised the object, and died before confirming.
    const stale = await directory().reserve(slug, placement, Date.now() - 120_000)
    expect(stale.ok).toBe(true)
    const reservation = stale.ok ? stale.value.reservation : 0
    const ghost = { name: 'Ghost', email: uniqueEmail('ghost'), passwordHash: 'not-a-real-hash' }
    const session = { id: crypto.randomUUID(), refreshJti: crypto.randomUUID(), expiresAt: '2999-01-01T00:00:00Z' }
    const initialised = await objectOf(slug).initializeWorkspace({
      name: 'Ghost',
      placement,
      reservation,
      admin: ghost,
      session,
    })
    expect(initialised.ok).toBe(true)
    // Unconfirmed: nobody can log in to it, and it cannot be registered into.
    await expectError(await register(slug), 404, 'E_WORKSPACE_NOT_FOUND')

    // The reservation has lapsed: a new creation takes the slug over and replaces what was left.
    const admin = { name: 'Real', email: uniqueEmail('real'), password: 'long-enough-password' }
    const res = await call('POST', '/api/v1/workspaces', { body: { slug, name: 'Real', admin } })
    const created = await expectStatus<CreatedWorkspace>(res, 201)
    const read = await call('GET', '/api/v1/workspace', { token: created.accessToken })
    expect(await expectStatus<WorkspaceWithCounts>(read, 200)).toMatchObject({ name: 'Real', counts: { users: 1 } })
    const ghostLogin = await call('POST', '/api/v1/auth/login', {
      body: { email: ghost.email, password: 'whatever', workspace: slug },
    })
    await expectError(ghostLogin, 401, 'E_AUTH_INVALID_CREDENTIALS')
  })

  it('holds a slug while its creation is in progress, and gives a released one back at once', async () => {
    const slug = uniqueSlug('held')
    const placement = { jurisdiction: null, locationHint: null }
    const held = await directory().reserve(slug, placement)
    const admin = { name: 'A', email: uniqueEmail(), password: 'long-enough-password' }
    await expectError(
      await call('POST', '/api/v1/workspaces', { body: { slug, name: 'N', admin } }),
      409,
      'E_WORKSPACE_EXISTS',
    )
    expect(held.ok && (await directory().release(slug, held.value.reservation)).ok).toBe(true)
    await expectStatus(await call('POST', '/api/v1/workspaces', { body: { slug, name: 'N', admin } }), 201)
  })

  it('with WORKSPACE_SIGNUP=closed, is for admins of default only', async () => {
    const closed = (token?: string) =>
      callWithEnv(
        { WORKSPACE_SIGNUP: 'closed' },
        new Request(`${ORIGIN}/api/v1/workspaces`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'CF-Connecting-IP': `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
            ...(token ? { Authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify({
            slug: uniqueSlug('closed'),
            name: 'Closed',
            admin: { name: 'A', email: uniqueEmail(), password: 'long-enough-password' },
          }),
        }),
      )
    await expectError(await closed(), 401, 'E_AUTH_TOKEN_INVALID')
    await expectError(await closed((await userWithRole('manager')).accessToken), 403, 'E_AUTH_INSUFFICIENT_PERMISSIONS')
    const otherAdmin = (await createWorkspace()).session
    await expectError(await closed(otherAdmin.accessToken), 403, 'E_AUTH_INSUFFICIENT_PERMISSIONS')
    await expectStatus(await closed((await asAdmin()).accessToken), 201)
  })
})

describe('routing and isolation', () => {
  let a: Awaited<ReturnType<typeof createWorkspace>>
  let b: Awaited<ReturnType<typeof createWorkspace>>
  beforeAll(async () => {
    ;[a, b] = await Promise.all([createWorkspace(), createWorkspace()])
  })

  it('numbers keys per workspace, and keeps every resource of A a 404 through a token of B', async () => {
    const ticketA = await createTicket(a.session)
    const ticketB = await createTicket(b.session)
    expect(ticketA.key).toBe('TSK-1001')
    expect(ticketB.key).toBe('TSK-1001')
    const project = await createProject(a.session)
    const rule = await createRule(a.session, {
      trigger: 'ticket_created',
      conditions: {},
      actions: { change_status: 'in_progress' },
    })
    const member = await expectStatus<User>(await register(a.workspace.slug), 201)
    const { attachment } = await uploadFile(a.session, ticketA.id)
    const comment = await expectStatus<{ id: string }>(
      await call('POST', `/api/v1/tickets/${ticketA.id}/comments`, {
        token: a.session.accessToken,
        body: { body: 'hi' },
      }),
      201,
    )

    const asB = (path: string) => call('GET', path, { token: b.session.accessToken })
    await expectError(await asB(`/api/v1/tickets/${ticketA.id}`), 404, 'E_TICKET_NOT_FOUND')
    await expectError(await asB(`/api/v1/tickets/${ticketA.id}/comments/${comment.id}`), 404, 'E_TICKET_NOT_FOUND')
    await expectError(await asB(`/api/v1/projects/${project.id}`), 404, 'E_PROJECT_NOT_FOUND')
    await expectError(await asB(`/api/v1/workflows/${rule.id}`), 404, 'E_WORKFLOW_RULE_NOT_FOUND')
    await expectError(await asB(`/api/v1/users/${member.id}`), 404, 'E_USER_NOT_FOUND')
    await expectError(await asB(`/api/v1/attachments/${attachment.id}`), 404, 'E_ATTACHMENT_NOT_FOUND')
    // B's own list holds its own ticket only; TSK-1001 by key is B's.
    const listed = await expectStatus<Ticket[]>(await asB('/api/v1/tickets'), 200)
    expect(listed.map((ticket) => ticket.id)).toEqual([ticketB.id])
    expect((await expectStatus<Ticket>(await asB('/api/v1/tickets/key/TSK-1001'), 200)).id).toBe(ticketB.id)
  })

  it('makes the same email two accounts in two workspaces', async () => {
    const email = uniqueEmail('twice')
    const inA = await expectStatus<User>(await register(a.workspace.slug, email), 201)
    const inB = await expectStatus<User>(await register(b.workspace.slug, email), 201)
    expect(inA.id).not.toBe(inB.id)
    const sessionA = await loginTo(a.workspace.slug, email, 'member-password')
    expect(sessionA.user.id).toBe(inA.id)
    await expectError(await register(a.workspace.slug, email), 409, 'E_USER_EMAIL_EXISTS')
    await expectError(await register('no-such-workspace', uniqueEmail()), 404, 'E_WORKSPACE_NOT_FOUND')
    const unknown = await call('POST', '/api/v1/auth/login', {
      body: { email, password: 'member-password', workspace: 'no-such-workspace' },
    })
    await expectError(unknown, 401, 'E_AUTH_INVALID_CREDENTIALS')
  })

  it('refreshes within the refresh token’s workspace', async () => {
    const res = await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: a.session.refreshToken } })
    const pair = await expectStatus<TokenPair>(res, 200)
    expect(decodeJwt(pair.accessToken)).toMatchObject({ ws: a.workspace.slug })
    const read = await call('GET', '/api/v1/workspace', { token: pair.accessToken })
    expect((await expectStatus<Workspace>(read, 200)).slug).toBe(a.workspace.slug)
    a.session = { ...a.session, ...pair }
  })

  it('never asks the directory on an ordinary request', async () => {
    const before = await directory().stats()
    const ticket = await createTicket(a.session)
    await expectStatus(await call('GET', `/api/v1/tickets/${ticket.id}`, { token: a.session.accessToken }), 200)
    await expectStatus(await call('GET', '/api/v1/workspace', { token: a.session.accessToken }), 200)
    await expectStatus(await call('GET', '/api/v1/tickets', { token: b.session.accessToken }), 200)
    expect(await directory().stats()).toEqual(before)
  })

  it('signs file URLs over their workspace: keys under its prefix, and a URL moved to another workspace is refused', async () => {
    const ticket = await createTicket(a.session)
    const { grant, attachment } = await uploadFile(a.session, ticket.id)
    expect(grant.fileKey).toMatch(new RegExp(`^workspaces/${a.workspace.slug}/tickets/${ticket.id}/[0-9a-f-]{36}$`))
    expect(new URL(grant.uploadUrl).searchParams.get('ws')).toBe(a.workspace.slug)
    expect(await env.ATTACHMENTS.head(attachment.fileKey)).not.toBeNull()

    const read = await call('GET', `/api/v1/attachments/${attachment.id}`, { token: a.session.accessToken })
    const { downloadUrl } = await expectStatus<{ downloadUrl: string }>(read, 200)
    const download = await exports.default.fetch(new Request(downloadUrl))
    expect(download.status).toBe(200)
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3, 4, 5]))
    const moved = new URL(downloadUrl)
    moved.searchParams.set('ws', b.workspace.slug)
    await expectError(await exports.default.fetch(new Request(moved)), 403, 'E_DOWNLOAD_URL_INVALID')
    const unnamed = new URL(downloadUrl)
    unnamed.searchParams.delete('ws')
    await expectError(await exports.default.fetch(new Request(unnamed)), 403, 'E_DOWNLOAD_URL_INVALID')
  })

  it('renames for admins only', async () => {
    const member = await loginTo(
      a.workspace.slug,
      (await expectStatus<User>(await register(a.workspace.slug), 201)).email,
      'member-password',
    )
    const refused = await call('PUT', '/api/v1/workspace', { token: member.accessToken, body: { name: 'Mine' } })
    await expectError(refused, 403, 'E_AUTH_INSUFFICIENT_PERMISSIONS')
    const renamed = await call('PUT', '/api/v1/workspace', { token: a.session.accessToken, body: { name: ' Acme ' } })
    expect(await expectStatus<Workspace>(renamed, 200)).toMatchObject({ slug: a.workspace.slug, name: 'Acme' })
    const blank = await call('PUT', '/api/v1/workspace', { token: a.session.accessToken, body: { name: ' ' } })
    await expectError(blank, 422, 'E_VALIDATION_ERROR')
  })

  it('shows default as the home workspace', async () => {
    const read = await call('GET', '/api/v1/workspace', { token: (await asAdmin()).accessToken })
    expect(await expectStatus<WorkspaceWithCounts>(read, 200)).toMatchObject({
      slug: 'default',
      jurisdiction: null,
      locationHint: null,
    })
  })
})

describe('a workspace in a jurisdiction', () => {
  it('carries jur in its tokens and keeps its files in the bucket bound to that jurisdiction', async () => {
    const eu = await createWorkspace({ jurisdiction: 'eu' })
    expect(eu.workspace.jurisdiction).toBe('eu')
    expect(decodeJwt(eu.accessToken)).toMatchObject({ ws: eu.workspace.slug, jur: 'eu' })
    const ticket = await createTicket(eu.session)
    const { grant, attachment } = await uploadFile(eu.session, ticket.id)
    expect(new URL(grant.uploadUrl).searchParams.get('jur')).toBe('eu')
    expect(await env.ATTACHMENTS_EU.head(attachment.fileKey)).not.toBeNull()
    expect(await env.ATTACHMENTS.head(attachment.fileKey)).toBeNull()
    // Logging in again finds it through the directory, with its jurisdiction.
    const again = await loginTo(eu.workspace.slug, eu.admin.email, eu.admin.password)
    expect(decodeJwt(again.accessToken)).toMatchObject({ jur: 'eu' })
    // A URL whose jurisdiction was removed no longer matches its signature.
    const read = await call('GET', `/api/v1/attachments/${attachment.id}`, { token: again.accessToken })
    const moved = new URL((await expectStatus<{ downloadUrl: string }>(read, 200)).downloadUrl)
    moved.searchParams.delete('jur')
    await expectError(await exports.default.fetch(new Request(moved)), 403, 'E_DOWNLOAD_URL_INVALID')
  })
})

const storedTables = (slug: string) =>
  runInDurableObject(objectOf(slug), (_instance: WorkspaceObject, state) =>
    state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'")
      .toArray()
      .map((row) => row.name),
  )

describe('deleting a workspace', () => {
  it('needs the slug as confirm, an admin, and never deletes default', async () => {
    const { workspace, session } = await createWorkspace()
    const wrong = await call('DELETE', '/api/v1/workspace', { token: session.accessToken, body: { confirm: 'nope' } })
    await expectError(wrong, 400, 'E_WORKSPACE_CONFIRMATION_MISMATCH')
    const member = await loginTo(
      workspace.slug,
      (await expectStatus<User>(await register(workspace.slug), 201)).email,
      'member-password',
    )
    const byMember = await call('DELETE', '/api/v1/workspace', {
      token: member.accessToken,
      body: { confirm: workspace.slug },
    })
    await expectError(byMember, 403, 'E_AUTH_INSUFFICIENT_PERMISSIONS')
    const home = await call('DELETE', '/api/v1/workspace', {
      token: (await asAdmin()).accessToken,
      body: { confirm: 'default' },
    })
    await expectError(home, 400, 'E_WORKSPACE_PROTECTED')
  })

  it('ends every token at once, keeps the slug, and erases rows, files and storage in resumable steps', async () => {
    const doomed = await createWorkspace()
    const slug = doomed.workspace.slug
    const member = await expectStatus<User>(await register(slug), 201)
    const memberSession = await loginTo(slug, member.email, 'member-password')
    const tickets: Ticket[] = []
    for (let i = 0; i < 12; i++) tickets.push(await createTicket(doomed.session, { title: `Doomed ${i}` }))
    const files = [
      await uploadFile(doomed.session, tickets[0]?.id ?? ''),
      await uploadFile(doomed.session, tickets[1]?.id ?? ''),
    ]
    const read = await call('GET', `/api/v1/attachments/${files[0]?.attachment.id}`, {
      token: doomed.session.accessToken,
    })
    const { downloadUrl } = await expectStatus<{ downloadUrl: string }>(read, 200)

    const res = await call('DELETE', '/api/v1/workspace', {
      token: doomed.session.accessToken,
      body: { confirm: slug },
    })
    await expectStatus(res, 202)

    // At once: every token is dead, nobody can log in or register, and signed URLs stop working.
    for (const token of [doomed.session.accessToken, memberSession.accessToken]) {
      await expectError(await call('GET', '/api/v1/tickets', { token }), 401, 'E_AUTH_TOKEN_INVALID')
    }
    const refreshed = await call('POST', '/api/v1/auth/refresh', { body: { refreshToken: memberSession.refreshToken } })
    await expectError(refreshed, 401, 'E_AUTH_TOKEN_INVALID')
    const relogin = await call('POST', '/api/v1/auth/login', {
      body: { email: doomed.admin.email, password: doomed.admin.password, workspace: slug },
    })
    await expectError(relogin, 401, 'E_AUTH_INVALID_CREDENTIALS')
    await expectError(await register(slug), 404, 'E_WORKSPACE_NOT_FOUND')
    await expectError(await exports.default.fetch(new Request(downloadUrl)), 404, 'E_ATTACHMENT_NOT_FOUND')

    // Then the object's alarm erases everything, step by step, down to an empty storage.
    await expect.poll(() => storedTables(slug), { timeout: 15_000, interval: 100 }).toEqual([])
    for (const { attachment } of files) expect(await env.ATTACHMENTS.head(attachment.fileKey)).toBeNull()
    const listed = await env.ATTACHMENTS.list({ prefix: `workspaces/${slug}/` })
    expect(listed.objects).toEqual([])

    // The slug stays taken, and the directory says the workspace is gone.
    const again = await call('POST', '/api/v1/workspaces', {
      body: { slug, name: 'Again', admin: { name: 'A', email: uniqueEmail(), password: 'long-enough-password' } },
    })
    await expectError(again, 409, 'E_WORKSPACE_EXISTS')
    expect(await directory().lookup(slug)).toBeNull()
    // A token issued before the deletion still finds nothing.
    await expectError(
      await call('GET', '/api/v1/workspace', { token: doomed.session.accessToken }),
      401,
      'E_AUTH_TOKEN_INVALID',
    )
  })
})

describe('the erasure steps', () => {
  it('erase rows a bounded batch at a time, every table, and keep meta for last', async () => {
    const remaining = await runInDurableObject(
      objectOf(`erase-${crypto.randomUUID()}`),
      (_instance: WorkspaceObject, state) => {
        migrate(state.storage)
        const sql = state.storage.sql
        const now = new Date().toISOString()
        for (let i = 0; i < 7; i++) {
          sql.exec(
            `INSERT INTO users (id, name, email, role, password_hash, created_at, updated_at)
             VALUES (?, 'U', ?, 'user', 'h', ?, ?)`,
            crypto.randomUUID(),
            `u${i}@example.com`,
            now,
            now,
          )
          sql.exec('INSERT INTO tickets_fts (rowid, title, description) VALUES (?, ?, ?)', i + 1, 'printer', 'fire')
        }
        sql.exec("INSERT INTO meta (key, value) VALUES ('deleting_since', ?)", now)
        const count = (table: string) => Number(sql.exec(`SELECT count(*) AS n FROM ${table}`).one().n)
        const steps: number[][] = []
        // Batches of 3 rows, one batch per step: 7 users and 7 search rows take 3 + 3 steps.
        while (eraseRows(state.storage, 1, 3)) steps.push([count('users'), count('tickets_fts')])
        return { steps, meta: count('meta'), users: count('users'), search: count('tickets_fts') }
      },
    )
    expect(remaining.steps.length).toBeGreaterThanOrEqual(5)
    expect(remaining).toMatchObject({ meta: 1, users: 0, search: 0 })
  })

  it('erase files a listing page at a time, under the prefix only', async () => {
    const prefix = `workspaces/erase-${crypto.randomUUID().slice(0, 8)}/`
    for (let i = 0; i < 5; i++) await env.ATTACHMENTS.put(`${prefix}tickets/t/${i}`, 'x')
    await env.ATTACHMENTS.put(`${prefix.slice(0, -1)}-neighbour/tickets/t/0`, 'kept')
    expect(await eraseFiles(env.ATTACHMENTS, prefix, 1, 2)).toBe(true)
    expect((await env.ATTACHMENTS.list({ prefix })).objects).toHaveLength(3)
    while (await eraseFiles(env.ATTACHMENTS, prefix, 1, 2)) {}
    expect((await env.ATTACHMENTS.list({ prefix })).objects).toEqual([])
    expect(await env.ATTACHMENTS.head(`${prefix.slice(0, -1)}-neighbour/tickets/t/0`)).not.toBeNull()
    await expect(eraseFiles(env.ATTACHMENTS, '')).rejects.toThrow(/without a prefix/)
  })
})
