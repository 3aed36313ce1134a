/**
 * Worker entry point: the HTTP app, the queue consumers (notification emails, webhook deliveries),
 * and the Durable Object classes the runtime binds (one Workspace per tenant, one Directory).
 */
import { createApp } from './app'
import type { Bindings, EmailJob, WebhookJob } from './config'
import { deliverEmails } from './notifications/email-delivery'
import { deliverWebhooks } from './notifications/webhook-delivery'

export { Directory } from './store/directory'
export { Workspace } from './store/workspace'

/** The webhook queue's name in wrangler.toml (both environments); every other batch is email. */
export const WEBHOOK_QUEUE_NAME = 'ticketing-webhooks'

const app = createApp()

export default {
  fetch: app.fetch,
  queue: (batch, env) =>
    batch.queue === WEBHOOK_QUEUE_NAME
      ? deliverWebhooks(batch as MessageBatch<WebhookJob>, env)
      : deliverEmails(batch as MessageBatch<EmailJob>, env),
} satisfies ExportedHandler<Bindings, EmailJob | WebhookJob>
