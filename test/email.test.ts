/**
 * Notification emails: after a change commits, the Workspace's alarm hands new notifications to the
 * email queue, and the queue consumer sends each one once (a redelivered message sends nothing),
 * retries a failed send with the attempts recorded, and gives up after the last attempt. The
 * consumer is called directly with a counting email binding, so the tests see every send.
 */
import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { EmailJob } from '../src/config'
import worker from '../src/index'
import type { Workspace } from '../src/store/workspace'
import { createTicket, type Notification, notificationsOf, type Session, userWithRole } from './helpers'

/** The notification a new assignment gives `assignee`. */
async function assignedNotification(assignee: Session) {
  const manager = await userWithRole('manager')
  const ticket = await createTicket(manager, { title: 'Mail me', assigneeIds: [assignee.user.id] })
  const notifications = await notificationsOf(assignee)
  expect(notifications.map((n) => [n.kind, n.ticketId])).toEqual([['assigned', ticket.id]])
  return notifications[0] as Notification
}

/** Waits until the notification's email reaches `status` (the alarm relays, the queue consumer sends). */
async function waitForEmailStatus(session: Session, id: string, status: Notification['emailStatus']) {
  await expect
    .poll(async () => (await notificationsOf(session)).find((n) => n.id === id)?.emailStatus, {
      timeout: 10_000,
      interval: 100,
      message: `email of notification ${id} to reach ${status}`,
    })
    .toBe(status)
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
    await waitForEmailStatus(assignee, notification.id, 'sent')
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
    await waitForEmailStatus(assignee, notification.id, 'sent')
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
    await waitForEmailStatus(assignee, notification.id, 'sent')
    await runInDurableObject(stub(), (_instance: Workspace, state) => {
      state.storage.sql.exec("UPDATE notifications SET email_status = 'queued' WHERE id = ?", notification.id)
    })
    const result = await deliver(notification.id, countingEmail(1), 6)
    expect(result.explicitAcks).toHaveLength(1)
    expect((await emailRow(notification.id)).email_status).toBe('failed')
  })
})
