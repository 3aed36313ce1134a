import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Workspace } from '../src/store/workspace'
import { asAdmin, call, expectError, type Session, userWithRole } from './helpers'

type Ticket = { id: string; key: string; status: string; assigneeIds: string[]; version: number; title: string }
type HistoryEntry = {
  action: string
  ruleId: string | null
  userId: string | null
  oldValue: unknown
  newValue: unknown
}
type Notification = { id: string; userId: string; kind: string; message: string; ruleId: string | null; read: boolean }

let admin: Session

beforeAll(async () => {
  admin = await asAdmin()
})

/** Rules are workspace-wide and this file's tests share a workspace: each test scopes its rules to a department. */
const department = () => `Dept-${crypto.randomUUID().slice(0, 8)}`

async function createRule(body: Record<string, unknown>) {
  const res = await call('POST', '/api/v1/workflows', { token: admin.accessToken, body: { name: 'rule', ...body } })
  if (res.status !== 201) throw new Error(`rule → ${res.status} ${await res.text()}`)
  return res.json<{ id: string }>()
}

async function createTicket(session: Session, body: Record<string, unknown>) {
  const res = await call('POST', '/api/v1/tickets', {
    token: session.accessToken,
    body: { title: 'T', description: '', ...body },
  })
  if (res.status !== 201) throw new Error(`ticket → ${res.status} ${await res.text()}`)
  return res.json<Ticket>()
}

const history = async (id: string) =>
  (await call('GET', `/api/v1/tickets/${id}/history?limit=200`, { token: admin.accessToken })).json<HistoryEntry[]>()

const notificationsOf = async (session: Session, query = '') =>
  (await call('GET', `/api/v1/notifications${query}`, { token: session.accessToken })).json<Notification[]>()

describe('workflow rule CRUD', () => {
  it('creates, reads, lists, replaces and deletes rules (admin)', async () => {
    const res = await call('POST', '/api/v1/workflows', {
      token: admin.accessToken,
      body: {
        name: 'Comment on critical',
        trigger: 'ticket_created',
        conditions: { priority: 'critical' },
        actions: { add_comment: 'Seen' },
      },
    })
    expect(res.status).toBe(201)
    const rule = await res.json<Record<string, unknown> & { id: string }>()
    expect(rule).toMatchObject({
      description: '',
      active: true,
      conditions: { priority: 'critical' },
      actions: { add_comment: 'Seen' },
    })
    expect(rule.createdAt).toBe(rule.updatedAt)
    expect(res.headers.get('Location')).toBe(`/api/v1/workflows/${rule.id}`)
    const path = `/api/v1/workflows/${rule.id}`
    expect((await call('GET', path, { token: admin.accessToken })).status).toBe(200)
    const list = await (await call('GET', '/api/v1/workflows?limit=200', { token: admin.accessToken })).json<
      { id: string }[]
    >()
    expect(list.map((r) => r.id)).toContain(rule.id)
    // PUT is partial: the fields sent replace those fields, the others stay.
    const renamed = await call('PUT', path, { token: admin.accessToken, body: { name: 'Renamed', active: false } })
    expect(renamed.status).toBe(200)
    expect(await renamed.json()).toMatchObject({
      name: 'Renamed',
      trigger: 'ticket_created',
      active: false,
      conditions: { priority: 'critical' },
      actions: { add_comment: 'Seen' },
    })
    const replaced = await call('PUT', path, {
      token: admin.accessToken,
      body: { conditions: {}, actions: { add_comment: 'Again' } },
    })
    expect(await replaced.json()).toMatchObject({
      name: 'Renamed',
      active: false,
      conditions: {},
      actions: { add_comment: 'Again' },
    })
    // The trigger is fixed at creation; an empty change is not a change.
    await expectError(
      await call('PUT', path, { token: admin.accessToken, body: { trigger: 'ticket_updated' } }),
      422,
      'E_WORKFLOW_INVALID_RULE',
    )
    await expectError(await call('PUT', path, { token: admin.accessToken, body: {} }), 422, 'E_WORKFLOW_INVALID_RULE')
    expect((await call('DELETE', path, { token: admin.accessToken })).status).toBe(204)
    await expectError(await call('GET', path, { token: admin.accessToken }), 404, 'E_WORKFLOW_RULE_NOT_FOUND')
  })

  it('is for admins only', async () => {
    const manager = await userWithRole('manager')
    await expectError(
      await call('GET', '/api/v1/workflows', { token: manager.accessToken }),
      403,
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
    )
    const res = await call('POST', '/api/v1/workflows', {
      token: manager.accessToken,
      body: { name: 'x', trigger: 'ticket_created', actions: { add_comment: 'x' } },
    })
    await expectError(res, 403, 'E_AUTH_INSUFFICIENT_PERMISSIONS')
  })

  it('refuses invalid rules with 422 E_WORKFLOW_INVALID_RULE saying which part is wrong', async () => {
    const base = { name: 'bad', trigger: 'ticket_created', actions: { add_comment: 'x' } }
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, trigger: 'ticket_deleted' }, 'trigger'],
      [{ ...base, conditions: { reporter: 'x' } }, 'conditions'],
      [{ ...base, conditions: { priority: { gt: 'low' } } }, 'conditions.priority'],
      [{ ...base, conditions: { priority: 'urgent' } }, 'conditions.priority'],
      [{ ...base, conditions: { status: { in: ['open', 'done'] } } }, 'conditions.status'],
      [{ ...base, conditions: { fromStatus: 'open' } }, 'conditions.fromStatus'],
      [{ ...base, conditions: { priority: { contains: 'crit' } } }, 'conditions.priority'],
      [{ ...base, actions: { delete_ticket: true } }, 'actions'],
      [{ ...base, actions: {} }, 'actions'],
      [{ ...base, actions: { change_status: 'archived' } }, 'actions.change_status'],
      [{ ...base, actions: { assign_user: crypto.randomUUID() } }, 'actions.assign_user'],
      [
        { ...base, actions: { send_notification: { to: crypto.randomUUID(), message: 'x' } } },
        'actions.send_notification.to',
      ],
      [{ ...base, actions: { send_notification: { to: 'everyone', message: 'x' } } }, 'actions.send_notification.to'],
    ]
    for (const [body, path] of cases) {
      const res = await call('POST', '/api/v1/workflows', { token: admin.accessToken, body })
      const error = await expectError(res, 422, 'E_WORKFLOW_INVALID_RULE')
      const paths = (error.details as { issues: { path: string }[] }).issues.map((issue) => issue.path)
      expect(
        paths.some((p) => p.startsWith(path)),
        `${JSON.stringify(body)} → ${paths.join(', ')}`,
      ).toBe(true)
    }
  })
})

describe('rules at work', () => {
  it('on a critical ticket: assigns, comments and notifies the assignees, in one change', async () => {
    const dept = department()
    const oncall = await userWithRole('user')
    const reporter = await userWithRole('user')
    const rule = await createRule({
      trigger: 'ticket_created',
      conditions: { priority: 'critical', department: dept },
      actions: {
        assign_user: oncall.user.id,
        add_comment: 'Escalated to on-call',
        send_notification: { to: 'assignees', message: 'Critical ticket needs you' },
      },
    })
    const quiet = await createTicket(reporter, { priority: 'high', department: dept })
    expect(quiet.assigneeIds).toEqual([])
    const ticket = await createTicket(reporter, { priority: 'critical', department: dept })
    expect(ticket.assigneeIds).toEqual([oncall.user.id])
    expect(ticket.version).toBe(2)

    const entries = await history(ticket.id)
    expect(entries.map((e) => [e.action, e.ruleId])).toEqual([
      ['created', null],
      ['workflow_assign_user', rule.id],
      ['workflow_add_comment', rule.id],
      ['workflow_send_notification', rule.id],
    ])
    expect(entries[1]).toMatchObject({ userId: reporter.user.id, oldValue: [], newValue: [oncall.user.id] })

    const comments = await (
      await call('GET', `/api/v1/tickets/${ticket.id}/comments`, { token: admin.accessToken })
    ).json<{ authorId: string | null; ruleId: string; body: string }[]>()
    expect(comments).toEqual([
      expect.objectContaining({ authorId: null, ruleId: rule.id, body: 'Escalated to on-call' }),
    ])

    const received = await notificationsOf(oncall)
    expect(received.map((n) => [n.kind, n.message])).toEqual(
      expect.arrayContaining([
        ['rule', 'Critical ticket needs you'],
        ['assigned', `You were assigned to ${ticket.key}: T`],
      ]),
    )
    // The assignee can now see the ticket it was assigned by the rule.
    expect((await call('GET', `/api/v1/tickets/${ticket.id}`, { token: oncall.accessToken })).status).toBe(200)
  })

  it('runs status_changed rules on toStatus and notifies the reporter of status changes', async () => {
    const dept = department()
    const reporter = await userWithRole('user')
    const manager = await userWithRole('manager')
    const rule = await createRule({
      trigger: 'status_changed',
      conditions: { department: dept, fromStatus: 'open', toStatus: 'closed' },
      actions: { add_comment: 'Closed straight from open: please explain' },
    })
    const ticket = await createTicket(reporter, { department: dept })
    await call('PUT', `/api/v1/tickets/${ticket.id}`, { token: manager.accessToken, body: { status: 'closed' } })
    const entries = await history(ticket.id)
    expect(entries.at(-1)).toMatchObject({ action: 'workflow_add_comment', ruleId: rule.id })
    const statusNews = (await notificationsOf(reporter)).filter((n) => n.kind === 'status_changed')
    expect(statusNews.map((n) => n.message)).toEqual([`${ticket.key} (T) moved from open to closed`])
  })

  it('skips and records a rule’s invalid transition instead of forcing it', async () => {
    const dept = department()
    const rule = await createRule({
      trigger: 'ticket_created',
      conditions: { department: dept },
      actions: { change_status: 'blocked' },
    })
    const ticket = await createTicket(admin, { department: dept })
    expect(ticket.status).toBe('open')
    expect((await history(ticket.id)).at(-1)).toMatchObject({
      action: 'workflow_change_status_skipped',
      ruleId: rule.id,
      oldValue: 'open',
      newValue: 'blocked',
    })
  })

  it('applies actions in the order written', async () => {
    const dept = department()
    await createRule({
      trigger: 'ticket_created',
      conditions: { department: dept },
      actions: { add_comment: 'first', change_status: 'in_progress' },
    })
    const ticket = await createTicket(admin, { department: dept })
    expect((await history(ticket.id)).slice(1).map((e) => e.action)).toEqual([
      'workflow_add_comment',
      'workflow_change_status',
    ])
  })

  it('stops rules that trigger each other at the depth limit', async () => {
    const dept = department()
    await createRule({
      trigger: 'status_changed',
      conditions: { department: dept, toStatus: 'in_progress' },
      actions: { change_status: 'blocked' },
    })
    await createRule({
      trigger: 'status_changed',
      conditions: { department: dept, toStatus: 'blocked' },
      actions: { change_status: 'in_progress' },
    })
    const ticket = await createTicket(admin, { department: dept })
    const res = await call('PUT', `/api/v1/tickets/${ticket.id}`, {
      token: admin.accessToken,
      body: { status: 'in_progress' },
    })
    expect(res.status).toBe(200)
    const entries = await history(ticket.id)
    const ruleMoves = entries.filter((e) => e.action === 'workflow_change_status').map((e) => e.newValue)
    expect(ruleMoves).toEqual(['blocked', 'in_progress', 'blocked'])
    expect(entries.at(-1)?.action).toBe('workflow_depth_limit_reached')
    const final = await res.json<Ticket>()
    expect(final).toMatchObject({ status: 'blocked', version: 5 })
  })

  it('never runs inactive rules', async () => {
    const dept = department()
    await createRule({
      trigger: 'ticket_created',
      conditions: { department: dept },
      actions: { add_comment: 'nope' },
      active: false,
    })
    const ticket = await createTicket(admin, { department: dept })
    expect((await history(ticket.id)).map((e) => e.action)).toEqual(['created'])
  })

  it('keeps neither the change nor any rule effect when a rule fails mid-way', async () => {
    const dept = department()
    await createRule({
      trigger: 'ticket_updated',
      conditions: { department: dept },
      actions: { add_comment: 'before the failure' },
    })
    const broken = await createRule({
      trigger: 'ticket_updated',
      conditions: { department: dept },
      actions: { add_comment: 'x' },
    })
    const ticket = await createTicket(admin, { department: dept })
    // Corrupt the second rule behind the API's back, so applying it throws inside the transaction.
    await runInDurableObject(env.WORKSPACE.getByName('default'), (_instance: Workspace, state) => {
      state.storage.sql.exec("UPDATE workflow_rules SET conditions = '{not json' WHERE id = ?", broken.id)
    })
    const res = await call('PUT', `/api/v1/tickets/${ticket.id}`, {
      token: admin.accessToken,
      body: { title: 'Changed' },
    })
    await expectError(res, 500, 'E_INTERNAL_ERROR')
    const after = await (await call('GET', `/api/v1/tickets/${ticket.id}`, { token: admin.accessToken })).json<Ticket>()
    expect(after).toMatchObject({ title: 'T', version: 1 })
    expect((await history(ticket.id)).map((e) => e.action)).toEqual(['created'])
    await call('DELETE', `/api/v1/workflows/${broken.id}`, { token: admin.accessToken })
  })
})

describe('GET /api/v1/notifications', () => {
  it('lists only the caller’s own, newest first, with an unread filter, and marks them read', async () => {
    const manager = await userWithRole('manager')
    const alice = await userWithRole('user')
    const bob = await userWithRole('user')
    const first = await createTicket(manager, { assigneeIds: [alice.user.id] })
    const second = await createTicket(manager, { assigneeIds: [alice.user.id, bob.user.id] })
    const mine = await notificationsOf(alice)
    expect(mine.map((n) => n.message)).toEqual([
      `You were assigned to ${second.key}: T`,
      `You were assigned to ${first.key}: T`,
    ])
    expect(mine.every((n) => n.userId === alice.user.id && !n.read)).toBe(true)

    const [newest] = mine
    const read = await call('POST', `/api/v1/notifications/${newest?.id}/read`, { token: alice.accessToken })
    expect(await read.json()).toMatchObject({ id: newest?.id, read: true })
    expect((await call('POST', `/api/v1/notifications/${newest?.id}/read`, { token: alice.accessToken })).status).toBe(
      200,
    )
    expect((await notificationsOf(alice, '?unread=true')).map((n) => n.id)).toEqual([mine[1]?.id])

    await expectError(
      await call('POST', `/api/v1/notifications/${mine[1]?.id}/read`, { token: bob.accessToken }),
      404,
      'E_NOTIFICATION_NOT_FOUND',
    )
    expect((await notificationsOf(bob)).map((n) => n.userId)).toEqual([bob.user.id])
  })

  it('does not notify people about their own actions', async () => {
    const manager = await userWithRole('manager')
    const ticket = await createTicket(manager, { assigneeIds: [manager.user.id] })
    await call('PUT', `/api/v1/tickets/${ticket.id}`, { token: manager.accessToken, body: { status: 'closed' } })
    expect(await notificationsOf(manager)).toEqual([])
  })
})
