/**
 * Reports (/api/v1/reports): a scripted mix of creates, transitions, reassignments, rule effects and
 * deletes is set up once, then every report is checked against a recount of the tickets (and their
 * history) that the API lists: the workspace reports for managers, the dashboard for admins and for
 * a plain user (only its own tickets), and the access and validation rules.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import {
  asAdmin,
  call,
  createTicket as create,
  createRule,
  expectError,
  expectStatus,
  type Session,
  type Ticket,
  ticketHistory,
  updateTicket as update,
  userWithRole,
} from './helpers'

let admin: Session
let manager: Session
let alice: Session
let bob: Session

async function allTickets(session: Session) {
  const res = await call('GET', '/api/v1/tickets?limit=200', { token: session.accessToken })
  const tickets = await expectStatus<Ticket[]>(res, 200)
  // The recounts below need every ticket on one page.
  expect(res.headers.get('X-Total-Count')).toBe(String(tickets.length))
  return tickets
}

async function report<T>(session: Session, path: string) {
  return expectStatus<T>(await call('GET', `/api/v1/reports/${path}`, { token: session.accessToken }), 200)
}

function tally(items: string[]) {
  const counts: Record<string, number> = {}
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1
  return counts
}

beforeAll(async () => {
  admin = await asAdmin()
  manager = await userWithRole('manager', 'Mia Manager')
  alice = await userWithRole('user', 'Alice')
  bob = await userWithRole('user', 'Bob')

  // A rule: new Facilities tickets are taken in progress and given to Bob.
  await createRule(admin, {
    name: 'Facilities triage',
    trigger: 'ticket_created',
    conditions: { department: 'Facilities' },
    actions: { change_status: 'in_progress', assign_user: bob.user.id },
  })

  // The scripted mix: creates, transitions, reassignments, rule effects and deletes.
  const t1 = await create(alice, { priority: 'critical', department: 'IT' })
  const t2 = await create(alice, { priority: 'low', department: 'Facilities' }) // rule: in_progress + Bob
  const t3 = await create(manager, { priority: 'high', assigneeIds: [alice.user.id] })
  const t4 = await create(bob, { priority: 'critical' })
  const t5 = await create(manager, { priority: 'medium', department: 'IT', assigneeIds: [bob.user.id] })
  const t6 = await create(alice, { priority: 'critical', department: 'HR' })
  await update(manager, t1.id, { status: 'in_progress', assigneeIds: [bob.user.id] })
  await update(bob, t1.id, { status: 'blocked' })
  await update(manager, t3.id, { status: 'closed', priority: 'critical' })
  await update(bob, t4.id, { status: 'closed' })
  await update(manager, t4.id, { status: 'open', department: 'Ops' })
  await update(manager, t5.id, { assigneeIds: [alice.user.id, bob.user.id], department: null })
  await update(alice, t6.id, { status: 'closed' })
  await expectStatus(await call('DELETE', `/api/v1/tickets/${t6.id}`, { token: manager.accessToken }), 204)
  await update(bob, t2.id, { status: 'closed' })
  const t7 = await create(bob, { department: 'Facilities', priority: 'high' }) // rule again
  await expectStatus(await call('DELETE', `/api/v1/tickets/${t7.id}`, { token: admin.accessToken }), 204)
})

describe('manager reports equal a recount of the tickets', () => {
  it('tickets-by-status lists every status in lifecycle order', async () => {
    const tickets = await allTickets(admin)
    const counts = tally(tickets.map((t) => t.status))
    const body = await report<{
      data: { status: string; count: number }[]
      metadata: { totalTickets: number; generatedAt: string }
    }>(manager, 'tickets-by-status')
    expect(body.data).toEqual(
      ['open', 'in_progress', 'blocked', 'closed'].map((status) => ({ status, count: counts[status] ?? 0 })),
    )
    expect(body.metadata.totalTickets).toBe(tickets.length)
    expect(Date.parse(body.metadata.generatedAt)).not.toBeNaN()
  })

  it('tickets-by-priority lists every priority', async () => {
    const counts = tally((await allTickets(admin)).map((t) => t.priority))
    const body = await report<{ data: { priority: string; count: number }[] }>(manager, 'tickets-by-priority')
    expect(body.data).toEqual(
      ['low', 'medium', 'high', 'critical'].map((priority) => ({ priority, count: counts[priority] ?? 0 })),
    )
  })

  it('tickets-by-department names tickets without one Unassigned', async () => {
    const counts = tally((await allTickets(admin)).map((t) => t.department ?? 'Unassigned'))
    const body = await report<{ data: { department: string; count: number }[] }>(manager, 'tickets-by-department')
    expect(Object.fromEntries(body.data.map((row) => [row.department, row.count]))).toEqual(counts)
    const sorted = [...body.data].sort((a, b) => b.count - a.count || a.department.localeCompare(b.department))
    expect(body.data).toEqual(sorted)
  })

  it('the admin dashboard counts the whole workspace', async () => {
    const tickets = await allTickets(admin)
    const counts = tally(tickets.map((t) => t.status))
    const body = await report<Record<string, unknown>>(admin, 'dashboard')
    expect(body).toMatchObject({
      openTickets: counts.open ?? 0,
      inProgressTickets: counts.in_progress ?? 0,
      blockedTickets: counts.blocked ?? 0,
      closedTickets: counts.closed ?? 0,
      criticalTickets: tickets.filter((t) => t.priority === 'critical' && t.status !== 'closed').length,
    })
    const activity = body.recentActivity as { message: string }[]
    expect(activity).toHaveLength(10)
    expect(activity.some((a) => /^Mia Manager (moved|created|changed|updated|set)/.test(a.message))).toBe(true)
  })

  it('user-activity equals a recount from the remaining tickets’ history', async () => {
    const expected: Record<string, { ticketsCreated: number; ticketsAssigned: number; ticketsClosed: number }> = {}
    const bump = (userId: string | null, field: 'ticketsCreated' | 'ticketsAssigned' | 'ticketsClosed') => {
      if (!userId) return
      expected[userId] ??= { ticketsCreated: 0, ticketsAssigned: 0, ticketsClosed: 0 }
      expected[userId][field]++
    }
    for (const ticket of await allTickets(admin)) {
      for (const entry of await ticketHistory(admin, ticket.id)) {
        if (entry.action === 'created') {
          bump(entry.userId, 'ticketsCreated')
          for (const id of (entry.newValue as { assigneeIds: string[] }).assigneeIds) bump(id, 'ticketsAssigned')
        }
        if (entry.action === 'updated_assignees' || entry.action === 'workflow_assign_user') {
          const before = entry.oldValue as string[]
          for (const id of entry.newValue as string[]) if (!before.includes(id)) bump(id, 'ticketsAssigned')
        }
        if (
          (entry.action === 'updated_status' || entry.action === 'workflow_change_status') &&
          entry.newValue === 'closed'
        ) {
          bump(entry.userId, 'ticketsClosed')
        }
      }
    }
    type Row = {
      userId: string
      userName: string
      ticketsCreated: number
      ticketsAssigned: number
      ticketsClosed: number
    }
    const body = await report<{ data: Row[]; metadata: { days: number } }>(manager, 'user-activity?days=7')
    expect(body.metadata.days).toBe(7)
    expect(
      Object.fromEntries(
        body.data.map(({ userId, ticketsCreated, ticketsAssigned, ticketsClosed }) => [
          userId,
          { ticketsCreated, ticketsAssigned, ticketsClosed },
        ]),
      ),
    ).toEqual(expected)
    expect(body.data.find((row) => row.userId === alice.user.id)?.userName).toBe('Alice')
    const totals = body.data.map((row) => row.ticketsCreated + row.ticketsAssigned + row.ticketsClosed)
    expect(totals).toEqual([...totals].sort((a, b) => b - a))
  })
})

describe('GET /api/v1/reports/dashboard for a plain user', () => {
  it('counts only the tickets it reported or is assigned to', async () => {
    const mine = await allTickets(alice)
    const counts = tally(mine.map((t) => t.status))
    const body = await report<Record<string, unknown> & { recentActivity: { ticketId: string }[] }>(alice, 'dashboard')
    expect(body).toMatchObject({
      openTickets: counts.open ?? 0,
      inProgressTickets: counts.in_progress ?? 0,
      blockedTickets: counts.blocked ?? 0,
      closedTickets: counts.closed ?? 0,
      criticalTickets: mine.filter((t) => t.priority === 'critical' && t.status !== 'closed').length,
      ticketsByPriority: ['low', 'medium', 'high', 'critical'].map((priority) => ({
        priority,
        count: mine.filter((t) => t.priority === priority).length,
      })),
    })
    const visible = new Set(mine.map((t) => t.id))
    expect(body.recentActivity.length).toBeGreaterThan(0)
    for (const item of body.recentActivity) expect(visible.has(item.ticketId)).toBe(true)
  })
})

describe('access and validation', () => {
  it('refuses the four workspace reports to plain users (403)', async () => {
    for (const path of ['tickets-by-status', 'tickets-by-priority', 'tickets-by-department', 'user-activity']) {
      const res = await call('GET', `/api/v1/reports/${path}`, { token: alice.accessToken })
      await expectError(res, 403, 'E_AUTH_INSUFFICIENT_PERMISSIONS')
    }
  })

  it('validates days (1–365)', async () => {
    for (const days of ['0', '366', 'abc', '1.5']) {
      const res = await call('GET', `/api/v1/reports/user-activity?days=${days}`, { token: manager.accessToken })
      await expectError(res, 422, 'E_VALIDATION_ERROR')
    }
    const body = await report<{ metadata: { days: number } }>(manager, 'user-activity')
    expect(body.metadata.days).toBe(30)
  })
})
