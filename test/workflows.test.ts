/**
 * Workflow rules (/api/v1/workflows): admins create, read, list, replace and delete them, and an
 * invalid rule is refused naming the part that is wrong. At work, a rule whose trigger and
 * conditions match runs its actions in the order written, in the same transaction as the change
 * that triggered it: assigning, commenting, notifying, moving the status (skipped, and recorded,
 * when the lifecycle forbids it); rules that trigger each other stop at a depth limit; inactive
 * rules never run; a rule that fails mid-way leaves neither the change nor any effect.
 * Rules are workspace-wide and this file's tests share a workspace, so each test scopes its rules
 * to a department of its own.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Workspace } from '../src/store/workspace'
import {
  asAdmin,
  type Comment,
  call,
  createRule,
  createTicket,
  expectError,
  expectStatus,
  notificationsOf,
  type Session,
  type Ticket,
  ticketHistory,
  updateTicket,
  userWithRole,
  type WorkflowRule,
} from './helpers'

let admin: Session

beforeAll(async () => {
  admin = await asAdmin()
})

const department = () => `Dept-${crypto.randomUUID().slice(0, 8)}`
const history = (id: string) => ticketHistory(admin, id)

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
    const rule = await expectStatus<WorkflowRule>(res, 201)
    expect(rule).toMatchObject({
      description: '',
      active: true,
      conditions: { priority: 'critical' },
      actions: { add_comment: 'Seen' },
    })
    expect(rule.createdAt).toBe(rule.updatedAt)
    expect(res.headers.get('Location')).toBe(`/api/v1/workflows/${rule.id}`)
    const path = `/api/v1/workflows/${rule.id}`
    expect(await expectStatus<WorkflowRule>(await call('GET', path, { token: admin.accessToken }), 200)).toEqual(rule)
    const list = await expectStatus<WorkflowRule[]>(
      await call('GET', '/api/v1/workflows?limit=200', { token: admin.accessToken }),
      200,
    )
    expect(list.map((r) => r.id)).toContain(rule.id)
    // PUT is partial: the fields sent replace those fields, the others stay.
    const renamed = await call('PUT', path, { token: admin.accessToken, body: { name: 'Renamed', active: false } })
    expect(await expectStatus<WorkflowRule>(renamed, 200)).toMatchObject({
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
    expect(await expectStatus<WorkflowRule>(replaced, 200)).toMatchObject({
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
    // Well-formed, but at odds with the stored trigger: a domain error, not a validation error.
    const mismatch = await call('PUT', path, { token: admin.accessToken, body: { conditions: { fromStatus: 'open' } } })
    const refused = await expectError(mismatch, 400, 'E_WORKFLOW_TRIGGER_MISMATCH')
    expect(refused.details).toMatchObject({ issues: [{ path: 'conditions.fromStatus', location: 'body' }] })
    await expectStatus(await call('DELETE', path, { token: admin.accessToken }), 204)
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
    const rule = await createRule(admin, {
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

    const comments = await expectStatus<Comment[]>(
      await call('GET', `/api/v1/tickets/${ticket.id}/comments`, { token: admin.accessToken }),
      200,
    )
    expect(comments).toEqual([
      expect.objectContaining({ authorId: null, ruleId: rule.id, body: 'Escalated to on-call' }),
    ])

    const received = await notificationsOf(oncall)
    expect(received.map((n) => [n.kind, n.message])).toEqual(
      expect.arrayContaining([
        ['rule', 'Critical ticket needs you'],
        ['assigned', `You were assigned to ${ticket.key}: ${ticket.title}`],
      ]),
    )
    // The assignee can now see the ticket it was assigned by the rule.
    await expectStatus(await call('GET', `/api/v1/tickets/${ticket.id}`, { token: oncall.accessToken }), 200)
  })

  it('runs status_changed rules on toStatus and notifies the reporter of status changes', async () => {
    const dept = department()
    const reporter = await userWithRole('user')
    const manager = await userWithRole('manager')
    const rule = await createRule(admin, {
      trigger: 'status_changed',
      conditions: { department: dept, fromStatus: 'open', toStatus: 'closed' },
      actions: { add_comment: 'Closed straight from open: please explain' },
    })
    const ticket = await createTicket(reporter, { department: dept })
    await updateTicket(manager, ticket.id, { status: 'closed' })
    const entries = await history(ticket.id)
    expect(entries.at(-1)).toMatchObject({ action: 'workflow_add_comment', ruleId: rule.id })
    const statusNews = (await notificationsOf(reporter)).filter((n) => n.kind === 'status_changed')
    expect(statusNews.map((n) => n.message)).toEqual([`${ticket.key} (${ticket.title}) moved from open to closed`])
  })

  it('skips and records a rule’s invalid transition instead of forcing it', async () => {
    const dept = department()
    const rule = await createRule(admin, {
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
    await createRule(admin, {
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
    await createRule(admin, {
      trigger: 'status_changed',
      conditions: { department: dept, toStatus: 'in_progress' },
      actions: { change_status: 'blocked' },
    })
    await createRule(admin, {
      trigger: 'status_changed',
      conditions: { department: dept, toStatus: 'blocked' },
      actions: { change_status: 'in_progress' },
    })
    const ticket = await createTicket(admin, { department: dept })
    const final = await updateTicket(admin, ticket.id, { status: 'in_progress' })
    const entries = await history(ticket.id)
    const ruleMoves = entries.filter((e) => e.action === 'workflow_change_status').map((e) => e.newValue)
    expect(ruleMoves).toEqual(['blocked', 'in_progress', 'blocked'])
    expect(entries.at(-1)?.action).toBe('workflow_depth_limit_reached')
    expect(final).toMatchObject({ status: 'blocked', version: 5 })
  })

  it('never runs inactive rules', async () => {
    const dept = department()
    await createRule(admin, {
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
    await createRule(admin, {
      trigger: 'ticket_updated',
      conditions: { department: dept },
      actions: { add_comment: 'before the failure' },
    })
    const broken = await createRule(admin, {
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
    const after = await expectStatus<Ticket>(
      await call('GET', `/api/v1/tickets/${ticket.id}`, { token: admin.accessToken }),
      200,
    )
    expect(after).toMatchObject({ title: ticket.title, version: 1 })
    expect((await history(ticket.id)).map((e) => e.action)).toEqual(['created'])
    await expectStatus(await call('DELETE', `/api/v1/workflows/${broken.id}`, { token: admin.accessToken }), 204)
  })
})
