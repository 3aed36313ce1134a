/**
 * The email queue's consumer: for each queued notification, asks its workspace what to send (null
 * when it was already sent, so a redelivered message never sends twice), sends it through the
 * `send_email` binding, and records the outcome. Failures are retried with backoff by the queue;
 * after the last attempt the notification is marked `failed`. Delivery is at least once: a crash
 * between sending and recording can repeat one email, never lose one.
 */
import { type Bindings, type EmailJob, getConfig } from '../config'
import { workspaceStore } from '../store/client'

/** Matches `max_retries` of the consumer in wrangler.toml (attempts = retries + 1). */
export const MAX_ATTEMPTS = 6

export async function deliverEmails(batch: MessageBatch<EmailJob>, env: Bindings) {
  const config = getConfig(env)
  for (const message of batch.messages) {
    const { workspace, notificationId } = message.body
    const store = workspaceStore(env, workspace)
    const email = await store.emailFor(notificationId)
    if (!email.ok || email.value === null || !env.EMAIL) {
      message.ack()
      continue
    }
    try {
      const sent = await env.EMAIL.send({ from: config.emailFrom, ...email.value })
      await store.recordEmailAttempt(notificationId, { sent: true, messageId: sent.messageId })
      message.ack()
    } catch (error) {
      const final = message.attempts >= MAX_ATTEMPTS
      await store.recordEmailAttempt(notificationId, { sent: false, final })
      console.error(
        JSON.stringify({
          level: 'error',
          msg: 'email delivery failed',
          notificationId,
          attempt: message.attempts,
          final,
          error: error instanceof Error ? error.message : String(error),
        }),
      )
      if (final) message.ack()
      else message.retry({ delaySeconds: Math.min(300, 2 ** message.attempts * 5) })
    }
  }
}
