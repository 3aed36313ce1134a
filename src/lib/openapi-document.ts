/**
 * The OpenAPI 3.1 document, generated from the zod route definitions registered on the app (never
 * written by hand). Built once per isolate; only `servers` follows the request's origin.
 */
import type { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from './app-env'
import { BEARER, bearerSecurity } from './openapi'

const TAGS = [
  { name: 'Auth', description: 'Log in, register, refresh and revoke sessions' },
  { name: 'Users', description: 'Accounts and roles' },
  { name: 'Tickets', description: 'Tickets, their lifecycle, history and comments' },
  { name: 'Projects', description: 'Projects group tickets and prefix their keys' },
  { name: 'Attachments', description: 'Files in R2, uploaded and downloaded through URLs signed by the API' },
  { name: 'Workflows', description: 'Automation rules that change tickets when they are created or updated' },
  { name: 'Reports', description: 'Dashboard and reports from aggregates kept with every change' },
  { name: 'Events', description: 'Live updates over a WebSocket' },
  { name: 'Notifications', description: 'In-app notifications (also sent by email when configured)' },
  { name: 'System', description: 'Health and token verification keys' },
]

const DESCRIPTION = `Ticketing system API on Cloudflare Workers.

All routes under \`/api/v1\` answer with and without a trailing slash. Errors always have the body
\`{"error": "E_CODE", "message": "…", "details": {}}\`. Collections are JSON arrays paged with
\`limit\` and \`cursor\`; the next page is in the \`Link: <…>; rel="next"\` header and the number of
matching items in \`X-Total-Count\`. Every response carries \`X-Request-Id\`.`

type Document = ReturnType<OpenAPIHono<AppEnv>['getOpenAPI31Document']>
let cached: Document | undefined

export function openApiDocument(app: OpenAPIHono<AppEnv>, origin: string): Document {
  if (!cached) {
    app.openAPIRegistry.registerComponent('securitySchemes', BEARER, {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'Access token from `POST /api/v1/auth/login` or `/refresh`',
    })
    cached = app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'Ticketing API',
        version: '1.0.0',
        description: DESCRIPTION,
        license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' },
      },
      tags: TAGS,
      security: bearerSecurity,
    })
  }
  return { ...cached, servers: [{ url: origin, description: 'This server' }] }
}
