/**
 * Workspaces over real HTTP against wrangler dev: two workspaces (one in the `eu` jurisdiction, which
 * wrangler dev simulates), keys numbered per workspace, isolation, a member who logs in by naming
 * the workspace, renaming, a file through the signed-URL flow in the eu workspace, and deletion: every
 * token, refresh token, signed URL and live socket of the deleted workspace stops, its slug stays
 * taken, and the other workspace and `default` go on working.
 */
import { randomBytes } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import type { Duplex } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { components } from '../../examples/api-types'
import { baseUrl, checkedFetch, expectError, json, login, request, type Session, uniqueEmail } from './client'

type CreatedWorkspace = components['schemas']['CreatedWorkspace']
type Workspace = components['schemas']['Workspace']
type WorkspaceWithCounts = components['schemas']['WorkspaceWithCounts']
type Ticket = components['schemas']['Ticket']
type User = components['schemas']['User']
type PresignedUrl = components['schemas']['PresignedUrl']

const uniqueSlug = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`

/** The payload of a JWT, read as any client could: no signature check, no dependency. */
function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1]
  if (!payload) throw new Error('not a JWT')
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>
}

async function createWorkspace(slug: string, extra: { jurisdiction?: 'eu' } = {}) {
  const admin = { name: 'Owner', email: uniqueEmail('owner'), password: 'owner-password' }
  const res = await request('POST', '/api/v1/workspaces', { body: { slug, name: `Team ${slug}`, admin, ...extra } })
  expect(res.headers.get('Location')).toBe('/api/v1/workspace')
  const created = await json<CreatedWorkspace>(res, 201)
  return { ...created, admin }
}

function loginTo(workspace: string, email: string, password: string) {
  return request('POST', '/api/v1/auth/login', { body: { email, password, workspace } })
}

async function createTicket(token: string, title: string) {
  return json<Ticket>(await request('POST', '/api/v1/tickets', { token, body: { title, description: '' } }), 201)
}

/** Upload through the presigned flow, record the attachment, and return its signed download URL. */
async function attach(token: string, ticketId: string, bytes: Uint8Array<ArrayBuffer>) {
  const file = { ticketId, filename: 'notes.txt', contentType: 'text/plain', size: bytes.byteLength }
  const grant = await json<PresignedUrl>(
    await request('POST', '/api/v1/attachments/presigned-url', { token, body: file }),
    200,
  )
  const uploaded = await checkedFetch(grant.uploadUrl, { method: grant.method, body: bytes, headers: grant.headers })
  expect(uploaded.status, await uploaded.clone().text()).toBe(200)
  const recorded = await json<{ id: string }>(
    await request('POST', '/api/v1/attachments', { token, body: { ...file, fileKey: grant.fileKey } }),
    201,
  )
  const { downloadUrl } = await json<{ downloadUrl: string }>(
    await request('GET', `/api/v1/attachments/${recorded.id}`, { token }),
    200,
  )
  return { grant, downloadUrl }
}

async function download(url: string) {
  const res = await checkedFetch(url)
  return { status: res.status, bytes: new Uint8Array(await res.arrayBuffer()) }
}

/**
 * A live-updates socket (`GET /api/v1/events`) over a raw upgrade, reading the server's frames as
 * they arrive. (The WHATWG WebSocket reports a close only once the TCP connection is gone, which
 * wrangler dev does not do until some 10–20 s after the closing handshake.)
 */
function openEvents(token: string) {
  const seen = { status: 0, error: null as string | null, messages: [] as string[], closeCode: null as number | null }
  let pending = Buffer.alloc(0)
  let upgraded: Duplex | undefined
  const req = httpRequest(`${baseUrl()}/api/v1/events?access_token=${encodeURIComponent(token)}`, {
    headers: {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    },
  })
  req.on('response', (res) => {
    seen.status = res.statusCode ?? 0
    res.resume()
  })
  req.on('upgrade', (res, socket, head) => {
    seen.status = res.statusCode ?? 0
    upgraded = socket
    // Server frames are unmasked; ours are small: FIN + opcode, a 7- or 16-bit length, the payload.
    const read = (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk])
      while (pending.length >= 2) {
        const short = pending.readUInt8(1) & 0x7f
        if (short === 127) throw new Error('unexpectedly large frame')
        const header = short === 126 ? 4 : 2
        const length = short === 126 && pending.length >= 4 ? pending.readUInt16BE(2) : short
        if (pending.length < header + length) break
        const opcode = pending.readUInt8(0) & 0x0f
        const payload = pending.subarray(header, header + length)
        if (opcode === 0x1) seen.messages.push(payload.toString('utf8'))
        if (opcode === 0x8) seen.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005
        pending = pending.subarray(header + length)
      }
    }
    // Frames that came in the same packet as the 101 arrive as `head`.
    read(head)
    socket.on('data', read)
  })
  req.on('error', (error) => {
    seen.error ??= error.message
  })
  req.end()
  const close = () => {
    upgraded?.destroy()
    req.destroy()
  }
  return { seen, close }
}

describe('workspaces over real HTTP against wrangler dev', () => {
  const slugA = uniqueSlug('e2e-a')
  const slugB = uniqueSlug('e2e-eu')
  let a: Awaited<ReturnType<typeof createWorkspace>>
  let b: Awaited<ReturnType<typeof createWorkspace>>
  let ticketA: Ticket
  let ticketB: Ticket
  let member: { email: string; password: string; session: Session }
  let fileA: { downloadUrl: string }
  let fileB: { downloadUrl: string; bytes: Uint8Array }
  let events: ReturnType<typeof openEvents> | undefined

  beforeAll(async () => {
    a = await createWorkspace(slugA)
    b = await createWorkspace(slugB, { jurisdiction: 'eu' })
  })

  afterAll(() => {
    events?.close()
  })

  it('creates two workspaces whose tokens name them, one in the eu jurisdiction', async () => {
    expect(a.workspace).toMatchObject({ slug: slugA, name: `Team ${slugA}`, jurisdiction: null, locationHint: null })
    expect(a.user).toMatchObject({ email: a.admin.email, role: 'admin', active: true })
    expect(a.tokenType).toBe('Bearer')
    expect(claimsOf(a.accessToken)).toMatchObject({ ws: slugA, sub: a.user.id })
    expect(claimsOf(a.accessToken)).not.toHaveProperty('jur')

    expect(b.workspace).toMatchObject({ slug: slugB, jurisdiction: 'eu' })
    expect(claimsOf(b.accessToken)).toMatchObject({ ws: slugB, jur: 'eu', sub: b.user.id })
    expect(claimsOf(b.refreshToken)).toMatchObject({ ws: slugB, jur: 'eu' })

    const readB = await json<WorkspaceWithCounts>(
      await request('GET', '/api/v1/workspace', { token: b.accessToken }),
      200,
    )
    expect(readB).toEqual({ ...b.workspace, counts: { users: 1, tickets: 0, projects: 0 } })
    // Taken slugs, `default` included, are refused.
    for (const slug of [slugA, 'default']) {
      const admin = { name: 'Other', email: uniqueEmail('other'), password: 'other-password' }
      await expectError(
        await request('POST', '/api/v1/workspaces', { body: { slug, name: 'Other', admin } }),
        409,
        'E_WORKSPACE_EXISTS',
      )
    }
  })

  it('numbers ticket keys per workspace and keeps A’s ticket a 404 through B’s token', async () => {
    ticketA = await createTicket(a.accessToken, 'Printer in A')
    ticketB = await createTicket(b.accessToken, 'Printer in B')
    expect(ticketA.key).toBe('TSK-1001')
    expect(ticketB.key).toBe('TSK-1001')
    expect(ticketA.id).not.toBe(ticketB.id)

    await expectError(
      await request('GET', `/api/v1/tickets/${ticketA.id}`, { token: b.accessToken }),
      404,
      'E_TICKET_NOT_FOUND',
    )
    const defaultAdmin = await login('admin@company.com', 'password')
    await expectError(
      await request('GET', `/api/v1/tickets/${ticketA.id}`, { token: defaultAdmin.accessToken }),
      404,
      'E_TICKET_NOT_FOUND',
    )
    const byKeyInB = await json<Ticket>(
      await request('GET', '/api/v1/tickets/key/TSK-1001', { token: b.accessToken }),
      200,
    )
    expect(byKeyInB.id).toBe(ticketB.id)
    const listedInB = await json<Ticket[]>(await request('GET', '/api/v1/tickets', { token: b.accessToken }), 200)
    expect(listedInB.map((ticket) => ticket.id)).toEqual([ticketB.id])
  })

  it('registers a member in A, who logs in by naming A (and not without it)', async () => {
    const email = uniqueEmail('member')
    const password = 'member-password'
    const registered = await json<User>(
      await request('POST', '/api/v1/auth/register', {
        body: { name: 'Member', email, password, workspace: slugA },
      }),
      201,
    )
    expect(registered).toMatchObject({ email, role: 'user' })
    const session = await json<Session>(await loginTo(slugA, email, password), 200)
    expect(session.user.id).toBe(registered.id)
    expect(claimsOf(session.accessToken)).toMatchObject({ ws: slugA, sub: registered.id })
    member = { email, password, session }
    // Without `workspace`, login goes to `default`, where this account does not exist.
    await expectError(
      await request('POST', '/api/v1/auth/login', { body: { email, password } }),
      401,
      'E_AUTH_INVALID_CREDENTIALS',
    )

    const read = await json<WorkspaceWithCounts>(
      await request('GET', '/api/v1/workspace', { token: session.accessToken }),
      200,
    )
    expect(read).toMatchObject({ slug: slugA, counts: { users: 2, tickets: 1, projects: 0 } })
  })

  it('renames A (admins only)', async () => {
    await expectError(
      await request('PUT', '/api/v1/workspace', { token: member.session.accessToken, body: { name: 'Mine' } }),
      403,
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
    )
    const renamed = await json<Workspace>(
      await request('PUT', '/api/v1/workspace', { token: a.accessToken, body: { name: 'Acme Support' } }),
      200,
    )
    expect(renamed).toMatchObject({ slug: slugA, name: 'Acme Support' })
    const read = await json<WorkspaceWithCounts>(
      await request('GET', '/api/v1/workspace', { token: member.session.accessToken }),
      200,
    )
    expect(read.name).toBe('Acme Support')
  })

  it('uploads and downloads a file in the eu workspace through the signed-URL flow', async () => {
    const bytes = new TextEncoder().encode('kept in the eu\n')
    const { grant, downloadUrl } = await attach(b.accessToken, ticketB.id, bytes)
    expect(grant.uploadUrl.startsWith(baseUrl())).toBe(true)
    expect(grant.fileKey.startsWith(`workspaces/${slugB}/tickets/${ticketB.id}/`)).toBe(true)
    const upload = new URL(grant.uploadUrl)
    expect(upload.searchParams.get('ws')).toBe(slugB)
    expect(upload.searchParams.get('jur')).toBe('eu')
    expect(new URL(downloadUrl).searchParams.get('jur')).toBe('eu')
    expect(await download(downloadUrl)).toEqual({ status: 200, bytes })
    fileB = { downloadUrl, bytes }

    // A file in A too, to see its signed URL stop when A is deleted.
    fileA = await attach(a.accessToken, ticketA.id, new TextEncoder().encode('doomed\n'))
    expect((await download(fileA.downloadUrl)).status).toBe(200)
  })

  it('deletes A: its tokens, sessions, signed URLs and sockets stop, its slug stays taken', async () => {
    events = openEvents(member.session.accessToken)
    const { seen } = events
    const opened = () => ({
      status: seen.status,
      error: seen.error,
      types: seen.messages.map((message) => (JSON.parse(message) as { type: string }).type),
    })
    await expect.poll(opened, { timeout: 5_000 }).toEqual({ status: 101, error: null, types: ['ready'] })

    await expectError(
      await request('DELETE', '/api/v1/workspace', { token: a.accessToken, body: { confirm: slugB } }),
      400,
      'E_WORKSPACE_CONFIRMATION_MISMATCH',
    )
    await expectError(
      await request('DELETE', '/api/v1/workspace', { token: member.session.accessToken, body: { confirm: slugA } }),
      403,
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
    )
    const deleted = await request('DELETE', '/api/v1/workspace', { token: a.accessToken, body: { confirm: slugA } })
    expect(deleted.status, await deleted.clone().text()).toBe(202)
    await deleted.body?.cancel()

    // The member's open socket is closed by the server: 4001, session ended.
    await expect.poll(() => seen.closeCode, { timeout: 5_000 }).toBe(4001)

    // At once: every token of A is refused.
    for (const token of [a.accessToken, member.session.accessToken]) {
      await expectError(await request('GET', '/api/v1/workspace', { token }), 401, 'E_AUTH_TOKEN_INVALID')
      await expectError(await request('GET', `/api/v1/tickets/${ticketA.id}`, { token }), 401, 'E_AUTH_TOKEN_INVALID')
    }
    await expectError(
      await request('POST', '/api/v1/auth/refresh', { body: { refreshToken: member.session.refreshToken } }),
      401,
      'E_AUTH_TOKEN_INVALID',
    )
    await expectError(await loginTo(slugA, a.admin.email, a.admin.password), 401, 'E_AUTH_INVALID_CREDENTIALS')
    await expectError(await loginTo(slugA, member.email, member.password), 401, 'E_AUTH_INVALID_CREDENTIALS')
    await expectError(
      await request('POST', '/api/v1/auth/register', {
        body: { name: 'Late', email: uniqueEmail('late'), password: 'late-password', workspace: slugA },
      }),
      404,
      'E_WORKSPACE_NOT_FOUND',
    )
    const staleDownload = await checkedFetch(fileA.downloadUrl)
    await expectError(staleDownload, 404, 'E_ATTACHMENT_NOT_FOUND')

    // The slug is never given out again.
    const again = await request('POST', '/api/v1/workspaces', {
      body: {
        slug: slugA,
        name: 'Again',
        admin: { name: 'Again', email: uniqueEmail('again'), password: 'again-password' },
      },
    })
    await expectError(again, 409, 'E_WORKSPACE_EXISTS')
  })

  it('leaves B and default working after A is gone', async () => {
    const readB = await json<Ticket>(
      await request('GET', `/api/v1/tickets/${ticketB.id}`, { token: b.accessToken }),
      200,
    )
    expect(readB).toMatchObject({ id: ticketB.id, key: 'TSK-1001' })
    expect(await download(fileB.downloadUrl)).toEqual({ status: 200, bytes: fileB.bytes })
    const relogged = await json<Session>(await loginTo(slugB, b.admin.email, b.admin.password), 200)
    expect(claimsOf(relogged.accessToken)).toMatchObject({ ws: slugB, jur: 'eu' })
    const workspaceB = await json<WorkspaceWithCounts>(
      await request('GET', '/api/v1/workspace', { token: relogged.accessToken }),
      200,
    )
    expect(workspaceB).toMatchObject({ slug: slugB, jurisdiction: 'eu', counts: { users: 1, tickets: 1 } })

    const home = await login('admin@company.com', 'password')
    expect(claimsOf(home.accessToken)).toMatchObject({ ws: 'default' })
    const workspaceDefault = await json<WorkspaceWithCounts>(
      await request('GET', '/api/v1/workspace', { token: home.accessToken }),
      200,
    )
    expect(workspaceDefault).toMatchObject({ slug: 'default', jurisdiction: null })
    await json(await request('GET', '/api/v1/tickets', { token: home.accessToken }), 200)
  })
})
