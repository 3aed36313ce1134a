/**
 * Listing tickets (GET /api/v1/tickets and /my): every filter, full-text search, sorting, the
 * X-Total-Count of each filter (kept as counters, so it must track reassignments and deletes),
 * cursor paging that never skips or repeats a ticket while tickets are being created, and the
 * query plans that keep every filter on an index. Four tickets are set up once for the file.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Workspace } from '../src/store/workspace'
import {
  asAdmin,
  call,
  createProject,
  createTicket,
  expectError,
  expectStatus,
  nextLink,
  type Session,
  type Ticket,
  updateTicket,
  userWithRole,
} from './helpers'

let manager: Session
let reporter: Session
let assignee: Session
let projectId: string
const made: Record<string, Ticket> = {}

const create = (session: Session, body: Record<string, unknown>) => createTicket(session, { description: '', ...body })

async function list(session: Session, query: string) {
  const res = await call('GET', `/api/v1/tickets?${query}`, { token: session.accessToken })
  return { res, items: await expectStatus<Ticket[]>(res, 200) }
}

const titles = (items: Ticket[]) => items.map((ticket) => ticket.title)

/** Follows `Link: rel="next"` from a first page to the end, returning every id seen. */
async function walk(session: Session, first: string, between?: () => Promise<void>) {
  const ids: string[] = []
  let path: string | null = first
  while (path) {
    const res = await call('GET', path, { token: session.accessToken })
    ids.push(...(await expectStatus<Ticket[]>(res, 200)).map((ticket) => ticket.id))
    path = nextLink(res)
    if (between) await between()
  }
  return ids
}

beforeAll(async () => {
  manager = await userWithRole('manager')
  reporter = await userWithRole('user')
  assignee = await userWithRole('user')
  projectId = (await createProject(manager, { name: 'List' })).id
  made.printer = await create(reporter, { title: 'Printer jam on floor three', priority: 'low', department: 'IT' })
  made.email = await create(reporter, {
    title: 'Email bounce',
    description: 'Mail to partners bounces',
    priority: 'critical',
  })
  made.vpn = await create(manager, {
    title: 'VPN drops',
    priority: 'high',
    department: 'Ops',
    projectId,
    assigneeIds: [assignee.user.id],
  })
  made.coffee = await create(manager, { title: 'Coffee machine', priority: 'medium', department: 'Facilities' })
  await updateTicket(manager, made.vpn.id, { status: 'in_progress' })
})

describe('GET /api/v1/tickets filters', () => {
  it('filters by status, priority, department, project, reporter and assignee', async () => {
    expect(titles((await list(manager, 'status=in_progress')).items)).toEqual(['VPN drops'])
    expect(titles((await list(manager, 'priority=critical')).items)).toEqual(['Email bounce'])
    expect(titles((await list(manager, 'department=Facilities')).items)).toEqual(['Coffee machine'])
    expect(titles((await list(manager, `project_id=${projectId}`)).items)).toEqual(['VPN drops'])
    expect(titles((await list(manager, `reporter_id=${reporter.user.id}&sort=createdAt`)).items)).toEqual([
      'Printer jam on floor three',
      'Email bounce',
    ])
    expect(titles((await list(manager, `assignee_id=${assignee.user.id}`)).items)).toEqual(['VPN drops'])
  })

  it('combines filters with AND and reports the matching count', async () => {
    const { res, items } = await list(manager, `reporter_id=${reporter.user.id}&priority=low`)
    expect(titles(items)).toEqual(['Printer jam on floor three'])
    expect(res.headers.get('X-Total-Count')).toBe('1')
  })

  it('searches words in title and description by prefix (q)', async () => {
    expect(titles((await list(manager, 'q=print')).items)).toEqual(['Printer jam on floor three'])
    expect(titles((await list(manager, 'q=partners')).items)).toEqual(['Email bounce'])
    expect(titles((await list(manager, 'q=floor%20jam')).items)).toEqual(['Printer jam on floor three'])
    expect((await list(manager, 'q=%22%3B%20DROP%20TABLE%20tickets')).items).toEqual([])
    expect((await list(manager, 'q=***')).items).toEqual([])
  })

  it('sorts by priority and creation, both ways', async () => {
    const mine = `reporter_id=${reporter.user.id}`
    expect(titles((await list(manager, `${mine}&sort=priority`)).items)).toEqual([
      'Printer jam on floor three',
      'Email bounce',
    ])
    expect(titles((await list(manager, `${mine}&sort=-priority`)).items)).toEqual([
      'Email bounce',
      'Printer jam on floor three',
    ])
    expect(titles((await list(manager, `${mine}&sort=-createdAt`)).items)).toEqual([
      'Email bounce',
      'Printer jam on floor three',
    ])
    const byUpdate = (await list(manager, 'sort=-updatedAt&limit=1')).items
    expect(byUpdate[0]?.title).toBe('VPN drops')
  })

  it('keeps a plain user’s filters inside what it may see', async () => {
    expect(titles((await list(reporter, 'priority=high')).items)).toEqual([])
    expect(titles((await list(assignee, 'priority=high')).items)).toEqual(['VPN drops'])
  })

  it('validates the query', async () => {
    for (const query of [
      'status=done',
      'priority=urgent',
      'sort=title',
      'assignee_id=nope',
      'limit=500',
      'cursor=%%%',
    ]) {
      await expectError(
        await call('GET', `/api/v1/tickets?${query}`, { token: manager.accessToken }),
        422,
        'E_VALIDATION_ERROR',
      )
    }
  })
})

describe('X-Total-Count', () => {
  it('matches the items for every filter, including those counted from aggregates', async () => {
    const admin = await asAdmin()
    // Change who is involved, and delete one ticket, so the kept counts have something to track.
    const coffee = made.coffee?.id ?? ''
    await updateTicket(manager, coffee, { assigneeIds: [assignee.user.id, reporter.user.id] })
    await updateTicket(manager, coffee, { assigneeIds: [reporter.user.id] })
    // A reporter who is also an assignee is involved once; assignees keep the order given.
    const selfAssigned = await create(manager, {
      title: 'Self-assigned',
      assigneeIds: [assignee.user.id, manager.user.id],
    })
    expect(selfAssigned.assigneeIds).toEqual([assignee.user.id, manager.user.id])
    const doomed = await create(reporter, { title: 'Doomed', department: 'IT', assigneeIds: [] })
    await expectStatus(await call('DELETE', `/api/v1/tickets/${doomed.id}`, { token: manager.accessToken }), 204)
    for (const [session, path] of [
      [admin, '/api/v1/tickets?limit=200'],
      [admin, '/api/v1/tickets?status=open&limit=200'],
      [admin, '/api/v1/tickets?priority=high&limit=200'],
      [admin, '/api/v1/tickets?department=IT&limit=200'],
      [reporter, '/api/v1/tickets/my?limit=200'],
      [assignee, '/api/v1/tickets/my?limit=200'],
      [manager, '/api/v1/tickets/my?limit=200'],
      [reporter, '/api/v1/tickets?limit=200'],
    ] as const) {
      const res = await call('GET', path, { token: session.accessToken })
      const items = await expectStatus<Ticket[]>(res, 200)
      expect(Number(res.headers.get('X-Total-Count')), path).toBe(items.length)
    }
  })
})

describe('paging', () => {
  it('never skips or repeats a ticket while new tickets are created between pages', async () => {
    const admin = await asAdmin()
    const before = (await list(admin, 'limit=200&sort=createdAt')).items.map((ticket) => ticket.id)
    for (const sort of ['createdAt', '-createdAt', 'priority', '-priority', 'dueAt', '-dueAt']) {
      const seen = await walk(admin, `/api/v1/tickets?limit=2&sort=${sort}`, async () => {
        await create(admin, { title: `Created while paging by ${sort}` })
      })
      expect(new Set(seen).size, sort).toBe(seen.length)
      for (const id of before) expect(seen, sort).toContain(id)
    }
  })

  it('carries the filters into the next link', async () => {
    const first = await list(manager, `reporter_id=${reporter.user.id}&limit=1`)
    expect(first.res.headers.get('Link')).toContain(`reporter_id=${reporter.user.id}`)
    const ids = await walk(manager, `/api/v1/tickets?reporter_id=${reporter.user.id}&limit=1`)
    expect(ids).toHaveLength(2)
  })
})

describe('indexes', () => {
  it('sorts by due date along an index, nulls last both ways', async () => {
    const plans = await runInDurableObject(env.WORKSPACE.getByName('default'), (_instance: Workspace, state) =>
      ['due_asc ASC, seq ASC', 'due_desc DESC, seq DESC'].map((order) =>
        state.storage.sql
          .exec<{ detail: string }>(`EXPLAIN QUERY PLAN SELECT * FROM tickets ORDER BY ${order} LIMIT 51`)
          .toArray()
          .map((row) => row.detail),
      ),
    )
    expect(plans).toEqual([
      ['SCAN tickets USING INDEX tickets_by_due_asc'],
      ['SCAN tickets USING INDEX tickets_by_due_desc'],
    ])
  })

  it('serves every filter, lookup and /my without scanning the tickets table', async () => {
    const plans = await runInDurableObject(env.WORKSPACE.getByName('default'), (_instance: Workspace, state) => {
      const plan = (query: string, ...params: (string | number)[]) =>
        state.storage.sql
          .exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`, ...params)
          .toArray()
          .map((row) => row.detail)
      const page = (where: string, ...params: (string | number)[]) =>
        plan(`SELECT * FROM tickets WHERE ${where} ORDER BY seq DESC LIMIT 51`, ...params)
      return {
        byId: plan('SELECT * FROM tickets WHERE id = ?', 'x'),
        byKey: plan('SELECT * FROM tickets WHERE key = ?', 'TSK-1'),
        status: page('status = ?', 'open'),
        priority: page('priority = ?', 'high'),
        department: page('department = ?', 'IT'),
        project: page('project_id = ?', 'p'),
        reporter: page('reporter_id = ?', 'u'),
        assignee: page('id IN (SELECT ticket_id FROM ticket_assignees WHERE user_id = ?)', 'u'),
        my: plan(
          'SELECT t.* FROM ticket_parties p JOIN tickets t ON t.seq = p.seq WHERE p.user_id = ? ORDER BY p.seq DESC LIMIT 51',
          'u',
        ),
        myCount: plan('SELECT count(*) FROM ticket_parties p JOIN tickets t ON t.seq = p.seq WHERE p.user_id = ?', 'u'),
        text: page('seq IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?)', '"x"*'),
        label: plan(
          'SELECT t.* FROM ticket_labels l JOIN tickets t ON t.seq = l.seq WHERE l.label_id = ? ORDER BY l.seq DESC LIMIT 51',
          'l',
        ),
        anyLabel: page(
          'seq IN (SELECT seq FROM ticket_labels WHERE label_id IN (SELECT value FROM json_each(?)))',
          '["a","b"]',
        ),
        anyLabelAlone: page(
          `seq IN (${['a', 'b'].map(() => 'SELECT seq FROM (SELECT seq FROM ticket_labels WHERE label_id = ? AND seq < ? ORDER BY seq DESC LIMIT 51)').join(' UNION ')})`,
          'a',
          1e9,
          'b',
          1e9,
        ),
        dueBefore: page('seq IN (SELECT seq FROM tickets WHERE due_asc < ?)', '2026-01-01T00:00:00.000Z'),
        dueAfter: page('seq IN (SELECT seq FROM tickets WHERE due_desc > ?)', '2026-01-01T00:00:00.000Z'),
        deadline: plan('SELECT min(due_at) AS at FROM deadlines'),
        dueNow: plan('SELECT seq, kind, due_at FROM deadlines WHERE due_at <= ? ORDER BY due_at LIMIT 50', 'x'),
        watchers: plan('SELECT * FROM ticket_watchers WHERE ticket_seq = ? AND seq > ? ORDER BY seq LIMIT 51', 1, 0),
        history: plan('SELECT * FROM ticket_history WHERE ticket_id = ? AND seq > ? ORDER BY seq LIMIT 51', 't', 0),
        comments: plan('SELECT * FROM ticket_comments WHERE ticket_id = ? AND seq > ? ORDER BY seq LIMIT 51', 't', 0),
      }
    })
    for (const [name, steps] of Object.entries(plans)) {
      // Every table is reached through an index (SEARCH …); the only SCANs allowed are the FTS5
      // index and a subquery's own rows (each label's range, at most a page long).
      const scans = steps.filter(
        (step) =>
          step.startsWith('SCAN') && !step.includes('VIRTUAL TABLE INDEX') && !step.startsWith('SCAN (subquery-'),
      )
      expect(scans, `${name}: ${steps.join(' | ')}`).toEqual([])
      expect(
        steps.some((step) => step.startsWith('SEARCH')),
        name,
      ).toBe(true)
    }
  })
})
