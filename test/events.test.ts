/**
 * Live updates (GET /api/v1/events, a WebSocket): a subscriber receives `ready`, then the changes to
 * the tickets it may see (as reporter, assignee or staff) and its own notifications, and nothing
 * for an update that changed nothing; the socket closes with 4001 when its session ends; `ping`
 * gets `pong`; a plain request is refused with 426 and a bad or revoked token with 401.
 * Messages arrive asynchronously, so the tests wait for them with `expect.poll`.
 */
import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import {
  call,
  createTicket,
  expectError,
  expectStatus,
  ORIGIN,
  type Session,
  updateTicket,
  userWithRole,
} from './helpers'

type Message = { type: string; ticket?: { id: string; version: number }; ticketId?: string; message?: string }

interface Subscription {
  messages: Message[]
  closed: Promise<number>
  socket: WebSocket
}

async function subscribe(session: Session, via: 'header' | 'query' = 'header'): Promise<Subscription> {
  const url =
    via === 'query' ? `${ORIGIN}/api/v1/events?access_token=${session.accessToken}` : `${ORIGIN}/api/v1/events`
  const headers: Record<string, string> = { Upgrade: 'websocket' }
  if (via === 'header') headers.Authorization = `Bearer ${session.accessToken}`
  const res = await exports.default.fetch(url, { headers })
  expect(res.status).toBe(101)
  const socket = res.webSocket as WebSocket
  socket.accept()
  const messages: Message[] = []
  socket.addEventListener('message', (event) => {
    if (typeof event.data === 'string' && event.data.startsWith('{')) messages.push(JSON.parse(event.data))
  })
  const closed = new Promise<number>((resolve) => socket.addEventListener('close', (event) => resolve(event.code)))
  return { messages, closed, socket }
}

/** How long to wait for a message: generous, for a loaded machine. */
const WAIT = { timeout: 5_000, interval: 20 }
const types = (subscription: Subscription) => subscription.messages.map((m) => m.type)

describe('GET /api/v1/events', () => {
  it('pushes ticket changes to the reporter and staff, never to others', async () => {
    const reporter = await userWithRole('user')
    const stranger = await userWithRole('user')
    const manager = await userWithRole('manager')
    const [mine, theirs, staff] = [
      await subscribe(reporter),
      await subscribe(stranger, 'query'),
      await subscribe(manager),
    ]
    await expect.poll(() => types(mine), WAIT).toContain('ready')

    const ticket = await createTicket(reporter, { title: 'Live' })
    await updateTicket(manager, ticket.id, { status: 'in_progress' })

    await expect.poll(() => types(mine), WAIT).toContain('notification.created')
    expect(types(mine)).toEqual(['ready', 'ticket.created', 'ticket.updated', 'notification.created'])
    expect(mine.messages.find((m) => m.type === 'ticket.updated')?.ticket).toMatchObject({ id: ticket.id, version: 2 })
    expect(mine.messages.at(-1)?.message).toContain('moved from open to in_progress')
    await expect.poll(() => staff.messages.filter((m) => m.ticket?.id === ticket.id).length, WAIT).toBe(2)
    expect(types(theirs)).toEqual(['ready'])
    for (const subscription of [mine, theirs, staff]) subscription.socket.close(1000, 'done')
  })

  it('sends nothing for an update that changes nothing', async () => {
    const reporter = await userWithRole('user')
    const ticket = await createTicket(reporter, { title: 'Same' })
    const live = await subscribe(reporter)
    expect((await updateTicket(reporter, ticket.id, { title: 'Same' })).version).toBe(1)
    await expectStatus(
      await call('POST', `/api/v1/tickets/${ticket.id}/comments`, {
        token: reporter.accessToken,
        body: { body: 'marker' },
      }),
      201,
    )
    await expect.poll(() => types(live), WAIT).toContain('comment.created')
    expect(types(live)).toEqual(['ready', 'comment.created'])
    live.socket.close(1000, 'done')
  })

  it('closes the socket with 4001 when its session ends', async () => {
    const user = await userWithRole('user')
    const live = await subscribe(user)
    await expectStatus(await call('POST', '/api/v1/auth/logout', { token: user.accessToken }), 204)
    expect(await live.closed).toBe(4001)
  })

  it('answers ping with pong', async () => {
    const live = await subscribe(await userWithRole('user'))
    const pong = new Promise((resolve) =>
      live.socket.addEventListener('message', (event) => event.data === 'pong' && resolve(true)),
    )
    live.socket.send('ping')
    expect(await pong).toBe(true)
    live.socket.close(1000, 'done')
  })

  it('refuses plain requests (426) and bad or revoked tokens (401)', async () => {
    const user = await userWithRole('user')
    await expectError(await call('GET', '/api/v1/events', { token: user.accessToken }), 426, 'E_UPGRADE_REQUIRED')
    const bad = await exports.default.fetch(`${ORIGIN}/api/v1/events?access_token=nope`, {
      headers: { Upgrade: 'websocket' },
    })
    await expectError(bad, 401, 'E_AUTH_TOKEN_INVALID')
    await expectStatus(await call('POST', '/api/v1/auth/logout', { token: user.accessToken }), 204)
    const revoked = await exports.default.fetch(`${ORIGIN}/api/v1/events`, {
      headers: { Upgrade: 'websocket', Authorization: `Bearer ${user.accessToken}` },
    })
    await expectError(revoked, 401, 'E_AUTH_TOKEN_INVALID')
  })
})
