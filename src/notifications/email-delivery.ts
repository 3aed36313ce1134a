/**
 * The email queue's consumer: for each queued notification, asks its workspace what to send (null
 * when it was already sent, so a redelivered message never sends twice), sends it through the
 * `send_email` binding, and records the outcome. Failures are retried with backoff by the queue;
 * after the last attempt the notification is marked `failed`. Delivery is at least once: a crash
 * between sending and recording can repeat one email, never lose one.
 */
import { type Bindings, type EmailJob, getConfig } from '../config'
import { workspaceStore } from '../lib/workspace-objects'
import type { EmailOutcome } from '../store/notifications'

/** Matches `max_retries` of the consumer in wrangler.toml (attempts = retries + 1). */
export const MAX_ATTEMPTS = 6

export async function deliverEmails(batch: MessageBatch<EmailJob>, env: Bindings) {
  const config = getConfig(env)
  // A batch may mix workspaces: one store call to read and one to record per workspace.
  const byWorkspace = Map.groupBy(batch.messages, (message) => message.body.workspace)
  for (const [slug, messages] of byWorkspace) {
    const store = workspaceStore(env, { slug, jurisdiction: messages[0]?.body.jurisdiction ?? null })
    const emails = await store.emailsFor(messages.map((message) => message.body.notificationId))
    const outcomes: { id: string; outcome: EmailOutcome }[] = []
    const settle: (() => void)[] = []
    await Promise.all(
      messages.map(async (message, index) => {
        const email = emails.ok ? emails.value[index] : null
        if (!email || !env.EMAIL) return message.ack()
        const id = message.body.notificationId
        try {
          const sent = await env.EMAIL.send({ from: config.emailFrom, ...email })
          outcomes.push({ id, outcome: { sent: true, messageId: sent.messageId } })
          settle.push(() => message.ack())
        } catch (error) {
          const final = message.attempts >= MAX_ATTEMPTS
          outcomes.push({ id, outcome: { sent: false, final } })
          console.error(
            JSON.stringify({
              level: 'error',
              msg: 'email delivery failed',
              notificationId: id,
              attempt: message.attempts,
              final,
              error: error instanceof Error ? error.message : String(error),
            }),
          )
          settle.push(() =>
            final ? message.ack() : message.retry({ delaySeconds: Math.min(300, 2 ** message.attempts * 5) }),
          )
        }
      }),
    )
    // Acknowledged only once recorded: if recording fails, the queue redelivers (at least once).
    if (outcomes.length > 0) await store.recordEmailAttempts(outcomes)
    for (const done of settle) done()
  }
}
