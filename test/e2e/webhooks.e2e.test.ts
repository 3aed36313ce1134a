/**
 * Webhooks over real HTTP against wrangler dev: a real receiver on 127.0.0.1 (node:http) gets every
 * delivery through the alarm, the queue and the Worker's outbound fetch, and checks each one with the
 * Standard Webhooks reference library (`standardwebhooks`) against its endpoint's secrets. Proven
 * here: the payload and the delivery log, filtering by event type and by project, no event for a
 * refused change, the retry with the same `webhook-id` after a 500, redelivery on demand, rotation
 * (both secrets verify during the overlap, the new one alone does not verify what came before) and
 * per-workspace isolation. Every workspace is fresh, so nothing else in the suite delivers here.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { components } from '../../examples/api-types'
import { expectError, json, request, uniqueEmail } from './client'

type CreatedWorkspace = components['schemas']['CreatedWorkspace']
type CreatedWebhook = components['schemas']['CreatedWebhook']
type WebhookEndpoint = components['schemas']['Webhook']
type Delivery = components['schemas']['WebhookDelivery']
type Ticket = components['schemas']['Ticket']
type Project = components['schemas']['Project']

interface Payload {
  type: string
  timestamp: string
  workspace: string
  data: {
    ticket?: Ticket
    changes?: Record<string, { from: unknown; to: unknown }>
    comment?: { body: string }
    actor: { id: string; name: string } | null
    rule: string | null
  }
}

/** One POST the receiver got, and what checking it with each of its endpoint's secrets gave. */
interface Received {
  path: string
  headers: Record<string, string>
  body: string
  json: Payload
  /** One entry per secret the endpoint had when this arrived: null when it verified, else the error. */
  verification: (string | null)[]
}

const WAIT = { timeout: 20_000, interval: 150 }
/** A retry comes 5 s after the failed attempt, then goes through the alarm and the queue. */
const RETRY_WAIT = { timeout: 30_000, interval: 250 }

const received: Received[] = []
/** The secrets each receiver path verifies with (both during a rotation's overlap). */
const secrets = new Map<string, string[]>()
/** Statuses each path answers with, in turn; 200 when none is queued. */
const answers = new Map<string, number[]>()
let server: Server
let receiverUrl: string

const flatHeaders = (headers: IncomingHttpHeaders) =>
  Object.fromEntries(
    Object.entries(headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]],
    ),
  ) as Record<string, string>

function verifyWith(secret: string, body: string, headers: Record<string, string>) {
  try {
    new Webhook(secret).verify(body, headers)
    return null
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}

const at = (path: string) => received.filter((r) => r.path === path)
const uniqueSlug = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`

async function createWorkspace(slug: string) {
  const admin = { name: 'Hook Owner', email: uniqueEmail('hooks'), password: 'owner-password' }
  const res = await request('POST', '/api/v1/workspaces', { body: { slug, name: `Team ${slug}`, admin } })
  return json<CreatedWorkspace>(res, 201)
}

/** An endpoint at a fresh path of the receiver, whose secret the receiver then verifies with. */
async function createHook(token: string, body: Record<string, unknown>) {
  const path = `/hook/${crypto.randomUUID()}`
  const res = await request('POST', '/api/v1/webhooks', {
    token,
    body: { url: `${receiverUrl}${path}`, events: ['*'], ...body },
  })
  expect(res.headers.get('Location')).toMatch(/^\/api\/v1\/webhooks\/[0-9a-f-]{36}$/)
  const created = await json<CreatedWebhook>(res, 201)
  expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/)
  secrets.set(path, [created.secret])
  return { ...created, path }
}

async function deliveriesOf(token: string, webhookId: string) {
  return json<Delivery[]>(await request('GET', `/api/v1/webhooks/${webhookId}/deliveries`, { token }), 200)
}

async function createTicket(token: string, body: Record<string, unknown> = {}) {
  const res = await request('POST', '/api/v1/tickets', { token, body: { title: 'Hooked', description: '', ...body } })
  return json<Ticket>(res, 201)
}

async function updateTicket(token: string, id: string, body: Record<string, unknown>) {
  return json<Ticket>(await request('PUT', `/api/v1/tickets/${id}`, { token, body }), 200)
}

/** Every delivery the log lists is delivered, and the receiver got exactly one POST per delivery. */
async function settled(token: string, hook: { id: string; path: string }) {
  const log = await deliveriesOf(token, hook.id)
  return {
    statuses: [...new Set(log.map((d) => d.status))],
    logged: log.length,
    received: at(hook.path).length,
  }
}

const sortedTypes = (list: Received[]) => list.map((r) => `${r.json.type} ${r.json.data.ticket?.title ?? '-'}`).sort()

describe('webhooks over real HTTP against wrangler dev, to a receiver on 127.0.0.1', () => {
  let a: CreatedWorkspace
  let b: CreatedWorkspace

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        const path = req.url ?? '/'
        const body = Buffer.concat(chunks).toString('utf8')
        const headers = flatHeaders(req.headers)
        const verification = (secrets.get(path) ?? ['whsec_bm8gc2VjcmV0']).map((s) => verifyWith(s, body, headers))
        let parsed: Payload
        try {
          parsed = JSON.parse(body) as Payload
        } catch {
          parsed = { type: 'unparseable', timestamp: '', workspace: '', data: { actor: null, rule: null } }
        }
        received.push({ path, headers, body, json: parsed, verification })
        const status = req.method !== 'POST' ? 405 : (answers.get(path)?.shift() ?? 200)
        res.writeHead(status, { 'content-type': 'text/plain' })
        res.end(status === 200 ? 'ok' : 'receiver says no')
      })
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
    receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    a = await createWorkspace(uniqueSlug('hooks-a'))
    b = await createWorkspace(uniqueSlug('hooks-b'))
    expect(a.user.role).toBe('admin')
    expect(b.user.role).toBe('admin')
  })

  afterAll(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    // Every delivery that reached the receiver, in every test, verified with every secret its endpoint had.
    const unverified = received.filter((r) => r.verification.some((error) => error !== null))
    expect(unverified.map((r) => ({ path: r.path, type: r.json.type, errors: r.verification }))).toEqual([])
  })

  it('is for admins, and refuses URLs that are not allowed even in development', async () => {
    const member = { name: 'Member', email: uniqueEmail('member'), password: 'member-password' }
    await json(
      await request('POST', '/api/v1/auth/register', { body: { ...member, workspace: a.workspace.slug } }),
      201,
    )
    const session = await json<{ accessToken: string }>(
      await request('POST', '/api/v1/auth/login', {
        body: { email: member.email, password: member.password, workspace: a.workspace.slug },
      }),
      200,
    )
    const body = { url: `${receiverUrl}/hook/never`, events: ['*'] }
    await expectError(
      await request('POST', '/api/v1/webhooks', { token: session.accessToken, body }),
      403,
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
    )
    for (const url of ['http://example.com/hook', `http://user:pw@127.0.0.1:1/hook`, `${receiverUrl}/hook#frag`]) {
      await expectError(
        await request('POST', '/api/v1/webhooks', { token: a.accessToken, body: { ...body, url } }),
        400,
        'E_WEBHOOK_URL_NOT_ALLOWED',
      )
    }
  })

  it('delivers a signed ticket.created with the ticket, the actor and the workspace, and logs it', async () => {
    const hook = await createHook(a.accessToken, { events: ['ticket.created'], description: 'first' })
    expect(hook).toMatchObject({ events: ['ticket.created'], active: true, projectId: null, description: 'first' })
    const read = await json<WebhookEndpoint>(
      await request('GET', `/api/v1/webhooks/${hook.id}`, { token: a.accessToken }),
      200,
    )
    expect(read).not.toHaveProperty('secret')

    const ticket = await createTicket(a.accessToken, { title: 'First hooked' })
    await expect.poll(() => at(hook.path).length, WAIT).toBe(1)
    const [delivery] = at(hook.path)
    if (!delivery) throw new Error('no delivery')
    expect(delivery.verification).toEqual([null])
    expect(delivery.headers['content-type']).toMatch(/^application\/json/)
    expect(delivery.headers['webhook-id']).toMatch(/^msg_/)
    expect(delivery.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/)
    const sentAt = Number(delivery.headers['webhook-timestamp'])
    expect(Math.abs(sentAt - Date.now() / 1000)).toBeLessThan(60)
    const payload = new Webhook(hook.secret).verify(delivery.body, delivery.headers) as Payload
    expect(payload).toMatchObject({
      type: 'ticket.created',
      workspace: a.workspace.slug,
      data: { ticket: { id: ticket.id, version: 1, title: 'First hooked' }, actor: { id: a.user.id }, rule: null },
    })
    // Tampering is caught by the same library.
    expect(() => new Webhook(hook.secret).verify(delivery.body.replace('First', 'Fake'), delivery.headers)).toThrow()

    await expect
      .poll(
        async () => (await deliveriesOf(a.accessToken, hook.id)).map((d) => [d.eventType, d.status, d.attempts]),
        WAIT,
      )
      .toEqual([['ticket.created', 'delivered', 1]])
    const [logged] = await deliveriesOf(a.accessToken, hook.id)
    expect(logged).toMatchObject({ webhookMessageId: delivery.headers['webhook-id'], responseStatus: 200, error: null })
  })

  it('filters by event type and by project, and raises nothing for a refused change', async () => {
    const project = await json<Project>(
      await request('POST', '/api/v1/projects', {
        token: a.accessToken,
        body: { key: `H${crypto.randomUUID().replaceAll('-', '').slice(0, 5).toUpperCase()}`, name: 'Hooked project' },
      }),
      201,
    )
    const statusInProject = await createHook(a.accessToken, {
      events: ['ticket.status_changed'],
      projectId: project.id,
    })
    const allInProject = await createHook(a.accessToken, { events: ['*'], projectId: project.id })
    const createdAnywhere = await createHook(a.accessToken, { events: ['ticket.created'] })
    const inactive = await createHook(a.accessToken, { events: ['*'], active: false })

    const elsewhere = await createTicket(a.accessToken, { title: 'Elsewhere' })
    const mine = await createTicket(a.accessToken, { title: 'Mine', projectId: project.id })
    await updateTicket(a.accessToken, elsewhere.id, { status: 'in_progress' })
    await updateTicket(a.accessToken, mine.id, { title: 'Mine, renamed' })
    await updateTicket(a.accessToken, mine.id, { status: 'in_progress' })
    // Refused changes: open → blocked is not a transition, and a stale If-Match is a conflict. Their
    // transactions never committed, so neither raised an event.
    const other = await createTicket(a.accessToken, { title: 'Refused', projectId: project.id })
    await expectError(
      await request('PUT', `/api/v1/tickets/${other.id}`, { token: a.accessToken, body: { status: 'blocked' } }),
      400,
      'E_TICKET_INVALID_STATUS_TRANSITION',
    )
    const stale = await request('PUT', `/api/v1/tickets/${mine.id}`, {
      token: a.accessToken,
      headers: { 'If-Match': '"1"' },
      body: { title: 'Stale' },
    })
    expect(stale.status, await stale.clone().text()).toBe(412)
    await stale.body?.cancel()

    // The log holds what was raised (events are written in their change's transaction); wait until
    // all of it reached the receiver.
    for (const hook of [statusInProject, allInProject, createdAnywhere]) {
      await expect
        .poll(() => settled(a.accessToken, hook), WAIT)
        .toEqual({ statuses: ['delivered'], logged: expect.any(Number), received: expect.any(Number) })
      const { logged, received: got } = await settled(a.accessToken, hook)
      expect(got).toBe(logged)
    }
    expect(at(statusInProject.path).map((r) => [r.json.type, r.json.data.ticket?.id])).toEqual([
      ['ticket.status_changed', mine.id],
    ])
    expect(at(statusInProject.path)[0]?.json.data).toMatchObject({
      changes: { status: { from: 'open', to: 'in_progress' } },
      ticket: { status: 'in_progress', version: 3 },
    })
    expect(sortedTypes(at(allInProject.path))).toEqual([
      'ticket.created Mine',
      'ticket.created Refused',
      'ticket.status_changed Mine, renamed',
      'ticket.updated Mine, renamed',
      'ticket.updated Mine, renamed',
    ])
    expect(sortedTypes(at(createdAnywhere.path))).toEqual([
      'ticket.created Elsewhere',
      'ticket.created Mine',
      'ticket.created Refused',
    ])
    expect(await deliveriesOf(a.accessToken, inactive.id)).toEqual([])
    expect(at(inactive.path)).toEqual([])
  })

  it('retries a 500 after about 5 s with the same webhook-id, and redelivers on demand', async () => {
    const hook = await createHook(a.accessToken, { events: ['comment.created'] })
    answers.set(hook.path, [500])
    const ticket = await createTicket(a.accessToken, { title: 'Commented' })
    const comment = await request('POST', `/api/v1/tickets/${ticket.id}/comments`, {
      token: a.accessToken,
      body: { body: 'hello, receiver' },
    })
    await json(comment, 201)

    await expect.poll(() => at(hook.path).length, WAIT).toBe(1)
    await expect.poll(async () => (await deliveriesOf(a.accessToken, hook.id))[0]?.status, WAIT).toBe('retrying')
    const [first] = await deliveriesOf(a.accessToken, hook.id)
    if (!first) throw new Error('no delivery logged')
    expect(first).toMatchObject({ eventType: 'comment.created', attempts: 1, responseStatus: 500 })
    expect(first.nextAttemptAt).not.toBeNull()
    const retryDue = Date.parse(first.nextAttemptAt ?? '') - Date.parse(first.lastAttemptAt ?? '')
    expect(retryDue).toBeGreaterThanOrEqual(4_900)
    expect(retryDue).toBeLessThanOrEqual(5_100)

    await expect.poll(() => at(hook.path).length, RETRY_WAIT).toBe(2)
    const [failed, retried] = at(hook.path)
    const messageId = failed?.headers['webhook-id']
    expect(messageId).toBe(first.webhookMessageId)
    expect(retried?.headers['webhook-id']).toBe(messageId)
    expect(retried?.body).toBe(failed?.body)
    expect(Number(retried?.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(
      Number(failed?.headers['webhook-timestamp']) + 4,
    )
    expect(retried?.json.data).toMatchObject({ comment: { body: 'hello, receiver' }, ticket: { id: ticket.id } })
    await expect
      .poll(async () => (await deliveriesOf(a.accessToken, hook.id)).map((d) => [d.status, d.attempts]), WAIT)
      .toEqual([['delivered', 2]])

    const redeliver = await request('POST', `/api/v1/webhooks/${hook.id}/deliveries/${first.id}/redeliver`, {
      token: a.accessToken,
    })
    expect(redeliver.status, await redeliver.clone().text()).toBe(202)
    await redeliver.body?.cancel()
    await expect.poll(() => at(hook.path).length, WAIT).toBe(3)
    expect(at(hook.path)[2]?.headers['webhook-id']).toBe(messageId)
    expect(at(hook.path)[2]?.body).toBe(failed?.body)
    await expect
      .poll(async () => (await deliveriesOf(a.accessToken, hook.id)).map((d) => [d.status, d.attempts]), WAIT)
      .toEqual([['delivered', 3]])
    await expectError(
      await request('POST', `/api/v1/webhooks/${hook.id}/deliveries/${crypto.randomUUID()}/redeliver`, {
        token: a.accessToken,
      }),
      404,
      'E_WEBHOOK_DELIVERY_NOT_FOUND',
    )
  })

  it('signs with both secrets after a rotation, and the new one alone does not verify what came before', async () => {
    const hook = await createHook(a.accessToken, { events: ['ticket.deleted'] })
    const ping = async () => {
      const res = await request('POST', `/api/v1/webhooks/${hook.id}/ping`, { token: a.accessToken })
      expect(res.status, await res.clone().text()).toBe(202)
      await res.body?.cancel()
    }
    await ping()
    await expect.poll(() => at(hook.path).length, WAIT).toBe(1)
    const before = at(hook.path)[0]
    if (!before) throw new Error('no ping')
    expect(before.json).toMatchObject({ type: 'ping', workspace: a.workspace.slug, data: { actor: { id: a.user.id } } })
    expect(before.headers['webhook-signature']?.split(' ')).toHaveLength(1)

    const rotated = await request('POST', `/api/v1/webhooks/${hook.id}/rotate-secret`, { token: a.accessToken })
    const { secret } = await json<{ secret: string }>(rotated, 200)
    expect(secret).toMatch(/^whsec_/)
    expect(secret).not.toBe(hook.secret)
    // From here on the receiver checks each delivery with the old secret and with the new one.
    secrets.set(hook.path, [hook.secret, secret])
    expect(verifyWith(secret, before.body, before.headers)).not.toBeNull()

    await ping()
    const ticket = await createTicket(a.accessToken, { title: 'To delete' })
    const deleted = await request('DELETE', `/api/v1/tickets/${ticket.id}`, { token: a.accessToken })
    expect(deleted.status, await deleted.clone().text()).toBe(204)
    await expect.poll(() => at(hook.path).length, WAIT).toBe(3)
    const after = at(hook.path).slice(1)
    expect(after.map((r) => r.json.type).sort()).toEqual(['ping', 'ticket.deleted'])
    for (const delivery of after) {
      expect(delivery.headers['webhook-signature']?.split(' ')).toHaveLength(2)
      expect(delivery.verification).toEqual([null, null])
      for (const key of [hook.secret, secret]) {
        expect(new Webhook(key).verify(delivery.body, delivery.headers)).toMatchObject({ workspace: a.workspace.slug })
      }
    }
    expect(after.find((r) => r.json.type === 'ticket.deleted')?.json.data.ticket).toMatchObject({ id: ticket.id })
  })

  it('keeps endpoints, events and deliveries in their own workspace', async () => {
    const hookA = await createHook(a.accessToken, { events: ['ticket.created'] })
    const hookB = await createHook(b.accessToken, { events: ['*'] })
    await createTicket(b.accessToken, { title: 'Only in B' })
    await createTicket(a.accessToken, { title: 'Only in A' })
    await expect.poll(() => at(hookA.path).length, WAIT).toBe(1)
    await expect.poll(() => at(hookB.path).length, WAIT).toBe(1)
    await expect
      .poll(() => settled(a.accessToken, hookA), WAIT)
      .toEqual({ statuses: ['delivered'], logged: 1, received: 1 })
    await expect
      .poll(() => settled(b.accessToken, hookB), WAIT)
      .toEqual({ statuses: ['delivered'], logged: 1, received: 1 })
    expect(at(hookA.path)[0]?.json).toMatchObject({
      workspace: a.workspace.slug,
      data: { ticket: { title: 'Only in A' } },
    })
    expect(at(hookB.path)[0]?.json).toMatchObject({
      workspace: b.workspace.slug,
      data: { ticket: { title: 'Only in B' } },
    })

    // B's admin cannot see, change, ping, rotate or read the log of A's endpoint.
    const asB = { token: b.accessToken }
    for (const [method, path, body] of [
      ['GET', `/api/v1/webhooks/${hookA.id}`, undefined],
      ['PUT', `/api/v1/webhooks/${hookA.id}`, { active: false }],
      ['POST', `/api/v1/webhooks/${hookA.id}/ping`, undefined],
      ['POST', `/api/v1/webhooks/${hookA.id}/rotate-secret`, undefined],
      ['GET', `/api/v1/webhooks/${hookA.id}/deliveries`, undefined],
      ['DELETE', `/api/v1/webhooks/${hookA.id}`, undefined],
    ] as const) {
      await expectError(await request(method, path, { ...asB, body }), 404, 'E_WEBHOOK_NOT_FOUND')
    }
    const listedB = await json<WebhookEndpoint[]>(await request('GET', '/api/v1/webhooks', asB), 200)
    expect(listedB.map((hook) => hook.id)).toEqual([hookB.id])
    const listedA = await json<WebhookEndpoint[]>(
      await request('GET', '/api/v1/webhooks', { token: a.accessToken }),
      200,
    )
    expect(listedA.map((hook) => hook.id)).toContain(hookA.id)
    expect(listedA.map((hook) => hook.id)).not.toContain(hookB.id)
    // A's endpoint is untouched by B's attempts.
    const stillA = await json<WebhookEndpoint>(
      await request('GET', `/api/v1/webhooks/${hookA.id}`, { token: a.accessToken }),
      200,
    )
    expect(stillA).toMatchObject({ active: true })
    expect(at(hookA.path)).toHaveLength(1)
  })

  it('drops a deleted endpoint’s pending retry, and delivers nothing more to it', async () => {
    const hook = await createHook(b.accessToken, { events: ['ticket.created'] })
    answers.set(hook.path, [500])
    await createTicket(b.accessToken, { title: 'Doomed retry' })
    await expect.poll(() => at(hook.path).length, WAIT).toBe(1)
    await expect
      .poll(async () => (await deliveriesOf(b.accessToken, hook.id)).map((d) => [d.status, d.attempts]), WAIT)
      .toEqual([['retrying', 1]])
    const deleted = await request('DELETE', `/api/v1/webhooks/${hook.id}`, { token: b.accessToken })
    expect(deleted.status, await deleted.clone().text()).toBe(204)
    await deleted.body?.cancel()
    await expectError(
      await request('GET', `/api/v1/webhooks/${hook.id}`, { token: b.accessToken }),
      404,
      'E_WEBHOOK_NOT_FOUND',
    )
    // A sentinel endpoint created after it receives the next event; the deleted one gets nothing,
    // neither that event nor, once its 5 s have long passed, the retry it had pending.
    const sentinel = await createHook(b.accessToken, { events: ['ticket.created'] })
    await createTicket(b.accessToken, { title: 'After the delete' })
    await expect.poll(() => at(sentinel.path).length, WAIT).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, 9_000))
    expect(at(hook.path)).toHaveLength(1)
  })
})
