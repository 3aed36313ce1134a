import { describe, expect, it } from 'vitest'
import type { components } from '../../examples/api-types'
import { expectError, json, login, request, uniqueEmail } from './client'

type Ticket = components['schemas']['Ticket']
type Notification = components['schemas']['Notification']
type HistoryEntry = components['schemas']['TicketHistoryEntry']

describe('a full ticket flow over real HTTP against wrangler dev', () => {
  it('creates a project and a ticket, assigns, moves it through its lifecycle and reads its history', async () => {
    const admin = await login('admin@company.com', 'password')
    const workerEmail = uniqueEmail('worker')
    const worker = await json<{ id: string }>(
      await request('POST', '/api/v1/auth/register', {
        body: { name: 'Worker', email: workerEmail, password: 'worker-pass' },
      }),
      201,
    )
    const key = `E${crypto.randomUUID().replace(/-/g, '').slice(0, 5).toUpperCase()}`
    const project = await json<{ id: string }>(
      await request('POST', '/api/v1/projects', { token: admin.accessToken, body: { key, name: 'End to end' } }),
      201,
    )
    const created = await request('POST', '/api/v1/tickets', {
      token: admin.accessToken,
      headers: { 'Idempotency-Key': `e2e-${crypto.randomUUID()}` },
      body: {
        title: 'Server room too hot',
        description: '31°C',
        priority: 'critical',
        projectId: project.id,
        assigneeIds: [worker.id],
      },
    })
    const ticket = await json<Ticket>(created, 201)
    expect(ticket.key).toBe(`${key}-1`)
    expect(created.headers.get('ETag')).toBe('"1"')

    const workerSession = await login(workerEmail, 'worker-pass')
    // The assignment notification reaches the worker in-app, and by email through the queue and
    // wrangler dev's simulated send_email binding.
    const assignedEmail = async () => {
      const notifications = await json<Notification[]>(
        await request('GET', '/api/v1/notifications', { token: workerSession.accessToken }),
        200,
      )
      return notifications.find((n) => n.kind === 'assigned' && n.ticketId === ticket.id)?.emailStatus
    }
    await expect.poll(assignedEmail, { timeout: 15_000, interval: 200 }).toBe('sent')
    const mine = await json<Ticket[]>(
      await request('GET', '/api/v1/tickets/my', { token: workerSession.accessToken }),
      200,
    )
    expect(mine.map((t) => t.id)).toContain(ticket.id)

    const moved = await json<Ticket>(
      await request('PUT', `/api/v1/tickets/${ticket.id}`, {
        token: workerSession.accessToken,
        headers: { 'If-Match': '"1"' },
        body: { status: 'in_progress' },
      }),
      200,
    )
    expect(moved).toMatchObject({ status: 'in_progress', version: 2 })
    await expectError(
      await request('PUT', `/api/v1/tickets/${ticket.id}`, {
        token: workerSession.accessToken,
        headers: { 'If-Match': '"1"' },
        body: { status: 'closed' },
      }),
      412,
      'E_PRECONDITION_FAILED',
    )
    await json(
      await request('PUT', `/api/v1/tickets/${ticket.id}`, { token: admin.accessToken, body: { status: 'closed' } }),
      200,
    )
    await json(
      await request('POST', `/api/v1/tickets/${ticket.id}/comments`, {
        token: workerSession.accessToken,
        body: { body: 'Fixed the AC' },
      }),
      201,
    )

    const byKey = await json<Ticket>(
      await request('GET', `/api/v1/tickets/key/${ticket.key}`, { token: admin.accessToken }),
      200,
    )
    expect(byKey).toMatchObject({ status: 'closed', version: 3 })
    const history = await json<HistoryEntry[]>(
      await request('GET', `/api/v1/tickets/${ticket.id}/history`, { token: admin.accessToken }),
      200,
    )
    expect(history.map((entry) => [entry.action, entry.newValue])).toEqual([
      ['created', expect.objectContaining({ key: ticket.key })],
      ['updated_status', 'in_progress'],
      ['updated_status', 'closed'],
    ])

    await expectError(
      await request('DELETE', `/api/v1/projects/${project.id}`, { token: admin.accessToken }),
      409,
      'E_PROJECT_HAS_TICKETS',
    )
    expect((await request('DELETE', `/api/v1/tickets/${ticket.id}`, { token: admin.accessToken })).status).toBe(204)
    expect((await request('DELETE', `/api/v1/projects/${project.id}`, { token: admin.accessToken })).status).toBe(204)
  })
})
