import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { EmailJob } from '../src/config'
import worker from '../src/index'
import type { Workspace } from '../src/store/workspace'
import { call, type Session, userWithRole } from './helpers'

type Notification = { id: string; emailStatus: string }

async function assignedNotification(assignee: Session) {
  const manager = await userWithRole('manager')
  const res = await call('POST', '/api/v1/tickets', {
    token: manager.accessToken,
    body: { title: 'Mail me', description: '', assigneeIds: [assignee.user.id] },
  })
  expect(res.status).toBe(201)
  const [notification] = await (await call('GET', '/api/v1/notifications', { token: assignee.accessToken })).json<
    Notification[]
  >()
  if (!notification) throw new Error('no notification')
  return notification
}

async function waitForStatus(session: Session, id: string, status: string) {
  for (let i = 0; i < 100; i++) {
    const list = await (await call('GET', '/api/v1/notifications', { token: session.accessToken })).json<
      Notification[]
    >()
    const found = list.find((n) => n.id === id)
    if (found?.emailStatus === status) return found
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`notification ${id} never reached ${status}`)
}

const stub = () => env.WORKSPACE.getByName('default')

const emailRow = (id: string) =>
  runInDurableObject(stub(), (_instance: Workspace, state) =>
    state.storage.sql
      .exec<{ email_status: string; email_attempts: number; email_message_id: string | null }>(
        'SELECT email_status, email_attempts, email_message_id FROM notifications WHERE id = ?',
        id,
      )
      .one(),
  )

/** The real email binding, counting what goes through it (and optionally failing first). */
function countingEmail(failures = 0) {
  const sent: { to: string; subject: string }[] = []
  let toFail = failures
  const binding = {
    async send(message: { from: string; to: string; subject: string; text: string }) {
      if (toFail > 0) {
        toFail--
        throw new Error('mail server unavailable')
      }
      sent.push({ to: message.to, subject: message.subject })
      return (env.EMAIL as unknown as { send(m: unknown): Promise<{ messageId: string }> }).send(message)
    },
  }
  return { sent, binding }
}

async function deliver(notificationId: string, email: ReturnType<typeof countingEmail>, attempts = 1) {
  const batch = createMessageBatch<EmailJob>('ticketing-email', [
    { id: crypto.randomUUID(), timestamp: new Date(), attempts, body: { workspace: 'default', notificationId } },
  ])
  const ctx = createExecutionContext()
  const queue = worker.queue as (batch: MessageBatch<EmailJob>, env: unknown, ctx: ExecutionContext) => Promise<void>
  await queue(batch, { ...env, EMAIL: email.binding }, ctx)
  return getQueueResult(batch, ctx)
}

describe('email delivery', () => {
  it('hands a new notification to the queue after commit, and the consumer sends it once', async () => {
    const assignee = await userWithRole('user')
    const notification = await assignedNotification(assignee)
    expect(['pending', 'queued', 'sent']).toContain(notification.emailStatus)
    await waitForStatus(assignee, notification.id, 'sent')
    const row = await emailRow(notification.id)
    expect(row.email_attempts).toBe(1)
    expect(row.email_message_id).toBeTruthy()

    // A redelivery of the same message (the queue is at-least-once) sends nothing.
    const email = countingEmail()
    const result = await deliver(notification.id, email)
    expect(email.sent).toEqual([])
    expect(result.explicitAcks).toHaveLength(1)
    expect((await emailRow(notification.id)).email_attempts).toBe(1)
  })

  it('retries a failed send and records the attempts, then sends exactly one email', async () => {
    const assignee = await userWithRole('user')
    const notification = await assignedNotification(assignee)
    await waitForStatus(assignee, notification.id, 'sent')
    // Put it back in the outbox, as if the queue had just handed it over.
    await runInDurableObject(stub(), (_instance: Workspace, state) => {
      state.storage.sql.exec(
        "UPDATE notifications SET email_status = 'queued', email_attempts = 0, email_message_id = NULL WHERE id = ?",
        notification.id,
      )
    })
    const failing = countingEmail(1)
    const first = await deliver(notification.id, failing, 1)
    expect(first.retryMessages).toHaveLength(1)
    expect(await emailRow(notification.id)).toMatchObject({ email_status: 'queued', email_attempts: 1 })

    const second = await deliver(notification.id, failing, 2)
    expect(second.explicitAcks).toHaveLength(1)
    expect(failing.sent).toEqual([{ to: assignee.email, subject: expect.stringMatching(/^\[TSK-\d+\] Mail me$/) }])
    expect(await emailRow(notification.id)).toMatchObject({ email_status: 'sent', email_attempts: 2 })

    await deliver(notification.id, failing, 1)
    expect(failing.sent).toHaveLength(1)
  })

  it('gives up after the last attempt and marks the notification failed', async () => {
    const assignee = await userWithRole('user')
    const notification = await assignedNotification(assignee)
    await waitForStatus(assignee, notification.id, 'sent')
    await runInDurableObject(stub(), (_instance: Workspace, state) => {
      state.storage.sql.exec("UPDATE notifications SET email_status = 'queued' WHERE id = ?", notification.id)
    })
    const result = await deliver(notification.id, countingEmail(1), 6)
    expect(result.explicitAcks).toHaveLength(1)
    expect((await emailRow(notification.id)).email_status).toBe('failed')
  })
})
