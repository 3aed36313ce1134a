/**
 * Watchers (/api/v1/tickets/{id}/watchers): the reporter and the assignees watch on their own; the
 * list is paged with names; `/watchers/me` is idempotent either way; managers add or remove others
 * (a plain user may not; unknown or inactive users are 404; a plain user who cannot see the ticket
 * may not watch it). Who is notified (`watching`, in-app): every watcher but the one who made the
 * change, once per change (not on top of `assigned` or `status_changed`), for field changes,
 * comments, attachments and the ticket's deletion; a plain user stops watching what it can no longer see (unassigned, or
 * demoted from manager).
 */
import { exports } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import type { components } from '../examples/api-types'
import {
  asAdmin,
  call,
  createTicket,
  expectError,
  expectStatus,
  nextLink,
  notificationsOf,
  type PresignedUrl,
  type Session,
  updateTicket,
  userWithRole,
} from './helpers'

type Watcher = components['schemas']['Watcher']

let manager: Session

beforeAll(async () => {
  manager = await userWithRole('manager', 'Mona Manager')
})

const path = (ticketId: string, who = 'me') => `/api/v1/tickets/${ticketId}/watchers/${who}`

async function watcherIds(session: Session, ticketId: string) {
  const res = await call('GET', `/api/v1/tickets/${ticketId}/watchers?limit=200`, { token: session.accessToken })
  return (await expectStatus<Watcher[]>(res, 200)).map((watcher) => watcher.userId)
}

/** PUT (watch) or DELETE (unwatch) for `who` ('me' or a user id) as `session`; returns the response. */
const setWatch = (session: Session, method: 'PUT' | 'DELETE', ticketId: string, who = 'me') =>
  call(method, path(ticketId, who), { token: session.accessToken })

/** The caller's notifications about one ticket, as `kind: message`, newest first. */
async function about(session: Session, ticketId: string) {
  return (await notificationsOf(session, '?limit=200'))
    .filter((notification) => notification.ticketId === ticketId)
    .map((notification) => `${notification.kind}: ${notification.message}`)
}

describe('who watches a ticket', () => {
  it('starts with the reporter and the assignees, lists them with names, paged', async () => {
    const reporter = await userWithRole('user', 'Rita Reporter')
    const ann = await userWithRole('user', 'Ann Assignee')
    const bob = await userWithRole('user', 'Bob Assignee')
    const ticket = await createTicket(reporter)
    await updateTicket(manager, ticket.id, { assigneeIds: [ann.user.id, bob.user.id] })

    const seen: Watcher[] = []
    let next: string | null = `/api/v1/tickets/${ticket.id}/watchers?limit=2`
    while (next) {
      const res = await call('GET', next, { token: reporter.accessToken })
      seen.push(...(await expectStatus<Watcher[]>(res, 200)))
      expect(res.headers.get('X-Total-Count')).toBe('3')
      next = nextLink(res)
    }
    expect(seen.map(({ userId, name }) => ({ userId, name }))).toEqual([
      { userId: reporter.user.id, name: 'Rita Reporter' },
      { userId: ann.user.id, name: 'Ann Assignee' },
      { userId: bob.user.id, name: 'Bob Assignee' },
    ])
    for (const watcher of seen) expect(Date.parse(watcher.since)).toBeGreaterThan(Date.now() - 60_000)

    const byManager = await createTicket(manager, { assigneeIds: [ann.user.id] })
    expect(await watcherIds(ann, byManager.id)).toEqual([manager.user.id, ann.user.id])
    const stranger = await userWithRole('user')
    const hidden = await call('GET', `/api/v1/tickets/${ticket.id}/watchers`, { token: stranger.accessToken })
    await expectError(hidden, 404, 'E_TICKET_NOT_FOUND')
    const missing = await call('GET', `/api/v1/tickets/${crypto.randomUUID()}/watchers`, { token: manager.accessToken })
    await expectError(missing, 404, 'E_TICKET_NOT_FOUND')
  })

  it('watches and unwatches through /watchers/me, idempotently (204 either way)', async () => {
    const reporter = await userWithRole('user')
    const watcher = await userWithRole('manager')
    const ticket = await createTicket(reporter)
    for (let i = 0; i < 2; i++) await expectStatus(await setWatch(watcher, 'PUT', ticket.id), 204)
    expect(await watcherIds(reporter, ticket.id)).toEqual([reporter.user.id, watcher.user.id])
    for (let i = 0; i < 2; i++) await expectStatus(await setWatch(watcher, 'DELETE', ticket.id), 204)
    for (let i = 0; i < 2; i++) await expectStatus(await setWatch(reporter, 'DELETE', ticket.id), 204)
    expect(await watcherIds(manager, ticket.id)).toEqual([])
    await expectStatus(await setWatch(reporter, 'PUT', ticket.id), 204)
    expect(await watcherIds(manager, ticket.id)).toEqual([reporter.user.id])

    const stranger = await userWithRole('user')
    await expectError(await setWatch(stranger, 'PUT', ticket.id), 404, 'E_TICKET_NOT_FOUND')
    await expectError(await setWatch(stranger, 'DELETE', ticket.id), 404, 'E_TICKET_NOT_FOUND')
  })

  it('lets managers add and remove others, with the rules on who may watch', async () => {
    const reporter = await userWithRole('user')
    const other = await userWithRole('manager')
    const stranger = await userWithRole('user')
    const ticket = await createTicket(reporter)

    await expectStatus(await setWatch(manager, 'PUT', ticket.id, other.user.id), 204)
    await expectStatus(await setWatch(manager, 'PUT', ticket.id, other.user.id), 204)
    expect(await watcherIds(reporter, ticket.id)).toEqual([reporter.user.id, other.user.id])
    const notAllowed = await expectError(
      await setWatch(manager, 'PUT', ticket.id, stranger.user.id),
      400,
      'E_WATCHER_NOT_ALLOWED',
    )
    expect(notAllowed.details).toMatchObject({ userId: stranger.user.id })
    const unknown = await setWatch(manager, 'PUT', ticket.id, crypto.randomUUID())
    await expectError(unknown, 404, 'E_USER_NOT_FOUND')
    const inactive = await userWithRole('manager')
    const admin = await asAdmin()
    await expectStatus(
      await call('PUT', `/api/v1/users/${inactive.user.id}`, { token: admin.accessToken, body: { active: false } }),
      200,
    )
    await expectError(await setWatch(manager, 'PUT', ticket.id, inactive.user.id), 404, 'E_USER_NOT_FOUND')
    await expectError(await setWatch(manager, 'PUT', ticket.id, 'someone'), 422, 'E_VALIDATION_ERROR')

    // A plain user may act for itself only.
    for (const method of ['PUT', 'DELETE'] as const) {
      const res = await setWatch(reporter, method, ticket.id, other.user.id)
      await expectError(res, 403, 'E_AUTH_INSUFFICIENT_PERMISSIONS')
    }
    await expectStatus(await setWatch(reporter, 'DELETE', ticket.id, reporter.user.id), 204)
    await expectStatus(await setWatch(manager, 'DELETE', ticket.id, other.user.id), 204)
    expect(await watcherIds(manager, ticket.id)).toEqual([])
    await expectStatus(await setWatch(manager, 'PUT', ticket.id, reporter.user.id), 204)
    expect(await watcherIds(manager, ticket.id)).toEqual([reporter.user.id])
  })
})

describe('notifying watchers', () => {
  it('tells every watcher but the author, once per change', async () => {
    const reporter = await userWithRole('user')
    const ann = await userWithRole('user')
    const bob = await userWithRole('user')
    const watcher = await userWithRole('manager')
    const ticket = await createTicket(reporter, { title: 'Watched printer' })
    const assigned = await updateTicket(manager, ticket.id, { assigneeIds: [ann.user.id] })
    await expectStatus(await setWatch(watcher, 'PUT', ticket.id), 204)
    const { key } = assigned

    await updateTicket(manager, ticket.id, { priority: 'high' })
    // The reporter gets `status_changed`, not `watching` as well; Bob, newly assigned, `assigned` only.
    await updateTicket(manager, ticket.id, { status: 'in_progress', assigneeIds: [ann.user.id, bob.user.id] })
    await updateTicket(watcher, ticket.id, { title: 'Watched printer, again' })
    await expectStatus(
      await call('POST', `/api/v1/tickets/${ticket.id}/comments`, { token: ann.accessToken, body: { body: 'On it' } }),
      201,
    )
    const title = 'Watched printer, again'
    const priority = `watching: ${key} (Watched printer): priority medium → high`
    const status = `watching: ${key} (Watched printer): status open → in_progress, assignees changed`
    const retitled = `watching: ${key} (${title}): title changed`
    const comment = `watching: ${key} (${title}): new comment`
    expect(await about(reporter, ticket.id)).toEqual([
      comment,
      retitled,
      `status_changed: ${key} (Watched printer) moved from open to in_progress`,
      priority,
      `watching: ${key} (Watched printer): assignees changed`,
    ])
    expect(await about(ann, ticket.id)).toEqual([retitled, status, priority, expect.stringMatching(/^assigned: /)])
    expect(await about(bob, ticket.id)).toEqual([comment, retitled, expect.stringMatching(/^assigned: /)])
    expect(await about(watcher, ticket.id)).toEqual([comment, status, priority])
    expect(await about(manager, ticket.id)).toEqual([])
  })

  it('does not tell someone who stopped watching, nor of a change that changed nothing; labels and due dates count', async () => {
    const reporter = await userWithRole('user')
    const ticket = await createTicket(reporter)
    await expectStatus(await setWatch(reporter, 'DELETE', ticket.id), 204)
    await updateTicket(manager, ticket.id, { priority: 'low', title: 'Quiet' })
    await updateTicket(manager, ticket.id, { priority: 'low' })
    expect(await about(reporter, ticket.id)).toEqual([])
    await expectStatus(await setWatch(reporter, 'PUT', ticket.id), 204)
    const label = { name: `w-${crypto.randomUUID().slice(0, 8)}`, color: '#336699' }
    await expectStatus(await call('POST', '/api/v1/labels', { token: manager.accessToken, body: label }), 201)
    await updateTicket(manager, ticket.id, { priority: 'low', department: 'IT' })
    await updateTicket(manager, ticket.id, { labels: [label.name], dueAt: '2040-01-01T00:00:00Z' })
    expect(await about(reporter, ticket.id)).toEqual([
      `watching: ${ticket.key} (Quiet): labels changed, due date changed`,
      `watching: ${ticket.key} (Quiet): department changed`,
    ])
  })

  it('tells watchers about attachments added and removed', async () => {
    const reporter = await userWithRole('user')
    const watcher = await userWithRole('manager')
    const ticket = await createTicket(reporter, { title: 'With a file' })
    await expectStatus(await setWatch(watcher, 'PUT', ticket.id), 204)
    const data = new Uint8Array([1, 2, 3, 4, 5])
    const presigned = await call('POST', '/api/v1/attachments/presigned-url', {
      token: reporter.accessToken,
      body: { ticketId: ticket.id, filename: 'log.txt', contentType: 'text/plain', size: data.byteLength },
    })
    const grant = await expectStatus<PresignedUrl>(presigned, 200)
    const put = new Request(grant.uploadUrl, { method: 'PUT', body: data, headers: grant.headers })
    await expectStatus(await exports.default.fetch(put), 200)
    const recorded = await call('POST', '/api/v1/attachments', {
      token: reporter.accessToken,
      body: { ticketId: ticket.id, fileKey: grant.fileKey, filename: 'log.txt', contentType: 'text/plain', size: 5 },
    })
    const attachment = await expectStatus<{ id: string }>(recorded, 201)
    await expectStatus(
      await call('DELETE', `/api/v1/attachments/${attachment.id}`, { token: watcher.accessToken }),
      204,
    )
    expect(await about(watcher, ticket.id)).toEqual([`watching: ${ticket.key} (With a file): file log.txt attached`])
    expect(await about(reporter, ticket.id)).toEqual([`watching: ${ticket.key} (With a file): file log.txt removed`])
  })

  it('tells watchers when the ticket is deleted, except who deleted it', async () => {
    const reporter = await userWithRole('user')
    const other = await userWithRole('manager')
    const ticket = await createTicket(reporter, { title: 'Going away' })
    await expectStatus(await setWatch(other, 'PUT', ticket.id), 204)
    await expectStatus(await call('DELETE', `/api/v1/tickets/${ticket.id}`, { token: manager.accessToken }), 204)
    expect(await about(reporter, ticket.id)).toEqual([`watching: ${ticket.key} (Going away) was deleted`])
    expect(await about(other, ticket.id)).toEqual([`watching: ${ticket.key} (Going away) was deleted`])
    expect(await about(manager, ticket.id)).toEqual([])
  })
})

describe('losing sight of a ticket', () => {
  it('stops a plain user watching when unassigned, but not a manager or the reporter', async () => {
    const reporter = await userWithRole('user')
    const ann = await userWithRole('user')
    const other = await userWithRole('manager')
    const ticket = await createTicket(reporter)
    await updateTicket(manager, ticket.id, { assigneeIds: [ann.user.id, other.user.id] })
    expect(await watcherIds(manager, ticket.id)).toEqual([reporter.user.id, ann.user.id, other.user.id])
    await updateTicket(manager, ticket.id, { assigneeIds: [] })
    expect(await watcherIds(manager, ticket.id)).toEqual([reporter.user.id, other.user.id])
    await updateTicket(manager, ticket.id, { title: 'After the unassignment' })
    expect((await about(ann, ticket.id)).filter((n) => n.startsWith('watching'))).toEqual([])
    expect(await about(other, ticket.id)).toContain(`watching: ${ticket.key} (After the unassignment): title changed`)
  })

  it('stops a demoted manager watching the tickets it can no longer see, and keeps its own', async () => {
    const reporter = await userWithRole('user')
    const demoted = await userWithRole('manager')
    const seen = await createTicket(reporter)
    const mine = await createTicket(manager, { assigneeIds: [demoted.user.id] })
    for (const ticket of [seen, mine]) await expectStatus(await setWatch(demoted, 'PUT', ticket.id), 204)
    const admin = await asAdmin()
    await expectStatus(
      await call('PUT', `/api/v1/users/${demoted.user.id}`, { token: admin.accessToken, body: { role: 'user' } }),
      200,
    )
    expect(await watcherIds(manager, seen.id)).toEqual([reporter.user.id])
    expect(await watcherIds(manager, mine.id)).toEqual([manager.user.id, demoted.user.id])
    await updateTicket(manager, seen.id, { priority: 'critical' })
    await updateTicket(manager, mine.id, { priority: 'critical' })
    expect(await about(demoted, seen.id)).toEqual([])
    expect(await about(demoted, mine.id)).toEqual([
      `watching: ${mine.key} (${mine.title}): priority medium → critical`,
      `assigned: You were assigned to ${mine.key}: ${mine.title}`,
    ])
  })
})
