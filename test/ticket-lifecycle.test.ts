/**
 * Changing a ticket (PUT /api/v1/tickets/{ticketId}): the status lifecycle and the transitions it
 * refuses, one history entry per changed field, no-op updates that change nothing, who may change
 * assignees, optimistic concurrency with If-Match/ETag, moving between projects, and patch
 * validation. Creating, reading and deleting tickets is in tickets.test.ts.
 */
import { describe, expect, it } from 'vitest'
import {
  call,
  createProject,
  createTicket,
  expectError,
  expectStatus,
  type Session,
  type Ticket,
  ticketHistory,
  updateTicket,
  userWithRole,
} from './helpers'

/** A PUT whose answer the test checks itself (`updateTicket` asserts a 200). */
const put = (session: Session, id: string, body: unknown, headers?: Record<string, string>) =>
  call('PUT', `/api/v1/tickets/${id}`, { token: session.accessToken, body, headers })

describe('PUT /api/v1/tickets/{ticketId}', () => {
  it('follows the lifecycle and refuses other transitions with 400, from, to and allowed', async () => {
    const user = await userWithRole('user')
    const ticket = await createTicket(user)
    const refused = await put(user, ticket.id, { status: 'blocked' })
    const body = await expectError(refused, 400, 'E_TICKET_INVALID_STATUS_TRANSITION')
    expect(body.details).toEqual({ from: 'open', to: 'blocked', allowed: ['in_progress', 'closed'] })
    for (const status of ['in_progress', 'blocked', 'open', 'closed', 'in_progress']) {
      expect((await updateTicket(user, ticket.id, { status })).status).toBe(status)
    }
    const statusChanges = (await ticketHistory(user, ticket.id)).filter((entry) => entry.action === 'updated_status')
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
    const unchanged = await updateTicket(user, ticket.id, { status: 'open', title: ticket.title })
    expect(unchanged.version).toBe(1)
    expect(await ticketHistory(user, ticket.id)).toHaveLength(1)
  })

  it('records one history entry per changed field, with old and new values, and bumps the version once', async () => {
    const manager = await userWithRole('manager')
    const assignee = await userWithRole('user')
    const ticket = await createTicket(manager)
    const res = await put(manager, ticket.id, {
      title: 'Renamed',
      priority: 'critical',
      department: 'IT',
      assigneeIds: [assignee.user.id],
    })
    const updated = await expectStatus<Ticket>(res, 200)
    expect(updated).toMatchObject({ title: 'Renamed', priority: 'critical', department: 'IT', version: 2 })
    expect(res.headers.get('ETag')).toBe('"2"')
    const entries = (await ticketHistory(manager, ticket.id)).slice(1)
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
    await expectError(await put(user, ticket.id, { assigneeIds: [] }), 403, 'E_AUTH_INSUFFICIENT_PERMISSIONS')
  })

  it('honours If-Match: 412 on a stale version, success on the current one or *', async () => {
    const user = await userWithRole('user')
    const ticket = await createTicket(user)
    await expectStatus(await put(user, ticket.id, { title: 'v2' }, { 'If-Match': '"1"' }), 200)
    const stale = await put(user, ticket.id, { title: 'lost update' }, { 'If-Match': '"1"' })
    const body = await expectError(stale, 412, 'E_PRECONDITION_FAILED')
    expect(body.details).toMatchObject({ currentVersion: 2 })
    await expectError(
      await put(user, ticket.id, { title: 'x' }, { 'If-Match': 'garbage' }),
      412,
      'E_PRECONDITION_FAILED',
    )
    await expectStatus(await put(user, ticket.id, { title: 'v3' }, { 'If-Match': 'W/"2"' }), 200)
    await expectStatus(await put(user, ticket.id, { title: 'v4' }, { 'If-Match': '*' }), 200)
    const current = await call('GET', `/api/v1/tickets/${ticket.id}`, { token: user.accessToken })
    expect(current.headers.get('ETag')).toBe('"4"')
    expect((await expectStatus<Ticket>(current, 200)).title).toBe('v4')
  })

  it('moves a ticket between projects and refuses an unknown one with 400', async () => {
    const manager = await userWithRole('manager')
    const ticket = await createTicket(manager)
    const projectId = crypto.randomUUID()
    await expectError(await put(manager, ticket.id, { projectId }), 400, 'E_PROJECT_NOT_FOUND')
    const project = await createProject(manager, { name: 'Moves' })
    const moved = await updateTicket(manager, ticket.id, { projectId: project.id })
    expect(moved.projectId).toBe(project.id)
    expect(moved.key).toBe(ticket.key)
  })

  it('refuses an empty patch and unknown fields with 422', async () => {
    const user = await userWithRole('user')
    const ticket = await createTicket(user)
    await expectError(await put(user, ticket.id, {}), 422, 'E_VALIDATION_ERROR')
    await expectError(await put(user, ticket.id, { version: 9 }), 422, 'E_VALIDATION_ERROR')
    await expectError(await put(user, ticket.id, { reporterId: crypto.randomUUID() }), 422, 'E_VALIDATION_ERROR')
  })
})
