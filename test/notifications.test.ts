/**
 * In-app notifications (/api/v1/notifications): each user sees only its own, newest first, can
 * filter the unread ones and mark one read (again without error; someone else's is a 404), and
 * nobody is notified of their own actions. What creates notifications is covered where it happens
 * (assignments and status changes here and in workflows.test.ts, rule actions there); their email
 * delivery is in email.test.ts.
 */
import { describe, expect, it } from 'vitest'
import {
  call,
  createTicket,
  expectError,
  expectStatus,
  type Notification,
  notificationsOf,
  updateTicket,
  userWithRole,
} from './helpers'

describe('GET /api/v1/notifications', () => {
  it('lists only the caller’s own, newest first, with an unread filter, and marks them read', async () => {
    const manager = await userWithRole('manager')
    const alice = await userWithRole('user')
    const bob = await userWithRole('user')
    const first = await createTicket(manager, { assigneeIds: [alice.user.id] })
    const second = await createTicket(manager, { assigneeIds: [alice.user.id, bob.user.id] })
    const mine = await notificationsOf(alice)
    expect(mine.map((n) => n.message)).toEqual([
      `You were assigned to ${second.key}: ${second.title}`,
      `You were assigned to ${first.key}: ${first.title}`,
    ])
    expect(mine.every((n) => n.userId === alice.user.id && !n.read)).toBe(true)

    const [newest, older] = mine
    const read = await call('POST', `/api/v1/notifications/${newest?.id}/read`, { token: alice.accessToken })
    expect(await expectStatus<Notification>(read, 200)).toMatchObject({ id: newest?.id, read: true })
    const again = await call('POST', `/api/v1/notifications/${newest?.id}/read`, { token: alice.accessToken })
    expect(await expectStatus<Notification>(again, 200)).toMatchObject({ id: newest?.id, read: true })
    expect((await notificationsOf(alice, '?unread=true')).map((n) => n.id)).toEqual([older?.id])

    await expectError(
      await call('POST', `/api/v1/notifications/${older?.id}/read`, { token: bob.accessToken }),
      404,
      'E_NOTIFICATION_NOT_FOUND',
    )
    expect((await notificationsOf(bob)).map((n) => n.userId)).toEqual([bob.user.id])
  })

  it('does not notify people about their own actions', async () => {
    const manager = await userWithRole('manager')
    const ticket = await createTicket(manager, { assigneeIds: [manager.user.id] })
    await updateTicket(manager, ticket.id, { status: 'closed' })
    expect(await notificationsOf(manager)).toEqual([])
  })
})
