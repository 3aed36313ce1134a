/**
 * Tickets from the outside: creating them (keys, defaults, assignees, validation), who may see them
 * (reporter, assignees and staff; a 404 for everyone else, on every route), deleting them, their
 * comments, and what deleting a user does to the tickets it was part of. Changing a ticket is in
 * ticket-lifecycle.test.ts; retries and concurrent writes are in ticket-concurrency.test.ts.
 */
import { describe, expect, it } from 'vitest'
import {
  asAdmin,
  type Comment,
  call,
  createTicket,
  expectError,
  expectStatus,
  type Ticket,
  ticketHistory,
  userWithRole,
} from './helpers'

const keyNumber = (key: string) => Number(key.split('-')[1])

describe('POST /api/v1/tickets', () => {
  it('creates an open, medium ticket reported by the caller: 201, Location, ETag, TSK key', async () => {
    const user = await userWithRole('user')
    const res = await call('POST', '/api/v1/tickets/', {
      token: user.accessToken,
      body: { title: '  Laptop will not boot ', description: 'Blue screen' },
    })
    const ticket = await expectStatus<Ticket>(res, 201)
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
    const entries = await ticketHistory(user, ticket.id)
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ action: 'created', userId: user.user.id, oldValue: null })
  })

  it('numbers keys consecutively and never reuses a deleted ticket’s key', async () => {
    const admin = await asAdmin()
    const first = await createTicket(admin)
    const second = await createTicket(admin)
    expect(keyNumber(second.key)).toBe(keyNumber(first.key) + 1)
    await expectStatus(await call('DELETE', `/api/v1/tickets/${second.id}`, { token: admin.accessToken }), 204)
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
    await expectStatus(
      await call('PUT', `/api/v1/users/${inactive.user.id}`, { token: admin.accessToken, body: { active: false } }),
      200,
    )
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
    expect((await expectStatus<Ticket[]>(list, 200)).map((t) => t.id)).not.toContain(id)
  })

  it('shows a ticket to its assignees and to managers', async () => {
    const manager = await userWithRole('manager')
    const assignee = await userWithRole('user')
    const ticket = await createTicket(manager, { assigneeIds: [assignee.user.id] })
    await expectStatus(await call('GET', `/api/v1/tickets/${ticket.id}`, { token: assignee.accessToken }), 200)
    const other = await userWithRole('manager')
    await expectStatus(await call('GET', `/api/v1/tickets/key/${ticket.key}`, { token: other.accessToken }), 200)
  })

  it('lists for a plain user only what it reported or is assigned to', async () => {
    const manager = await userWithRole('manager')
    const user = await userWithRole('user')
    const reported = await createTicket(user)
    const assigned = await createTicket(manager, { assigneeIds: [user.user.id] })
    await createTicket(manager)
    const res = await call('GET', '/api/v1/tickets?limit=200', { token: user.accessToken })
    const ids = (await expectStatus<Ticket[]>(res, 200)).map((ticket) => ticket.id).sort()
    expect(ids).toEqual([reported.id, assigned.id].sort())
    expect(res.headers.get('X-Total-Count')).toBe('2')
    const my = await call('GET', '/api/v1/tickets/my', { token: user.accessToken })
    expect((await expectStatus<Ticket[]>(my, 200)).map((ticket) => ticket.id).sort()).toEqual(ids)
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
    await expectStatus(await call('DELETE', `/api/v1/tickets/${ticket.id}`, { token: manager.accessToken }), 204)
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
    const comment = await expectStatus<Comment>(first, 201)
    expect(comment).toMatchObject({ ticketId: ticket.id, authorId: user.user.id, ruleId: null, body: 'First!' })
    expect(first.headers.get('Location')).toBe(`${path}/${comment.id}`)
    await expectStatus(await call('POST', path, { token: user.accessToken, body: { body: 'Second' } }), 201)
    const list = await call('GET', path, { token: user.accessToken })
    expect((await expectStatus<Comment[]>(list, 200)).map((c) => c.body)).toEqual(['First!', 'Second'])
    expect(list.headers.get('X-Total-Count')).toBe('2')
    const one = await call('GET', `${path}/${comment.id}`, { token: user.accessToken })
    expect((await expectStatus<Comment>(one, 200)).body).toBe('First!')
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
    await expectStatus(await call('POST', path, { token: user.accessToken, body: { body: 'x'.repeat(10_000) } }), 201)
  })
})

describe('deleting a user', () => {
  it('removes it from every ticket’s assignees, as a recorded change, and keeps its reports', async () => {
    const admin = await asAdmin()
    const leaver = await userWithRole('user')
    const reported = await createTicket(leaver)
    const assigned = await createTicket(admin, { assigneeIds: [leaver.user.id, admin.user.id] })
    await expectStatus(await call('DELETE', `/api/v1/users/${leaver.user.id}`, { token: admin.accessToken }), 204)
    const after = await expectStatus<Ticket>(
      await call('GET', `/api/v1/tickets/${assigned.id}`, { token: admin.accessToken }),
      200,
    )
    expect(after.assigneeIds).toEqual([admin.user.id])
    expect(after.version).toBe(2)
    const last = (await ticketHistory(admin, assigned.id)).at(-1)
    expect(last).toMatchObject({
      action: 'updated_assignees',
      userId: admin.user.id,
      oldValue: [leaver.user.id, admin.user.id],
      newValue: [admin.user.id],
    })
    const kept = await expectStatus<Ticket>(
      await call('GET', `/api/v1/tickets/${reported.id}`, { token: admin.accessToken }),
      200,
    )
    expect(kept.reporterId).toBe(leaver.user.id)
  })
})
