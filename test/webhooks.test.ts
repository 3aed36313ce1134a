/**
 * Webhooks through HTTP: endpoints (admins, URL rules, secrets shown once), events recorded in the
 * transaction of their change and delivered by the real queue consumer to a receiver standing in
 * for the integration (the test's `fetch`, which every delivery goes through), signatures checked
 * with the Standard Webhooks reference library, filtering, rule changes, retries with the same
 * `webhook-id`, redelivery, rotation, ping, per-workspace isolation; the backoff schedule and the
 * disabling of a failing endpoint with the clock driven by the test.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { components } from '../examples/api-types'
import { DISABLE_AFTER_MS, MAX_ATTEMPTS, RETRY_DELAYS_MS } from '../src/domain/webhook-events'
import { recordAttempt } from '../src/store/webhooks/outbox'
import type { Workspace as WorkspaceObject } from '../src/store/workspace'
import {
  asAdmin,
  call,
  createProject,
  createRule,
  createTicket,
  createWorkspace,
  expectError,
  expectStatus,
  notificationsOf,
  type Session,
  type Ticket,
  updateTicket,
  userWithRole,
} from './helpers'

type CreatedWebhook = components['schemas']['CreatedWebhook']
type Delivery = components['schemas']['WebhookDelivery']

/** What the receiver got: one entry per POST, with its headers and body. */
interface Received {
  url: string
  headers: Record<string, string>
  body: string
  json: { type: string; workspace: string; data: Record<string, unknown> }
}

const RECEIVER = 'https://receiver.test'
const received: Received[] = []
/** Statuses the receiver answers with, in turn, per path; 200 when none is queued. */
const answers = new Map<string, number[]>()
const realFetch = globalThis.fetch

beforeAll(() => {
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input as RequestInfo, init)
    if (!request.url.startsWith(RECEIVER)) return realFetch(input as RequestInfo, init)
    const body = await request.text()
    received.push({
      url: request.url,
      headers: Object.fromEntries(request.headers),
      body,
      json: JSON.parse(body),
    })
    const path = new URL(request.url).pathname
    const status = answers.get(path)?.shift() ?? 200
    return new Response(status === 200 ? 'ok' : 'receiver says no'.repeat(200), { status })
  })
})
afterAll(() => vi.restoreAllMocks())

const WAIT = { timeout: 15_000, interval: 100 }
const hook = () => `${RECEIVER}/${crypto.randomUUID()}`
const at = (url: string) => received.filter((r) => r.url === url)

async function createHook(session: Session, body: Record<string, unknown>) {
  const res = await call('POST', '/api/v1/webhooks', {
    token: session.accessToken,
    body: { url: hook(), events: ['*'], ...body },
  })
  return expectStatus<CreatedWebhook>(res, 201)
}

async function deliveriesOf(session: Session, webhookId: string) {
  const res = await call('GET', `/api/v1/webhooks/${webhookId}/deliveries`, { token: session.accessToken })
  return expectStatus<Delivery[]>(res, 200)
}

describe('webhook endpoints', () => {
  it('are for admins, check their URL, and show the secret once', async () => {
    const admin = await asAdmin()
    const manager = await userWithRole('manager')
    const body = { url: hook(), events: ['ticket.created'] }
    await expectError(
      await call('POST', '/api/v1/webhooks', { token: manager.accessToken, body }),
      403,
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
    )
    // Not a URL, or too long: the schema says so (422). Not allowed to receive webhooks: 400.
    for (const url of [`https://x.test/${'a'.repeat(2048)}`, 'nope', 'https://has space.test/']) {
      const res = await call('POST', '/api/v1/webhooks', { token: admin.accessToken, body: { ...body, url } })
      await expectError(res, 422, 'E_VALIDATION_ERROR')
    }
    for (const [url, reason] of [
      ['http://hooks.example.com/x', 'not_https'],
      ['https://user:pw@hooks.example.com/', 'has_credentials'],
      ['https://hooks.example.com/#frag', 'has_fragment'],
    ]) {
      const res = await call('POST', '/api/v1/webhooks', { token: admin.accessToken, body: { ...body, url } })
      const refused = await expectError(res, 400, 'E_WEBHOOK_URL_NOT_ALLOWED')
      expect(refused.details).toMatchObject({ reason })
    }
    // In development, a receiver on the developer's machine is fine.
    const local = await createHook(admin, { url: 'http://localhost:9999/hook', active: false })
    expect(local).toMatchObject({ url: 'http://localhost:9999/hook', active: false })
    // A webhook that is off sends nothing, and says so instead of accepting a ping it would not send.
    const ping = await call('POST', `/api/v1/webhooks/${local.id}/ping`, { token: admin.accessToken })
    await expectError(ping, 409, 'E_WEBHOOK_INACTIVE')

    const created = await createHook(admin, body)
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/)
    const read = await expectStatus<Record<string, unknown>>(
      await call('GET', `/api/v1/webhooks/${created.id}`, { token: admin.accessToken }),
      200,
    )
    expect(read).not.toHaveProperty('secret')
    const changed = await call('PUT', `/api/v1/webhooks/${created.id}`, {
      token: admin.accessToken,
      body: { description: 'CI', events: ['ticket.updated', 'ticket.updated'] },
    })
    expect(await expectStatus(changed, 200)).toMatchObject({ description: 'CI', events: ['ticket.updated'] })
    await expectStatus(await call('DELETE', `/api/v1/webhooks/${created.id}`, { token: admin.accessToken }), 204)
    await expectError(
      await call('GET', `/api/v1/webhooks/${created.id}`, { token: admin.accessToken }),
      404,
      'E_WEBHOOK_NOT_FOUND',
    )
  })
})

describe('deliveries', () => {
  it('sign every event per Standard Webhooks, with the ticket, the actor and the workspace', async () => {
    const admin = await asAdmin()
    const created = await createHook(admin, { events: ['ticket.created'] })
    const ticket = await createTicket(admin, { title: 'Hooked' })
    await expect.poll(() => at(created.url).length, WAIT).toBe(1)
    const [delivery] = at(created.url)
    const payload = new Webhook(created.secret).verify(
      delivery?.body ?? '',
      delivery?.headers ?? {},
    ) as Received['json']
    expect(payload).toMatchObject({
      type: 'ticket.created',
      workspace: 'default',
      data: { ticket: { id: ticket.id, version: 1 }, actor: { id: admin.user.id }, rule: null },
    })
    expect(delivery?.headers['webhook-id']).toMatch(/^msg_/)
    await expect
      .poll(async () => (await deliveriesOf(admin, created.id)).map((d) => [d.eventType, d.status, d.attempts]), WAIT)
      .toEqual([['ticket.created', 'delivered', 1]])
  })

  it('filter by event type and project, and raise nothing for a refused change', async () => {
    const admin = await asAdmin()
    const project = await createProject(admin)
    const statusOnly = await createHook(admin, { events: ['ticket.status_changed'], projectId: project.id })
    const elsewhere = await createTicket(admin, { title: 'Other project' })
    const mine = await createTicket(admin, { title: 'In project', projectId: project.id })
    await updateTicket(admin, elsewhere.id, { status: 'in_progress' })
    await updateTicket(admin, mine.id, { title: 'Renamed' })
    await updateTicket(admin, mine.id, { status: 'in_progress' })
    // open → blocked is not a transition: refused, its transaction (and so its event) never happened.
    const other = await createTicket(admin, { title: 'Refused', projectId: project.id })
    const refused = await call('PUT', `/api/v1/tickets/${other.id}`, {
      token: admin.accessToken,
      body: { status: 'blocked' },
    })
    await expectError(refused, 400, 'E_TICKET_INVALID_STATUS_TRANSITION')
    await expect.poll(() => at(statusOnly.url).length, WAIT).toBeGreaterThanOrEqual(1)
    // Anything wrongly raised would have been delivered by now, after the one that was.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    const types = at(statusOnly.url).map((r) => [r.json.type, (r.json.data.ticket as Ticket).id])
    expect(types).toEqual([['ticket.status_changed', mine.id]])
    expect(at(statusOnly.url)[0]?.json.data.changes).toEqual({ status: { from: 'open', to: 'in_progress' } })
  })

  it('name the rule when a workflow rule made the change', async () => {
    const admin = await asAdmin()
    const department = `Hooks-${crypto.randomUUID().slice(0, 6)}`
    const rule = await createRule(admin, {
      trigger: 'ticket_created',
      conditions: { department },
      actions: { change_status: 'in_progress' },
    })
    const created = await createHook(admin, { events: ['ticket.updated'] })
    await createTicket(admin, { title: 'Ruled', department })
    await expect.poll(() => at(created.url).length, WAIT).toBe(1)
    expect(at(created.url)[0]?.json.data).toMatchObject({
      rule: rule.id,
      changes: { status: { from: 'open', to: 'in_progress' } },
    })
  })

  it('retry a failed attempt with the same webhook-id, and redeliver on demand', async () => {
    const admin = await asAdmin()
    const created = await createHook(admin, { events: ['comment.created'] })
    answers.set(new URL(created.url).pathname, [500])
    const ticket = await createTicket(admin)
    await expectStatus(
      await call('POST', `/api/v1/tickets/${ticket.id}/comments`, { token: admin.accessToken, body: { body: 'hi' } }),
      201,
    )
    await expect.poll(() => at(created.url).length, WAIT).toBe(1)
    await expect.poll(async () => (await deliveriesOf(admin, created.id))[0]?.status, WAIT).toBe('retrying')
    const [first] = await deliveriesOf(admin, created.id)
    expect(first).toMatchObject({ attempts: 1, responseStatus: 500 })
    // The second attempt comes 5 s later, from the object's alarm.
    await expect.poll(() => at(created.url).length, { timeout: 20_000, interval: 200 }).toBe(2)
    const ids = at(created.url).map((r) => r.headers['webhook-id'])
    expect(new Set(ids).size).toBe(1)
    await expect.poll(async () => (await deliveriesOf(admin, created.id))[0]?.status, WAIT).toBe('delivered')

    const redeliver = `/api/v1/webhooks/${created.id}/deliveries/${first?.id}/redeliver`
    await expectStatus(await call('POST', redeliver, { token: admin.accessToken }), 202)
    await expect.poll(() => at(created.url).length, WAIT).toBe(3)
    expect(at(created.url)[2]?.headers['webhook-id']).toBe(ids[0])
  })

  it('sign with both secrets for a day after a rotation, and ping on demand', async () => {
    const admin = await asAdmin()
    const created = await createHook(admin, { events: ['ticket.deleted'] })
    const rotated = await expectStatus<{ secret: string }>(
      await call('POST', `/api/v1/webhooks/${created.id}/rotate-secret`, { token: admin.accessToken }),
      200,
    )
    expect(rotated.secret).not.toBe(created.secret)
    await expectStatus(await call('POST', `/api/v1/webhooks/${created.id}/ping`, { token: admin.accessToken }), 202)
    await expect.poll(() => at(created.url).length, WAIT).toBe(1)
    const [ping] = at(created.url)
    expect(ping?.json.type).toBe('ping')
    expect(ping?.headers['webhook-signature']?.split(' ')).toHaveLength(2)
    for (const secret of [created.secret, rotated.secret]) {
      expect(new Webhook(secret).verify(ping?.body ?? '', ping?.headers ?? {})).toMatchObject({ type: 'ping' })
    }
  })

  it('stay in their workspace', async () => {
    const a = await createWorkspace()
    const b = await createWorkspace()
    const hookA = await createHook(a.session, { events: ['ticket.created'] })
    await createTicket(b.session, { title: 'In B' })
    await createTicket(a.session, { title: 'In A' })
    await expect.poll(() => at(hookA.url).length, WAIT).toBe(1)
    expect(at(hookA.url)[0]?.json).toMatchObject({ workspace: a.workspace.slug, data: { ticket: { title: 'In A' } } })
    await expectError(
      await call('GET', `/api/v1/webhooks/${hookA.id}`, { token: b.session.accessToken }),
      404,
      'E_WEBHOOK_NOT_FOUND',
    )
  })
})

describe('the outbox', () => {
  it('delivers an event whose hand-off to the queue was lost (a crash right after the commit)', async () => {
    const admin = await asAdmin()
    const created = await createHook(admin, { events: ['ticket.created'], active: false })
    // Written in the change's transaction while the endpoint was on, then "lost" on the way out:
    // handed to a queue that never delivered it (queued 11 minutes ago, never reported back).
    const stub = env.WORKSPACE.getByName('default')
    await runInDurableObject(stub, (_instance: WorkspaceObject, state) => {
      const old = new Date(Date.now() - 11 * 60 * 1000).toISOString()
      state.storage.sql.exec('UPDATE webhooks SET active = 1 WHERE id = ?', created.id)
      state.storage.sql.exec(
        `INSERT INTO webhook_deliveries (id, webhook_id, message_id, event_type, payload, status, next_attempt_at, queued_at, created_at)
         VALUES (?, ?, 'msg_lost', 'ticket.created', '{"type":"ticket.created"}', 'pending', ?, ?, ?)`,
        crypto.randomUUID(),
        created.id,
        old,
        old,
        old,
      )
    })
    // The next alarm (any commit wakes it) hands it over again.
    await createTicket(admin, { title: 'Wakes the alarm' })
    await expect.poll(() => at(created.url).map((r) => r.headers['webhook-id']), WAIT).toContain('msg_lost')
    await expect
      .poll(
        async () => (await deliveriesOf(admin, created.id)).find((d) => d.webhookMessageId === 'msg_lost')?.status,
        WAIT,
      )
      .toBe('delivered')
  })
})

describe('the retry schedule', () => {
  it('backs off 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then fails; five days of failures disable the endpoint', async () => {
    const admin = await asAdmin()
    const created = await createHook(admin, { events: ['ticket.deleted'], active: true })
    answers.set(new URL(created.url).pathname, Array(20).fill(503))
    const ticket = await createTicket(admin)
    await expectStatus(await call('DELETE', `/api/v1/tickets/${ticket.id}`, { token: admin.accessToken }), 204)
    await expect.poll(async () => (await deliveriesOf(admin, created.id))[0]?.attempts, WAIT).toBe(1)
    const [delivery] = await deliveriesOf(admin, created.id)
    // The rest of the attempts, reported with a clock the test moves (no waiting for hours).
    const outcome = { status: 503, durationMs: 3, error: null, body: 'no' }
    const steps = await runInDurableObject(env.WORKSPACE.getByName('default'), (instance: WorkspaceObject) => {
      const ctx = (instance as unknown as { store: Parameters<typeof recordAttempt>[0] }).store
      const start = Date.now()
      const delays: (number | null)[] = []
      let now = start
      for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
        now += 6 * 24 * 3600 * 1000 // well past every delay, and past five days of failing
        const next = recordAttempt(ctx, delivery?.id ?? '', outcome, now)
        delays.push(next === null ? null : next - now)
      }
      return delays
    })
    expect(steps).toEqual([...RETRY_DELAYS_MS.slice(1), null])
    const [final] = await deliveriesOf(admin, created.id)
    expect(final).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, responseStatus: 503 })
    const endpoint = await expectStatus(
      await call('GET', `/api/v1/webhooks/${created.id}`, { token: admin.accessToken }),
      200,
    )
    expect(endpoint).toMatchObject({ active: false, disabledReason: 'failing_for_5_days' })
    expect(DISABLE_AFTER_MS).toBe(5 * 24 * 3600 * 1000)
    const notices = await notificationsOf(admin)
    expect(notices.some((n) => n.kind === 'webhook_disabled' && n.message.includes(created.url))).toBe(true)
    // Turning it back on clears why it was off.
    const back = await call('PUT', `/api/v1/webhooks/${created.id}`, {
      token: admin.accessToken,
      body: { active: true },
    })
    expect(await expectStatus(back, 200)).toMatchObject({ active: true, disabledReason: null })
  })
})
