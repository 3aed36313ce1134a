import { describe, expect, it } from 'vitest'
import { asAdmin, call, expectError, type Session, userWithRole } from './helpers'

type Ticket = {
  id: string
  key: string
  title: string
  description: string
  status: string
  priority: string
  department: string | null
  projectId: string | null
  reporterId: string
  assigneeIds: string[]
  version: number
  createdAt: string
  updatedAt: string
}
type HistoryEntry = { action: string; userId: string | null; oldValue: unknown; newValue: unknown }

async function createTicket(session: Session, body: Record<string, unknown> = {}, headers?: Record<string, string>) {
  const res = await call('POST', '/api/v1/tickets', {
    token: session.accessToken,
    body: { title: 'Printer on fire', description: 'Smoke since 9am', ...body },
    headers,
  })
  if (res.status !== 201) throw new Error(`create → ${res.status} ${await res.text()}`)
  return res.json<Ticket>()
}

const update = (session: Session, id: string, body: unknown, headers?: Record<string, string>) =>
  call('PUT', `/api/v1/tickets/${id}`, { token: session.accessToken, body, headers })

async function history(session: Session, id: string) {
  const res = await call('GET', `/api/v1/tickets/${id}/history?limit=200`, { token: session.accessToken })
  expect(res.status).toBe(200)
  return res.json<HistoryEntry[]>()
}

const keyNumber = (key: string) => Number(key.split('-')[1])

describe('POST /api/v1/tickets', () => {
  it('creates an open, medium ticket reported by the caller: 201, Location, ETag, TSK key', async () => {
    const user = await userWithRole('user')
    const res = await call('POST', '/api/v1/tickets/', {
      token: user.accessToken,
      body: { title: '  Laptop will not boot ', description: 'Blue screen' },
    })
    expect(res.status).toBe(201)
    const ticket = await res.json<Ticket>()
    expect(ticket).toMatchObject({
      title: 'Laptop will not boot',
      status: 'open',
      priority: 'medium',
      department: null,
      projectId: null,
      reporterId: user.user.id,
      assigneeIds: [],
      version: 1,
    })
    expect(ticket.key).toMatch(/^TSK-\d{4,}$/)
    expect(keyNumber(ticket.key)).toBeGreaterThanOrEqual(1001)
    expect(res.headers.get('Location')).toBe(`/api/v1/tickets/${ticket.id}`)
    expect(res.headers.get('ETag')).toBe('"1"')
    const entries = await history(user, ticket.id)
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ action: 'created', userId: user.user.id, oldValue: null })
  })

  it('numbers keys consecutively and never reuses a deleted ticket’s key', async () => {
    const admin = await asAdmin()
    const first = await createTicket(admin)
    const second = await createTicket(admin)
    expect(keyNumber(second.key)).toBe(keyNumber(first.key) + 1)
    expect((await call('DELETE', `/api/v1/tickets/${second.id}`, { token: admin.accessToken })).status).toBe(204)
    const third = await createTicket(admin)
    expect(keyNumber(third.key)).toBe(keyNumber(second.key) + 1)
  })

  it('lets managers assign active users, and refuses unknown or inactive ones with 400', async () => {
    const admin = await asAdmin()
    const manager = await userWithRole('manager')
    const worker = await userWithRole('user')
    const ticket = await createTicket(manager, { assigneeIds: [worker.user.id, worker.user.id], priority: 'high' })
    expect(ticket.assigneeIds).toEqual([worker.user.id])
    const unknown = crypto.randomUUID()
    const res = await call('POST', '/api/v1/tickets', {
      token: manager.accessToken,
      body: { title: 'x', description: '', assigneeIds: [unknown] },
    })
    const body = await expectError(res, 400, 'E_TICKET_INVALID_ASSIGNEE')
    expect(body.details).toEqual({ invalid: [unknown] })
    const inactive = await userWithRole('user')
    await call('PUT', `/api/v1/users/${inactive.user.id}`, { token: admin.accessToken, body: { active: false } })
    await expectError(
      await call('POST', '/api/v1/tickets', {
        token: manager.accessToken,
        body: { title: 'x', description: '', assigneeIds: [inactive.user.id] },
      }),
      400,
      'E_TICKET_INVALID_ASSIGNEE',
    )
  })

  it('refuses assignees from a plain user (403) and an unknown project (400 E_PROJECT_NOT_FOUND)', async () => {
    const user = await userWithRole('user')
    const res = await call('POST', '/api/v1/tickets', {
      token: user.accessToken,
      body: { title: 'x', description: '', assigneeIds: [user.user.id] },
    })
    await expectError(res, 403, 'E_AUTH_INSUFFICIENT_PERMISSIONS')
    const projectId = crypto.randomUUID()
    const missing = await call('POST', '/api/v1/tickets', {
      token: user.accessToken,
      body: { title: 'x', description: '', projectId },
    })
    expect((await expectError(missing, 400, 'E_PROJECT_NOT_FOUND')).details).toEqual({ projectId })
  })

  it('validates the body', async () => {
    const user = await userWithRole('user')
    for (const body of [
      { description: 'no title' },
      { title: '', description: '' },
      { title: 'x'.repeat(201), description: '' },
      { title: 'x', description: 'x'.repeat(10_001) },
      { title: 'x', description: '', priority: 'urgent' },
      { title: 'x', description: '', status: 'closed' },
      { title: 'x', description: '', reporterId: user.user.id },
    ]) {
      await expectError(
        await call('POST', '/api/v1/tickets', { token: user.accessToken, body }),
        422,
        'E_VALIDATION_ERROR',
      )
    }
  })
})

describe('Idempotency-Key on POST /api/v1/tickets', () => {
  it('returns the first ticket for a retry with the same key and body', async () => {
    const user = await userWithRole('user')
    const key = `retry-${crypto.randomUUID()}`
    const first = await createTicket(user, { title: 'Once only' }, { 'Idempotency-Key': key })
    const res = await call('POST', '/api/v1/tickets', {
      token: user.accessToken,
      body: { title: 'Once only', description: 'Smoke since 9am' },
      headers: { 'Idempotency-Key': key },
    })
    expect(res.status).toBe(201)
    expect(res.headers.get('Idempotent-Replayed')).toBe('true')
    expect(await res.json<Ticket>()).toEqual(first)
    const mine = await call('GET', '/api/v1/tickets/my?limit=200', { token: user.accessToken })
    expect((await mine.json<Ticket[]>()).filter((ticket) => ticket.title === 'Once only')).toHaveLength(1)
  })

  it('refuses the same key with a different body (422 E_IDEMPOTENCY_KEY_REUSED)', async () => {
    const user = await userWithRole('user')
    const key = `reuse-${crypto.randomUUID()}`
    await createTicket(user, { title: 'First' }, { 'Idempotency-Key': key })
    const res = await call('POST', '/api/v1/tickets', {
      token: user.accessToken,
      body: { title: 'Second', description: 'different' },
      headers: { 'Idempotency-Key': key },
    })
    await expectError(res, 422, 'E_IDEMPOTENCY_KEY_REUSED')
  })

  it('keeps keys per caller', async () => {
    const alice = await userWithRole('user')
    const bob = await userWithRole('user')
    const key = `shared-${crypto.randomUUID()}`
    const a = await createTicket(alice, {}, { 'Idempotency-Key': key })
    const b = await createTicket(bob, {}, { 'Idempotency-Key': key })
    expect(a.id).not.toBe(b.id)
  })
})

describe('visibility', () => {
  it('hides a ticket from plain users who neither reported nor are assigned: 404 on every route', async () => {
    const reporter = await userWithRole('user')
    const stranger = await userWithRole('user')
    const ticket = await createTicket(reporter)
    const id = ticket.id
    for (const [method, path, body] of [
      ['GET', `/api/v1/tickets/${id}`],
      ['GET', `/api/v1/tickets/key/${ticket.key}`],
      ['GET', `/api/v1/tickets/${id}/history`],
      ['GET', `/api/v1/tickets/${id}/comments`],
      ['POST', `/api/v1/tickets/${id}/comments`, { body: 'hi' }],
      ['PUT', `/api/v1/tickets/${id}`, { title: 'mine now' }],
      ['DELETE', `/api/v1/tickets/${id}`],
    ] as const) {
      const res = await call(method, path, { token: stranger.accessToken, body })
      await expectError(res, 404, 'E_TICKET_NOT_FOUND')
    }
    const list = await call('GET', '/api/v1/tickets?limit=200', { token: stranger.accessToken })
    expect((await list.json<Ticket[]>()).map((t) => t.id)).not.toContain(id)
  })

  it('shows a ticket to its assignees and to managers', async () => {
    const manager = await userWithRole('manager')
    const assignee = await userWithRole('user')
    const ticket = await createTicket(manager, { assigneeIds: [assignee.user.id] })
    expect((await call('GET', `/api/v1/tickets/${ticket.id}`, { token: assignee.accessToken })).status).toBe(200)
    const other = await userWithRole('manager')
    expect((await call('GET', `/api/v1/tickets/key/${ticket.key}`, { token: other.accessToken })).status).toBe(200)
  })

  it('lists for a plain user only what it reported or is assigned to', async () => {
    const manager = await userWithRole('manager')
    const user = await userWithRole('user')
    const reported = await createTicket(user)
    const assigned = await createTicket(manager, { assigneeIds: [user.user.id] })
    await createTicket(manager)
    const res = await call('GET', '/api/v1/tickets?limit=200', { token: user.accessToken })
    const ids = (await res.json<Ticket[]>()).map((ticket) => ticket.id).sort()
    expect(ids).toEqual([reported.id, assigned.id].sort())
    expect(res.headers.get('X-Total-Count')).toBe('2')
    const my = await call('GET', '/api/v1/tickets/my', { token: user.accessToken })
    expect((await my.json<Ticket[]>()).map((ticket) => ticket.id).sort()).toEqual(ids)
  })
})

describe('PUT /api/v1/tickets/{ticketId}', () => {
  it('follows the lifecycle and refuses other transitions with 400, from, to and allowed', async () => {
    const user = await userWithRole('user')
    const ticket = await createTicket(user)
    const refused = await update(user, ticket.id, { status: 'blocked' })
    const body = await expectError(refused, 400, 'E_TICKET_INVALID_STATUS_TRANSITION')
    expect(body.details).toEqual({ from: 'open', to: 'blocked', allowed: ['in_progress', 'closed'] })
    for (const status of ['in_progress', 'blocked', 'open', 'closed', 'in_progress']) {
      const res = await update(user, ticket.id, { status })
      expect(res.status, status).toBe(200)
      expect((await res.json<Ticket>()).status).toBe(status)
    }
    const statusChanges = (await history(user, ticket.id)).filter((entry) => entry.action === 'updated_status')
    expect(statusChanges.map((entry) => [entry.oldValue, entry.newValue])).toEqual([
      ['open', 'in_progress'],
      ['in_progress', 'blocked'],
      ['blocked', 'open'],
      ['open', 'closed'],
      ['closed', 'in_progress'],
    ])
  })

  it('treats setting the current status again as a no-op: no version bump, no history', async () => {
    const user = await userWithRole('user')
    const ticket = await createTicket(user)
    const res = await update(user, ticket.id, { status: 'open', title: ticket.title })
    expect(res.status).toBe(200)
    expect((await res.json<Ticket>()).version).toBe(1)
    expect(await history(user, ticket.id)).toHaveLength(1)
  })

  it('records one history entry per changed field, with old and new values, and bumps the version once', async () => {
    const manager = await userWithRole('manager')
    const assignee = await userWithRole('user')
    const ticket = await createTicket(manager)
    const res = await update(manager, ticket.id, {
      title: 'Renamed',
      priority: 'critical',
      department: 'IT',
      assigneeIds: [assignee.user.id],
    })
    const updated = await res.json<Ticket>()
    expect(updated).toMatchObject({ title: 'Renamed', priority: 'critical', department: 'IT', version: 2 })
    expect(res.headers.get('ETag')).toBe('"2"')
    const entries = (await history(manager, ticket.id)).slice(1)
    expect(entries.map((entry) => [entry.action, entry.oldValue, entry.newValue])).toEqual([
      ['updated_title', 'Printer on fire', 'Renamed'],
      ['updated_priority', 'medium', 'critical'],
      ['updated_department', null, 'IT'],
      ['updated_assignees', [], [assignee.user.id]],
    ])
  })

  it('forbids a plain user to change assignees (403), even on its own ticket', async () => {
    const user = await userWithRole('user')
    const ticket = await createTicket(user)
    await expectError(await update(user, ticket.id, { assigneeIds: [] }), 403, 'E_AUTH_INSUFFICIENT_PERMISSIONS')
  })

  it('honours If-Match: 412 on a stale version, success on the current one or *', async () => {
    const user = await userWithRole('user')
    const ticket = await createTicket(user)
    const ok = await update(user, ticket.id, { title: 'v2' }, { 'If-Match': '"1"' })
    expect(ok.status).toBe(200)
    const stale = await update(user, ticket.id, { title: 'lost update' }, { 'If-Match': '"1"' })
    const body = await expectError(stale, 412, 'E_PRECONDITION_FAILED')
    expect(body.details).toMatchObject({ currentVersion: 2 })
    await expectError(
      await update(user, ticket.id, { title: 'x' }, { 'If-Match': 'garbage' }),
      412,
      'E_PRECONDITION_FAILED',
    )
    expect((await update(user, ticket.id, { title: 'v3' }, { 'If-Match': 'W/"2"' })).status).toBe(200)
    expect((await update(user, ticket.id, { title: 'v4' }, { 'If-Match': '*' })).status).toBe(200)
    const current = await call('GET', `/api/v1/tickets/${ticket.id}`, { token: user.accessToken })
    expect(current.headers.get('ETag')).toBe('"4"')
  })

  it('moves a ticket between projects and refuses an unknown one with 400', async () => {
    const manager = await userWithRole('manager')
    const ticket = await createTicket(manager)
    const projectId = crypto.randomUUID()
    await expectError(await update(manager, ticket.id, { projectId }), 400, 'E_PROJECT_NOT_FOUND')
    const key = `M${crypto.randomUUID().replace(/-/g, '').slice(0, 6).toUpperCase()}`
    const project = await (
      await call('POST', '/api/v1/projects', { token: manager.accessToken, body: { key, name: 'Moves' } })
    ).json<{ id: string }>()
    const moved = await (await update(manager, ticket.id, { projectId: project.id })).json<Ticket>()
    expect(moved.projectId).toBe(project.id)
    expect(moved.key).toBe(ticket.key)
  })

  it('refuses an empty patch and unknown fields with 422', async () => {
    const user = await userWithRole('user')
    const ticket = await createTicket(user)
    await expectError(await update(user, ticket.id, {}), 422, 'E_VALIDATION_ERROR')
    await expectError(await update(user, ticket.id, { version: 9 }), 422, 'E_VALIDATION_ERROR')
    await expectError(await update(user, ticket.id, { reporterId: crypto.randomUUID() }), 422, 'E_VALIDATION_ERROR')
  })
})

describe('DELETE /api/v1/tickets/{ticketId}', () => {
  it('is for managers and admins only', async () => {
    const user = await userWithRole('user')
    const manager = await userWithRole('manager')
    const ticket = await createTicket(user)
    await expectError(
      await call('DELETE', `/api/v1/tickets/${ticket.id}`, { token: user.accessToken }),
      403,
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
    )
    expect((await call('DELETE', `/api/v1/tickets/${ticket.id}`, { token: manager.accessToken })).status).toBe(204)
    await expectError(
      await call('GET', `/api/v1/tickets/${ticket.id}`, { token: manager.accessToken }),
      404,
      'E_TICKET_NOT_FOUND',
    )
    await expectError(
      await call('GET', `/api/v1/tickets/${ticket.id}/history`, { token: manager.accessToken }),
      404,
      'E_TICKET_NOT_FOUND',
    )
  })
})

describe('comments', () => {
  it('adds, lists oldest first and reads comments', async () => {
    const user = await userWithRole('user')
    const ticket = await createTicket(user)
    const path = `/api/v1/tickets/${ticket.id}/comments`
    const first = await call('POST', path, { token: user.accessToken, body: { body: 'First!' } })
    expect(first.status).toBe(201)
    const comment = await first.json<{ id: string; authorId: string; body: string }>()
    expect(comment).toMatchObject({ ticketId: ticket.id, authorId: user.user.id, ruleId: null, body: 'First!' })
    expect(first.headers.get('Location')).toBe(`${path}/${comment.id}`)
    await call('POST', path, { token: user.accessToken, body: { body: 'Second' } })
    const list = await call('GET', path, { token: user.accessToken })
    expect((await list.json<{ body: string }[]>()).map((c) => c.body)).toEqual(['First!', 'Second'])
    expect(list.headers.get('X-Total-Count')).toBe('2')
    const one = await call('GET', `${path}/${comment.id}`, { token: user.accessToken })
    expect((await one.json<{ body: string }>()).body).toBe('First!')
    await expectError(
      await call('GET', `${path}/${crypto.randomUUID()}`, { token: user.accessToken }),
      404,
      'E_COMMENT_NOT_FOUND',
    )
  })

  it('requires a body of 1–10000 characters', async () => {
    const user = await userWithRole('user')
    const ticket = await createTicket(user)
    const path = `/api/v1/tickets/${ticket.id}/comments`
    for (const body of [{ body: '' }, { body: '   ' }, { body: 'x'.repeat(10_001) }, {}]) {
      await expectError(await call('POST', path, { token: user.accessToken, body }), 422, 'E_VALIDATION_ERROR')
    }
    expect((await call('POST', path, { token: user.accessToken, body: { body: 'x'.repeat(10_000) } })).status).toBe(201)
  })
})

describe('deleting a user', () => {
  it('removes it from every ticket’s assignees, as a recorded change, and keeps its reports', async () => {
    const admin = await asAdmin()
    const leaver = await userWithRole('user')
    const reported = await createTicket(leaver)
    const assigned = await createTicket(admin, { assigneeIds: [leaver.user.id, admin.user.id] })
    expect((await call('DELETE', `/api/v1/users/${leaver.user.id}`, { token: admin.accessToken })).status).toBe(204)
    const after = await (
      await call('GET', `/api/v1/tickets/${assigned.id}`, { token: admin.accessToken })
    ).json<Ticket>()
    expect(after.assigneeIds).toEqual([admin.user.id])
    expect(after.version).toBe(2)
    const last = (await history(admin, assigned.id)).at(-1)
    expect(last).toMatchObject({
      action: 'updated_assignees',
      userId: admin.user.id,
      oldValue: [leaver.user.id, admin.user.id],
      newValue: [admin.user.id],
    })
    const kept = await (
      await call('GET', `/api/v1/tickets/${reported.id}`, { token: admin.accessToken })
    ).json<Ticket>()
    expect(kept.reporterId).toBe(leaver.user.id)
  })
})

describe('serialisation under concurrency', () => {
  it('applies 50 concurrent random status changes as a valid chain of transitions', async () => {
    const admin = await asAdmin()
    const ticket = await createTicket(admin)
    const statuses = ['open', 'in_progress', 'blocked', 'closed']
    const results = await Promise.all(
      Array.from({ length: 50 }, () => {
        const status = statuses[Math.floor(Math.random() * statuses.length)]
        return update(admin, ticket.id, { status }).then(async (res) => ({
          status: res.status,
          body: await res.json(),
        }))
      }),
    )
    for (const result of results) {
      expect([200, 400]).toContain(result.status)
      if (result.status === 400) expect(result.body).toMatchObject({ error: 'E_TICKET_INVALID_STATUS_TRANSITION' })
    }
    const allowed: Record<string, string[]> = {
      open: ['in_progress', 'closed'],
      in_progress: ['open', 'closed', 'blocked'],
      blocked: ['in_progress', 'open'],
      closed: ['open', 'in_progress'],
    }
    const steps = (await history(admin, ticket.id)).filter((entry) => entry.action === 'updated_status')
    let current = 'open'
    for (const step of steps) {
      expect(step.oldValue).toBe(current)
      expect(allowed[current]).toContain(step.newValue)
      current = String(step.newValue)
    }
    const final = await (await call('GET', `/api/v1/tickets/${ticket.id}`, { token: admin.accessToken })).json<Ticket>()
    expect(final.status).toBe(current)
    expect(final.version).toBe(1 + steps.length)
  })

  it('gives 50 concurrent creates 50 distinct, consecutive keys', async () => {
    const admin = await asAdmin()
    const tickets = await Promise.all(
      Array.from({ length: 50 }, (_, i) => createTicket(admin, { title: `Burst ${i}` })),
    )
    const numbers = tickets.map((ticket) => keyNumber(ticket.key)).sort((a, b) => a - b)
    expect(new Set(numbers).size).toBe(50)
    expect((numbers.at(-1) ?? 0) - (numbers[0] ?? 0)).toBe(49)
  })
})
