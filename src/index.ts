/**
 * Worker entry point: the HTTP app, and the Workspace Durable Object class the runtime binds.
 */
import { createApp } from './app'

export { Workspace } from './store/workspace'

const app = createApp()

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>
