/**
 * Worker entry point: the HTTP app, the email queue's consumer, and the Workspace Durable Object
 * class the runtime binds.
 */
import { createApp } from './app'
import type { Bindings, EmailJob } from './config'
import { deliverEmails } from './notifications/email-delivery'

export { Directory } from './store/directory'
export { Workspace } from './store/workspace'

const app = createApp()

export default {
  fetch: app.fetch,
  queue: (batch, env) => deliverEmails(batch, env),
} satisfies ExportedHandler<Bindings, EmailJob>
