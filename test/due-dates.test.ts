/**
 * Due dates: `dueAt` on create and in the partial PUT (ISO 8601 with `Z` or an offset, or null;
 * answered in UTC with milliseconds; the same instant in another offset is no change), its history;
 * the list filters `due_before` / `due_after` (strict) and `overdue`; sorting by `dueAt` / `-dueAt`
 * with nulls last both ways and keyset cursors that neither skip nor repeat (over all tickets, a
 * plain user's own, and a label's); and the dashboard's `overdueTickets`, in workspaces of their own
 * so the counts are exact: at once for a past due date, at the due instant for a future one (the
 * test moves the clock and runs the object's alarm), and no more once closed, cleared or deleted.
 */
import { runDurableObjectAlarm } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  call,
  createProject,
  createTicket,
  createWorkspace,
  expectError,
  expectStatus,
  loginTo,
  nextLink,
  type Session,
  type Ticket,
  ticketHistory,
  uniqueEmail,
  updateTicket,
  userWithRole,
} from './helpers'

const DAY = 24 * 60 * 60 * 1000
const past = (days = 1) => new Date(Date.now() - days * DAY).toISOString()
const future = (days = 1) => new Date(Date.now() + days * DAY).toISOString()

let manager: Session
let reporter: Session

beforeAll(async () => {
  manager = await userWithRole('manager')
  reporter = await userWithRole('user')
})

afterEach(() => {
  vi.useRealTimers()
})

/** A request as `session`. */
const send = (session: Session, method: string, path: string, body?: unknown) =>
  call(method, path, { token: session.accessToken, body })

async function list(session: Session, query: string) {
  const res = await call('GET', `/api/v1/tickets?${query}`, { token: session.accessToken })
  const items = await expectStatus<Ticket[]>(res, 200)
  return { ids: items.map((ticket) => ticket.id), total: Number(res.headers.get('X-Total-Count')) }
}

/** Follows `Link: rel="next"` from the first page to the last, returning every id seen. */
async function walk(session: Session, first: string) {
  const ids: string[] = []
  let path: string | null = first
  while (path) {
    const res = await call('GET', path, { token: session.accessToken })
    ids.push(...(await expectStatus<Ticket[]>(res, 200)).map((ticket) => ticket.id))
    path = nextLink(res)
  }
  return ids
}

describe('dueAt on a ticket', () => {
  it('takes Z or an offset and answers in UTC with milliseconds; null clears it; changes are in history', async () => {
    const ticket = await createTicket(reporter, { dueAt: '2031-03-04T05:06:07+02:00' })
    expect(ticket.dueAt).toBe('2031-03-04T03:06:07.000Z')
    const read = await send(reporter, 'GET', `/api/v1/tickets/${ticket.id}`)
    expect((await expectStatus<Ticket>(read, 200)).dueAt).toBe('2031-03-04T03:06:07.000Z')
    // The same instant in another offset is no change.
    const same = await updateTicket(reporter, ticket.id, { dueAt: '2031-03-03T22:36:07.000-04:30' })
    expect(same).toMatchObject({ dueAt: ticket.dueAt, version: ticket.version })
    const moved = await updateTicket(reporter, ticket.id, { dueAt: '2031-03-05T00:00:00.5Z' })
    expect(moved).toMatchObject({ dueAt: '2031-03-05T00:00:00.500Z', version: ticket.version + 1 })
    const cleared = await updateTicket(reporter, ticket.id, { dueAt: null })
    expect(cleared).toMatchObject({ dueAt: null, version: ticket.version + 2 })
    const history = (await ticketHistory(reporter, ticket.id)).filter((entry) => entry.action === 'updated_due_date')
    expect(history.map((entry) => [entry.oldValue, entry.newValue])).toEqual([
      ['2031-03-04T03:06:07.000Z', '2031-03-05T00:00:00.500Z'],
      ['2031-03-05T00:00:00.500Z', null],
    ])
    expect((await createTicket(reporter)).dueAt).toBeNull()
  })

  it('refuses anything else (422), and instants it could not answer in UTC', async () => {
    const ticket = await createTicket(reporter)
    const refused = [
      '2031-03-04',
      '2031-03-04T05:06:07',
      '2031-03-04 05:06:07Z',
      '2031-02-29T00:00:00Z',
      '2031-03-04T05:06:07+0200',
      'tomorrow',
      1_900_000_000_000,
      // After 9999-12-31T23:59:59.999Z or before 0000-01-01T00:00:00Z once in UTC.
      '9999-12-31T23:30:00-01:00',
      '0000-01-01T00:30:00+01:00',
    ]
    for (const dueAt of refused) {
      const created = await send(reporter, 'POST', '/api/v1/tickets', { title: 'Bad', description: '', dueAt })
      await expectError(created, 422, 'E_VALIDATION_ERROR')
      const updated = await send(reporter, 'PUT', `/api/v1/tickets/${ticket.id}`, { dueAt })
      await expectError(updated, 422, 'E_VALIDATION_ERROR')
    }
    const queries = [
      'due_before=2031-03-04',
      'due_after=soon',
      'overdue=yes',
      'sort=dueat',
      'due_before=9999-12-31T23:30:00-01:00',
      'due_after=0000-01-01T00:30:00%2B01:00',
    ]
    for (const query of queries) {
      await expectError(await send(reporter, 'GET', `/api/v1/tickets?${query}`), 422, 'E_VALIDATION_ERROR')
    }
  })
})

describe('filters', () => {
  it('due_before and due_after are strict, take offsets, and never match a ticket without a due date', async () => {
    const { id: projectId } = await createProject(manager)
    const at = ['2032-01-01T10:00:00.000Z', '2032-01-02T10:00:00.000Z', '2032-01-03T10:00:00.000Z']
    const [t1, t2, t3] = await Promise.all(at.map((dueAt) => createTicket(manager, { projectId, dueAt })))
    await createTicket(manager, { projectId })
    const q = (query: string) => list(manager, `project_id=${projectId}&sort=dueAt&${query}`)
    expect(await q(`due_before=${at[1]}`)).toEqual({ ids: [t1?.id], total: 1 })
    expect(await q(`due_after=${at[1]}`)).toEqual({ ids: [t3?.id], total: 1 })
    expect(await q(`due_after=${at[0]}&due_before=${at[2]}`)).toEqual({ ids: [t2?.id], total: 1 })
    // 2032-01-02T12:00+02:00 is 10:00Z: still strict.
    expect(await q(`due_before=${encodeURIComponent('2032-01-02T12:00:00+02:00')}`)).toEqual({
      ids: [t1?.id],
      total: 1,
    })
    expect(await q(`due_before=${encodeURIComponent('2032-01-02T12:00:00.001+02:00')}`)).toEqual({
      ids: [t1?.id, t2?.id],
      total: 2,
    })
    expect(await q('due_after=1970-01-01T00:00:00Z')).toEqual({ ids: [t1?.id, t2?.id, t3?.id], total: 3 })
    expect(await q('due_before=9999-12-31T23:59:59Z')).toEqual({ ids: [t1?.id, t2?.id, t3?.id], total: 3 })
  })

  it('overdue=true is due in the past and not closed; overdue=false is the rest', async () => {
    const { id: projectId } = await createProject(manager)
    const make = (body: Record<string, unknown>) => createTicket(reporter, { projectId, ...body })
    const late = await make({ dueAt: past() })
    const lateWorking = await make({ dueAt: past(2) })
    await updateTicket(manager, lateWorking.id, { status: 'in_progress' })
    const lateClosed = await make({ dueAt: past() })
    await updateTicket(manager, lateClosed.id, { status: 'closed' })
    const notYet = await make({ dueAt: future() })
    const never = await make({})
    const elsewhere = await createTicket(manager, { projectId, dueAt: past() })

    expect(await list(manager, `project_id=${projectId}&overdue=true`)).toEqual({
      ids: [elsewhere.id, lateWorking.id, late.id],
      total: 3,
    })
    expect(await list(manager, `project_id=${projectId}&overdue=false`)).toEqual({
      ids: [never.id, notYet.id, lateClosed.id],
      total: 3,
    })
    // A plain user's list is its own tickets.
    expect((await list(reporter, `project_id=${projectId}&overdue=true`)).ids).toEqual([lateWorking.id, late.id])
    await updateTicket(manager, late.id, { status: 'closed' })
    expect((await list(reporter, `project_id=${projectId}&overdue=true`)).ids).toEqual([lateWorking.id])
  })
})

describe('sorting by dueAt', () => {
  it('orders ascending and descending with nulls last, ties by creation, and pages without gaps or repeats', async () => {
    const tag = `due-${crypto.randomUUID().slice(0, 8)}`
    await expectStatus(
      await call('POST', '/api/v1/labels', { token: manager.accessToken, body: { name: tag, color: '#123456' } }),
      201,
    )
    const { id: projectId } = await createProject(manager)
    const dues = {
      a: '2033-01-02T00:00:00Z',
      b: null,
      c: '2033-01-01T00:00:00Z',
      d: '2033-01-02T00:00:00Z',
      e: null,
      f: '2032-12-31T23:00:00-02:00',
      g: '2033-01-03T00:00:00Z',
    }
    const made: Record<string, string> = {}
    for (const [name, dueAt] of Object.entries(dues)) {
      made[name] = (await createTicket(reporter, { projectId, dueAt, labels: [tag] })).id
    }
    const ids = (names: string) => [...names].map((name) => made[name])
    const ascending = ids('cfadgbe')
    const descending = ids('gdafceb')
    const scopes = [
      { session: manager, filter: `project_id=${projectId}` },
      { session: reporter, filter: `project_id=${projectId}` },
      { session: manager, filter: `label=${tag}` },
    ]
    for (const { session, filter } of scopes) {
      for (const [sort, expected] of [
        ['dueAt', ascending],
        ['-dueAt', descending],
      ] as const) {
        expect((await list(session, `${filter}&sort=${sort}&limit=200`)).ids).toEqual(expected)
        for (const limit of [1, 2, 3]) {
          const seen = await walk(session, `/api/v1/tickets?${filter}&sort=${sort}&limit=${limit}`)
          expect(seen, `${filter} sort=${sort} limit=${limit}`).toEqual(expected)
        }
      }
    }
    // A cursor of one sort is refused by another.
    const first = await call('GET', `/api/v1/tickets?project_id=${projectId}&sort=dueAt&limit=1`, {
      token: manager.accessToken,
    })
    await expectStatus(first, 200)
    const cursor = new URL(nextLink(first) ?? '', 'https://api.test').searchParams.get('cursor')
    const mixed = await send(manager, 'GET', `/api/v1/tickets?project_id=${projectId}&cursor=${cursor}`)
    await expectError(mixed, 422, 'E_VALIDATION_ERROR')
  })
})

/** A fresh workspace with a manager and two plain users in it. */
async function workspace() {
  const created = await createWorkspace()
  const slug = created.workspace.slug
  const member = async (role: 'user' | 'manager') => {
    const email = uniqueEmail(role)
    const password = `pw-${crypto.randomUUID()}`
    const body = { name: `${role} in ${slug}`, email, password, role }
    await expectStatus(await call('POST', '/api/v1/users', { token: created.session.accessToken, body }), 201)
    return loginTo(slug, email, password)
  }
  return {
    slug,
    admin: created.session,
    manager: await member('manager'),
    alice: await member('user'),
    bob: await member('user'),
  }
}

async function overdueCount(session: Session) {
  const res = await call('GET', '/api/v1/reports/dashboard', { token: session.accessToken })
  return (await expectStatus<{ overdueTickets: number }>(res, 200)).overdueTickets
}

describe('the dashboard’s overdueTickets', () => {
  it('counts past due, not closed tickets: workspace-wide for a manager, its own for a plain user', async () => {
    const { admin, manager: boss, alice, bob } = await workspace()
    const counts = async () => [await overdueCount(boss), await overdueCount(alice), await overdueCount(bob)]
    expect(await counts()).toEqual([0, 0, 0])
    const first = await createTicket(alice, { dueAt: past() })
    expect(await counts()).toEqual([1, 1, 0])
    const second = await createTicket(bob, { dueAt: past(3) })
    await createTicket(bob, { dueAt: future() })
    await createTicket(bob)
    expect(await counts()).toEqual([2, 1, 1])
    // Assigned to Alice: hers too.
    await updateTicket(boss, second.id, { assigneeIds: [alice.user.id] })
    expect(await counts()).toEqual([2, 2, 1])
    expect((await list(boss, 'overdue=true')).total).toBe(2)

    await updateTicket(boss, first.id, { status: 'closed' })
    expect(await counts()).toEqual([1, 1, 1])
    await updateTicket(boss, first.id, { status: 'open' })
    expect(await counts()).toEqual([2, 2, 1])
    await updateTicket(alice, first.id, { dueAt: null })
    expect(await counts()).toEqual([1, 1, 1])
    await updateTicket(alice, first.id, { dueAt: future() })
    expect(await counts()).toEqual([1, 1, 1])
    await updateTicket(alice, first.id, { dueAt: past() })
    expect(await counts()).toEqual([2, 2, 1])
    await expectStatus(await call('DELETE', `/api/v1/tickets/${second.id}`, { token: admin.accessToken }), 204)
    expect(await counts()).toEqual([1, 1, 0])
    expect((await list(boss, 'overdue=true')).ids).toEqual([first.id])
  })

  it('counts a future due date once its instant passes (the object’s alarm)', async () => {
    const { slug, manager: boss, alice } = await workspace()
    const dueAt = new Date(Date.now() + 60_000).toISOString()
    const ticket = await createTicket(alice, { dueAt })
    expect(await overdueCount(boss)).toBe(0)
    expect((await list(boss, 'overdue=true')).total).toBe(0)

    // At the due instant itself, the dashboard and the list agree that it is overdue.
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.parse(dueAt) - 1)
    await runDurableObjectAlarm(env.WORKSPACE.getByName(slug))
    expect(await overdueCount(boss)).toBe(0)
    expect((await list(boss, 'overdue=true')).total).toBe(0)
    vi.setSystemTime(Date.parse(dueAt))
    await runDurableObjectAlarm(env.WORKSPACE.getByName(slug))
    expect(await overdueCount(boss)).toBe(1)
    expect(await overdueCount(alice)).toBe(1)
    expect((await list(boss, 'overdue=true')).ids).toEqual([ticket.id])
    await updateTicket(boss, ticket.id, { status: 'closed' })
    expect(await overdueCount(boss)).toBe(0)
  })
})
