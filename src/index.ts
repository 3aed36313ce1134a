/**
 * Worker entry point: the HTTP app, the queue consumers (notification emails, webhook deliveries),
 * and the Durable Object classes the runtime binds (one Workspace per tenant, one Directory).
 */
import { createApp } from './app'
import type { Bindings, EmailJob, WebhookJob } from './config'
import { deliverEmails } from './notifications/email-delivery'
import { deliverWebhooks, WEBHOOK_QUEUE_NAME } from './notifications/webhook-delivery'

export { Directory } from './store/directory'
export { Workspace } from './store/workspace'

const app = createApp()

export default {
  fetch: app.fetch,
  queue: (batch, env) =>
    // Every batch that is not of the webhook queue is email.
    batch.queue === WEBHOOK_QUEUE_NAME
      ? deliverWebhooks(batch as MessageBatch<WebhookJob>, env)
      : deliverEmails(batch as MessageBatch<EmailJob>, env),
} satisfies ExportedHandler<Bindings, EmailJob | WebhookJob>
