/**
 * SLA policies and timers through HTTP, each test in a workspace of its own (its alarm and counters
 * are its own): the policies (admins write), targets computed at creation and recomputed with a new
 * priority, the first response (a comment or status change by someone other than the reporter),
 * pausing while blocked, and the breach at the due instant. The clock is the test's (vitest's fake
 * `Date`, which the object's code reads too), and the object's alarm is run by the test
 * (`runDurableObjectAlarm`), never waited for. Also: deadlines that survive a restart of the
 * object, a burst of deadlines at one instant, the SLA report and the dashboard's counters.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DEADLINE_BATCH } from '../src/store/tickets/deadlines'
import type { Workspace as WorkspaceObject } from '../src/store/workspace'
import {
  call,
  createRule,
  createTicket,
  createWorkspace,
  expectError,
  expectStatus,
  loginTo,
  notificationsOf,
  type Session,
  type Ticket,
  ticketHistory,
  uniqueEmail,
  updateTicket,
} from './helpers'

const MINUTE = 60_000

type Sla = {
  firstResponseDueAt: string | null
  resolutionDueAt: string | null
  firstRespondedAt: string | null
  breached: string[]
  paused: boolean
}
type SlaTicket = Ticket & { sla: Sla }

const POLICIES = {
  pauseWhileBlocked: true,
  priorities: {
    critical: { firstResponseMinutes: 15, resolutionMinutes: 240 },
    high: { firstResponseMinutes: 60, resolutionMinutes: null },
  },
}

/** A fresh workspace with the policies above, and a manager and a plain user in it. */
async function workspaceWithPolicies(policies: unknown = POLICIES) {
  const created = await createWorkspace()
  const slug = created.workspace.slug
  const admin = created.session
  await expectStatus(await call('PUT', '/api/v1/sla-policies', { token: admin.accessToken, body: policies }), 200)
  const credentials = new Map<string, { email: string; password: string }>()
  credentials.set(admin.user.id, created.admin)
  const member = async (role: 'user' | 'manager') => {
    const email = uniqueEmail(role)
    const password = `pw-${crypto.randomUUID()}`
    const body = { name: `${role} in ${slug}`, email, password, role }
    await expectStatus(await call('POST', '/api/v1/users', { token: admin.accessToken, body }), 201)
    const session = await loginTo(slug, email, password)
    credentials.set(session.user.id, { email, password })
    return session
  }
  const manager = await member('manager')
  const user = await member('user')
  /** Logs in again: access tokens last minutes, and the tests move the clock by more. */
  const again = (session: Session) => {
    const { email, password } = credentials.get(session.user.id) ?? { email: '', password: '' }
    return loginTo(slug, email, password)
  }
  return { slug, admin, manager, user, again }
}

const stub = (slug: string) => env.WORKSPACE.getByName(slug)

const getTicket = async (session: Session, id: string) =>
  expectStatus<SlaTicket>(await call('GET', `/api/v1/tickets/${id}`, { token: session.accessToken }), 200)

const comment = async (session: Session, id: string, body = 'On it') =>
  expectStatus(
    await call('POST', `/api/v1/tickets/${id}/comments`, { token: session.accessToken, body: { body } }),
    201,
  )

const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString()

/** Moves the test's clock (and so the object's) to `iso` plus `ms`. */
function clockAt(iso: string, ms = 0) {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(Date.parse(iso) + ms)
}

afterEach(() => {
  vi.useRealTimers()
})

describe('SLA policies', () => {
  it('start with no targets; admins replace them, others are refused', async () => {
    const created = await createWorkspace()
    const admin = created.session
    const empty = await expectStatus(await call('GET', '/api/v1/sla-policies', { token: admin.accessToken }), 200)
    expect(empty).toEqual({
      pauseWhileBlocked: false,
      priorities: Object.fromEntries(
        ['low', 'medium', 'high', 'critical'].map((p) => [p, { firstResponseMinutes: null, resolutionMinutes: null }]),
      ),
    })
    const saved = await expectStatus<{ priorities: Record<string, unknown> }>(
      await call('PUT', '/api/v1/sla-policies', { token: admin.accessToken, body: POLICIES }),
      200,
    )
    expect(saved.priorities.critical).toEqual({ firstResponseMinutes: 15, resolutionMinutes: 240 })
    expect(saved.priorities.low).toEqual({ firstResponseMinutes: null, resolutionMinutes: null })
    const again = await expectStatus(await call('GET', '/api/v1/sla-policies', { token: admin.accessToken }), 200)
    expect(again).toEqual(saved)
  })

  it('refuses non-admins (403) and bad targets (422)', async () => {
    const { manager, admin } = await workspaceWithPolicies()
    await expectError(
      await call('PUT', '/api/v1/sla-policies', { token: manager.accessToken, body: POLICIES }),
      403,
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
    )
    for (const body of [
      { pauseWhileBlocked: true, priorities: { high: { firstResponseMinutes: 0, resolutionMinutes: null } } },
      { pauseWhileBlocked: true, priorities: { urgent: { firstResponseMinutes: 5, resolutionMinutes: null } } },
      { priorities: {} },
    ]) {
      await expectError(
        await call('PUT', '/api/v1/sla-policies', { token: admin.accessToken, body }),
        422,
        'E_VALIDATION_ERROR',
      )
    }
  })
})

describe('a ticket’s targets', () => {
  it('are computed from its creation and its priority, and recomputed when the priority changes', async () => {
    const { user, manager } = await workspaceWithPolicies()
    const ticket = (await createTicket(user, { priority: 'critical' })) as SlaTicket
    expect(ticket.sla).toEqual({
      firstResponseDueAt: plus(ticket.createdAt, 15 * MINUTE),
      resolutionDueAt: plus(ticket.createdAt, 240 * MINUTE),
      firstRespondedAt: null,
      breached: [],
      paused: false,
    })
    const high = (await updateTicket(manager, ticket.id, { priority: 'high' })) as SlaTicket
    expect(high.sla.firstResponseDueAt).toBe(plus(ticket.createdAt, 60 * MINUTE))
    expect(high.sla.resolutionDueAt).toBeNull()
    const low = (await updateTicket(manager, ticket.id, { priority: 'low' })) as SlaTicket
    expect(low.sla).toMatchObject({ firstResponseDueAt: null, resolutionDueAt: null })
    const untargeted = (await createTicket(user, { priority: 'medium' })) as SlaTicket
    expect(untargeted.sla).toEqual({
      firstResponseDueAt: null,
      resolutionDueAt: null,
      firstRespondedAt: null,
      breached: [],
      paused: false,
    })
  })

  it('count a comment or status change by someone other than the reporter as the first response', async () => {
    const { user, manager } = await workspaceWithPolicies()
    const ticket = (await createTicket(user, { priority: 'critical' })) as SlaTicket
    await comment(user, ticket.id, 'Any news?')
    expect((await getTicket(user, ticket.id)).sla.firstRespondedAt).toBeNull()
    await comment(manager, ticket.id)
    const responded = await getTicket(user, ticket.id)
    expect(responded.sla.firstRespondedAt).not.toBeNull()
    expect(responded.version).toBe(ticket.version + 1)
    await comment(manager, ticket.id, 'Second')
    expect((await getTicket(user, ticket.id)).sla.firstRespondedAt).toBe(responded.sla.firstRespondedAt)

    const other = (await createTicket(user, { priority: 'high' })) as SlaTicket
    const moved = (await updateTicket(manager, other.id, { status: 'in_progress' })) as SlaTicket
    expect(moved.sla.firstRespondedAt).not.toBeNull()
  })

  it('stop while the ticket is blocked, and move later by the time blocked', async () => {
    const { user, manager, again } = await workspaceWithPolicies()
    const ticket = (await createTicket(user, { priority: 'critical' })) as SlaTicket
    await updateTicket(manager, ticket.id, { status: 'in_progress' })
    const blocked = (await updateTicket(manager, ticket.id, { status: 'blocked' })) as SlaTicket
    expect(blocked.sla).toMatchObject({ paused: true, resolutionDueAt: ticket.sla.resolutionDueAt })
    clockAt(blocked.updatedAt, 30 * MINUTE)
    const resumed = (await updateTicket(await again(manager), ticket.id, { status: 'in_progress' })) as SlaTicket
    expect(resumed.sla.paused).toBe(false)
    const stopped = Date.parse(resumed.updatedAt) - Date.parse(blocked.updatedAt)
    expect(stopped).toBe(30 * MINUTE)
    expect(resumed.sla.resolutionDueAt).toBe(plus(ticket.sla.resolutionDueAt ?? '', stopped))
  })
})

describe('a breach', () => {
  it('happens at the due instant, in one transaction with its history, rules, notifications and webhook event', async () => {
    const { admin, user: reporter, manager: agent, slug, again } = await workspaceWithPolicies()
    let [user, manager] = [reporter, agent]
    const rule = await createRule(admin, {
      trigger: 'sla_breached',
      conditions: { priority: 'critical' },
      actions: { add_comment: 'Escalated: SLA missed', assign_user: manager.user.id },
    })
    const hook = await expectStatus<{ id: string }>(
      await call('POST', '/api/v1/webhooks', {
        token: admin.accessToken,
        body: { url: 'https://receiver.test/sla', events: ['ticket.sla_breached'] },
      }),
      201,
    )
    const ticket = (await createTicket(user, { priority: 'critical' })) as SlaTicket
    // The alarm is set for the first response's due instant, and nothing happens before it.
    const armed = await runInDurableObject(stub(slug), (_i: WorkspaceObject, state) => state.storage.getAlarm())
    expect(armed).toBe(Date.parse(ticket.sla.firstResponseDueAt ?? ''))
    clockAt(ticket.sla.firstResponseDueAt ?? '', -1)
    await runDurableObjectAlarm(stub(slug))
    expect((await getTicket(await again(user), ticket.id)).sla.breached).toEqual([])

    clockAt(ticket.sla.firstResponseDueAt ?? '')
    expect(await runDurableObjectAlarm(stub(slug))).toBe(true)
    ;[user, manager] = [await again(user), await again(manager)]
    const breached = await getTicket(manager, ticket.id)
    expect(breached.sla.breached).toEqual(['first_response'])
    // The rule assigned the manager (a version for the breach, one for the assignment).
    expect(breached.assigneeIds).toEqual([manager.user.id])
    expect(breached.version).toBe(ticket.version + 2)
    const history = await ticketHistory(manager, ticket.id)
    expect(history.map((entry) => entry.action)).toEqual([
      'created',
      'sla_breached',
      'workflow_add_comment',
      'workflow_assign_user',
    ])
    expect(history[1]).toMatchObject({
      userId: null,
      newValue: { target: 'first_response', dueAt: ticket.sla.firstResponseDueAt },
    })
    expect(history[2]?.ruleId).toBe(rule.id)
    // The reporter watches its ticket: it hears of the breach, then of the rule's comment and assignment.
    const notices = (await notificationsOf(user)) as { kind: string; message: string }[]
    expect(notices.map((notice) => notice.kind)).toEqual(['watching', 'watching', 'sla_breached'])
    expect(notices[1]?.message).toContain('new comment by a rule')
    expect(notices[2]?.message).toContain('missed its first response target')
    const deliveries = await expectStatus<{ eventType: string }[]>(
      await call('GET', `/api/v1/webhooks/${hook.id}/deliveries`, { token: (await again(admin)).accessToken }),
      200,
    )
    expect(deliveries.map((delivery) => delivery.eventType)).toEqual(['ticket.sla_breached'])
    // The next alarm is the resolution's due instant.
    const next = await runInDurableObject(stub(slug), (_i: WorkspaceObject, state) => state.storage.getAlarm())
    expect(next).toBe(Date.parse(ticket.sla.resolutionDueAt ?? ''))
  })

  it('does not happen to a target met in time, and a deadline survives a restart of the object', async () => {
    const { user: reporter, manager, slug, again } = await workspaceWithPolicies()
    let user = reporter
    const met = (await createTicket(user, { priority: 'critical' })) as SlaTicket
    await comment(manager, met.id)
    const waiting = (await createTicket(user, { priority: 'high' })) as SlaTicket
    // The object goes away (as on a deploy or eviction) and is not running when the deadline passes.
    await runInDurableObject(stub(slug), (_i: WorkspaceObject, state) => state.abort('restart')).catch(() => undefined)
    clockAt(waiting.sla.firstResponseDueAt ?? '', 5 * MINUTE)
    // Its next start finds the missed deadline due: the alarm runs at once.
    expect(await runDurableObjectAlarm(stub(slug))).toBe(true)
    user = await again(user)
    expect((await getTicket(user, waiting.id)).sla.breached).toEqual(['first_response'])
    expect((await getTicket(user, met.id)).sla.breached).toEqual([])
  })

  it('handles a burst of deadlines at one instant in bounded batches', async () => {
    const {
      user: reporter,
      slug,
      again,
    } = await workspaceWithPolicies({
      pauseWhileBlocked: false,
      priorities: { high: { firstResponseMinutes: 5, resolutionMinutes: null } },
    })
    let user = reporter
    const count = DEADLINE_BATCH * 2 + 7
    const tickets: SlaTicket[] = []
    for (let i = 0; i < count; i++)
      tickets.push((await createTicket(user, { priority: 'high', title: `Burst ${i}` })) as SlaTicket)
    const last = tickets.at(-1)?.sla.firstResponseDueAt ?? ''
    clockAt(last)
    await runDurableObjectAlarm(stub(slug))
    user = await again(user)
    const res = await call('GET', '/api/v1/tickets?limit=200', { token: user.accessToken })
    const listed = await expectStatus<SlaTicket[]>(res, 200)
    expect(listed.filter((ticket) => ticket.sla.breached.includes('first_response'))).toHaveLength(count)
  })
})

describe('a deadline that cannot be handled', () => {
  it('is postponed by five minutes and does not hold up the deadlines behind it', async () => {
    const { user, slug, again } = await workspaceWithPolicies()
    const broken = (await createTicket(user, { priority: 'critical' })) as SlaTicket
    const fine = (await createTicket(user, { priority: 'critical' })) as SlaTicket
    // A row its breach cannot read (a stand-in for any failure inside the breach's transaction).
    await runInDurableObject(stub(slug), (_i: WorkspaceObject, state) => {
      state.storage.sql.exec("UPDATE tickets SET sla_breached = 'not json' WHERE id = ?", broken.id)
    })
    const due = fine.sla.firstResponseDueAt ?? ''
    clockAt(due, 1000)
    expect(await runDurableObjectAlarm(stub(slug))).toBe(true)
    expect((await getTicket(await again(user), fine.id)).sla.breached).toEqual(['first_response'])
    const postponed = await runInDurableObject(stub(slug), (_i: WorkspaceObject, state) =>
      state.storage.sql
        .exec<{ due_at: string }>(
          "SELECT d.due_at FROM deadlines d JOIN tickets t ON t.seq = d.seq WHERE t.id = ? AND d.kind = 'first_response'",
          broken.id,
        )
        .toArray(),
    )
    expect(postponed).toEqual([{ due_at: plus(due, 1000 + 5 * MINUTE) }])
  })
})

describe('reports', () => {
  it('count targets met and breached per priority, and breached open tickets on the dashboard', async () => {
    const { user, manager, slug } = await workspaceWithPolicies()
    const fast = (await createTicket(user, { priority: 'critical' })) as SlaTicket
    await comment(manager, fast.id)
    await updateTicket(manager, fast.id, { status: 'closed' })
    const slow = (await createTicket(user, { priority: 'critical' })) as SlaTicket
    await createTicket(user, { priority: 'low' })
    clockAt(slow.sla.firstResponseDueAt ?? '')
    await runDurableObjectAlarm(stub(slug))
    vi.useRealTimers()

    const report = await expectStatus<{ data: { priority: string }[] }>(
      await call('GET', '/api/v1/reports/sla?days=7', { token: manager.accessToken }),
      200,
    )
    expect(report.data.find((row) => row.priority === 'critical')).toEqual({
      priority: 'critical',
      ticketsWithTargets: 2,
      met: 2,
      breached: 1,
      complianceRate: 0.6667,
    })
    expect(report.data.find((row) => row.priority === 'low')).toMatchObject({
      ticketsWithTargets: 0,
      complianceRate: null,
    })
    await expectError(
      await call('GET', '/api/v1/reports/sla', { token: user.accessToken }),
      403,
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
    )

    const dashboard = async (session: Session) =>
      expectStatus<{ slaBreachedOpen: number }>(
        await call('GET', '/api/v1/reports/dashboard', { token: session.accessToken }),
        200,
      )
    expect((await dashboard(manager)).slaBreachedOpen).toBe(1)
    expect((await dashboard(user)).slaBreachedOpen).toBe(1)
    await updateTicket(manager, slow.id, { status: 'closed' })
    expect((await dashboard(manager)).slaBreachedOpen).toBe(0)
    // Deleting a ticket uncounts what it counted.
    await expectStatus(await call('DELETE', `/api/v1/tickets/${slow.id}`, { token: manager.accessToken }), 204)
    const after = await expectStatus<{ data: { priority: string; breached: number }[] }>(
      await call('GET', '/api/v1/reports/sla', { token: manager.accessToken }),
      200,
    )
    expect(after.data.find((row) => row.priority === 'critical')).toMatchObject({
      ticketsWithTargets: 1,
      met: 2,
      breached: 0,
    })
  })
})
