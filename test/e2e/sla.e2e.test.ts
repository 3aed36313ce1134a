/**
 * An SLA breach for real, over HTTP against wrangler dev: no fake clock and no test hook runs the
 * Durable Object's alarm here. A fresh workspace gets a one-minute first-response target for
 * critical tickets and an `sla_breached` workflow rule; a plain user reports two critical tickets,
 * the admin answers one at once, and the test polls (every second) until the other is breached.
 * Proven: the alarm set for the earliest deadline fires at the due instant, and its transaction
 * marks the ticket, writes the `sla_breached` history entry, runs the rule (its comment), notifies
 * the reporter (who watches their ticket) and raises `ticket.sla_breached`, which a real receiver on
 * 127.0.0.1 gets and verifies with `standardwebhooks`; the answered ticket is never breached. It
 * takes a little over a minute because the shortest target a policy accepts is one minute.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { components } from '../../examples/api-types'
import { json, request, type Session, uniqueEmail } from './client'

type CreatedWorkspace = components['schemas']['CreatedWorkspace']
type CreatedWebhook = components['schemas']['CreatedWebhook']
type Ticket = components['schemas']['Ticket']
type HistoryEntry = components['schemas']['TicketHistoryEntry']
type Comment = components['schemas']['Comment']
type Notification = components['schemas']['Notification']
type Rule = components['schemas']['WorkflowRule']

/** Every POST the receiver got: its raw body and headers, as the library verifies them. */
const received: { body: string; headers: Record<string, string> }[] = []
let server: Server

const flatHeaders = (headers: IncomingHttpHeaders) =>
  Object.fromEntries(
    Object.entries(headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]],
    ),
  ) as Record<string, string>

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Someone in the test's workspace (an access token lasts 15 minutes: the whole test). */
interface Person {
  workspace: string
  email: string
  password: string
  token: string
}

async function logIn(person: Person) {
  const { email, password, workspace } = person
  const res = await request('POST', '/api/v1/auth/login', { body: { email, password, workspace } })
  person.token = (await json<Session>(res, 200)).accessToken
}

async function call<T>(person: Person, method: string, path: string, status: number, body?: unknown) {
  return json<T>(await request(method, path, { token: person.token, body }), status)
}

const get = <T>(person: Person, path: string) => call<T>(person, 'GET', path, 200)

describe('an SLA target that breaches for real, against wrangler dev', () => {
  const slug = `e2e-sla-${crypto.randomUUID().slice(0, 8)}`
  const admin: Person = { workspace: slug, email: uniqueEmail('sla-admin'), password: 'admin-password', token: '' }
  const reporter: Person = { workspace: slug, email: uniqueEmail('sla-user'), password: 'user-password', token: '' }
  let rule: Rule
  let hook: CreatedWebhook

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: flatHeaders(req.headers) })
        res.writeHead(200).end('ok')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

    const owner = { name: 'SLA Admin', email: admin.email, password: admin.password }
    const created = await request('POST', '/api/v1/workspaces', { body: { slug, name: `Team ${slug}`, admin: owner } })
    admin.token = (await json<CreatedWorkspace>(created, 201)).accessToken
    const user = { name: 'Reporter', email: reporter.email, password: reporter.password, role: 'user' }
    await call(admin, 'POST', '/api/v1/users', 201, user)
    await logIn(reporter)
    const priorities = { critical: { firstResponseMinutes: 1, resolutionMinutes: null } }
    await call(admin, 'PUT', '/api/v1/sla-policies', 200, { pauseWhileBlocked: false, priorities })
    const escalate = { name: 'Escalate missed SLAs', trigger: 'sla_breached', actions: { add_comment: 'Escalated' } }
    rule = await call<Rule>(admin, 'POST', '/api/v1/workflows', 201, escalate)
    const endpoint = { url: `${receiverUrl}/sla`, events: ['ticket.sla_breached'] }
    hook = await call<CreatedWebhook>(admin, 'POST', '/api/v1/webhooks', 201, endpoint)
  })

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve))
  })

  it('breaches an unanswered critical ticket at its due instant, and not one answered in time', async () => {
    const create = (title: string) =>
      call<Ticket>(reporter, 'POST', '/api/v1/tickets', 201, { title, description: '', priority: 'critical' })
    // The answered ticket first: its due instant comes before the unanswered one's.
    const answered = await create('Answered in time')
    await call(admin, 'POST', `/api/v1/tickets/${answered.id}/comments`, 201, { body: 'Looking into it' })
    const late = await create('Nobody answers')
    const due = Date.parse(late.sla.firstResponseDueAt ?? '')
    expect(due - Date.parse(late.createdAt)).toBe(60_000)
    expect(late.sla).toMatchObject({ breached: [], firstRespondedAt: null, paused: false })

    // Poll once a second, for up to 100 s (the minute, plus slack for a loaded machine).
    let seen = late
    const giveUp = Date.now() + 100_000
    while (seen.sla.breached.length === 0 && Date.now() < giveUp) {
      await sleep(1_000)
      seen = await get<Ticket>(reporter, `/api/v1/tickets/${late.id}`)
      // Never before the due instant (the test and wrangler dev share this machine's clock).
      if (seen.sla.breached.length > 0) expect(Date.now()).toBeGreaterThanOrEqual(due)
    }
    expect(seen.sla.breached).toEqual(['first_response'])
    expect(seen.sla.firstResponseDueAt).toBe(late.sla.firstResponseDueAt)

    // The alarm fires at the instant; 10 s of slack for wrangler dev on a loaded machine.
    const history = await get<HistoryEntry[]>(admin, `/api/v1/tickets/${late.id}/history`)
    const breach = history.find((entry) => entry.action === 'sla_breached')
    expect(breach).toMatchObject({
      userId: null,
      newValue: { target: 'first_response', dueAt: late.sla.firstResponseDueAt },
    })
    const breachedAt = Date.parse(breach?.createdAt ?? '')
    expect(breachedAt).toBeGreaterThanOrEqual(due)
    expect(breachedAt).toBeLessThanOrEqual(due + 10_000)

    // In the same transaction: the rule's comment, and the reporter's notification.
    const comments = await get<Comment[]>(admin, `/api/v1/tickets/${late.id}/comments`)
    expect(comments).toContainEqual(
      expect.objectContaining({ body: 'Escalated', authorId: null, ruleId: rule.id, createdAt: breach?.createdAt }),
    )
    const notices = await get<Notification[]>(reporter, '/api/v1/notifications')
    const breachNotices = notices.filter((notice) => notice.kind === 'sla_breached')
    expect(breachNotices.map((notice) => [notice.ticketId, notice.createdAt])).toEqual([[late.id, breach?.createdAt]])
    expect(breachNotices[0]?.message).toContain('missed its first response target')

    // The answered ticket's due instant has passed too, and it was met, not breached.
    expect(Date.now()).toBeGreaterThan(Date.parse(answered.sla.firstResponseDueAt ?? ''))
    const met = await get<Ticket>(reporter, `/api/v1/tickets/${answered.id}`)
    expect(met.sla.breached).toEqual([])
    expect(met.sla.firstRespondedAt).not.toBeNull()
    const metHistory = await get<HistoryEntry[]>(admin, `/api/v1/tickets/${answered.id}/history`)
    expect(metHistory.map((entry) => entry.action)).not.toContain('sla_breached')

    // The webhook event, delivered through the outbox and the queue, signed with the endpoint's secret.
    await expect.poll(() => received.length, { timeout: 20_000, interval: 250 }).toBe(1)
    const [delivery] = received
    if (!delivery) throw new Error('no delivery')
    const payload = new Webhook(hook.secret).verify(delivery.body, delivery.headers)
    expect(payload).toMatchObject({
      type: 'ticket.sla_breached',
      workspace: slug,
      data: {
        ticket: { id: late.id, sla: { breached: ['first_response'] } },
        breach: { target: 'first_response', dueAt: late.sla.firstResponseDueAt },
        actor: null,
        rule: null,
      },
    })
    // Nothing more arrives for the answered ticket.
    await sleep(2_000)
    expect(received).toHaveLength(1)
  }, 150_000)
})
