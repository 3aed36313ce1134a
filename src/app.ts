/**
 * Assembles the HTTP app: request id, logging, CORS and security headers, config, body limits,
 * the routers under /api/v1 (each request's workspace and store stub are set where it is
 * authenticated: `auth/workspace-context.ts`), the OpenAPI document and the docs pages, and the
 * handlers that turn every failure into the error envelope (including 404 and 405).
 */
import { OpenAPIHono } from '@hono/zod-openapi'
import { UPLOAD_PATH } from './attachments/urls'
import type { AppEnv } from './lib/app-env'
import { jsonBodyLimit } from './lib/body-limit'
import { fixedRouteMethods, notFoundHandler } from './lib/method-not-allowed'
import { onError } from './lib/on-error'
import { openApiDocument } from './lib/openapi-document'
import { configAndPreflight, frame } from './lib/response-frame'
import { attachmentsRouter } from './routes/attachments'
import { authRouter } from './routes/auth'
import { docsRouter } from './routes/docs'
import { eventsRouter } from './routes/events'
import { labelsRouter } from './routes/labels'
import { notificationsRouter } from './routes/notifications'
import { projectsRouter } from './routes/projects'
import { reportsRouter } from './routes/reports'
import { slaRouter } from './routes/sla'
import { systemRouter } from './routes/system'
import { ticketsRouter } from './routes/tickets'
import { tokensRouter } from './routes/tokens'
import { usersRouter } from './routes/users'
import { registerWebhookEvents, webhooksRouter } from './routes/webhooks'
import { workflowsRouter } from './routes/workflows'
import { workspacesRouter } from './routes/workspaces'

export function createApp() {
  const app = new OpenAPIHono<AppEnv>({ strict: false })

  // Request id, security and CORS headers, the API's CSP and the log line; then config and preflights.
  app.use('*', frame)
  app.use('*', configAndPreflight)
  // File uploads stream to R2 with their own, signed size limit; every other body is JSON.
  app.use('/api/*', (c, next) => (c.req.path.startsWith(UPLOAD_PATH) ? next() : jsonBodyLimit(c, next)))
  app.use('/api/*', fixedRouteMethods(app))

  app.route('/', systemRouter)
  app.route('/api/v1/auth/tokens', tokensRouter)
  app.route('/api/v1/auth', authRouter)
  app.route('/api/v1/users', usersRouter)
  app.route('/api/v1/tickets', ticketsRouter)
  app.route('/api/v1/projects', projectsRouter)
  app.route('/api/v1/labels', labelsRouter)
  app.route('/api/v1/sla-policies', slaRouter)
  app.route('/api/v1/workflows', workflowsRouter)
  app.route('/api/v1/notifications', notificationsRouter)
  app.route('/api/v1/reports', reportsRouter)
  app.route('/api/v1/attachments', attachmentsRouter)
  app.route('/api/v1/events', eventsRouter)
  app.route('/api/v1', workspacesRouter)
  app.route('/api/v1/webhooks', webhooksRouter)
  registerWebhookEvents(app.openAPIRegistry)

  app.get('/openapi.json', (c) => c.json(openApiDocument(app, new URL(c.req.url).origin, c.get('config'))))
  app.route('/', docsRouter)

  app.notFound(notFoundHandler(app))
  app.onError(onError)
  return app
}
