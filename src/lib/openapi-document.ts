/**
 * The OpenAPI 3.1 document, generated from the zod route definitions registered on the app (never
 * written by hand), plus the facts that are this deployment's configuration rather than code (the
 * attachment size limit and allowed content types), so a client that obeys the document is never
 * refused for them. Built once per isolate and configuration; only `servers` follows the origin.
 */
import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Config } from '../config'
import type { AppEnv } from './app-env'
import { API_TOKEN, BEARER, bearerSecurity } from './openapi'

const TAGS = [
  { name: 'Auth', description: 'Log in, register, refresh and revoke sessions' },
  { name: 'Users', description: 'Accounts and roles' },
  { name: 'Tickets', description: 'Tickets, their lifecycle, history, comments and watchers' },
  { name: 'Projects', description: 'Projects group tickets and prefix their keys' },
  { name: 'Labels', description: 'The workspace’s label catalog; tickets carry label names' },
  { name: 'SLA', description: 'Response and resolution targets per priority, breached at the due instant' },
  { name: 'Attachments', description: 'Files in R2, uploaded and downloaded through URLs signed by the API' },
  {
    name: 'Workflows',
    description: 'Automation rules that change tickets when they are created, updated or miss an SLA target',
  },
  { name: 'Reports', description: 'Dashboard and reports from aggregates kept with every change' },
  { name: 'Events', description: 'Live updates over a WebSocket' },
  { name: 'Notifications', description: 'In-app notifications (also sent by email when configured)' },
  { name: 'Webhooks', description: 'Signed events pushed to integrations, with a delivery log' },
  { name: 'Workspaces', description: 'Tenants: create one, read, rename or delete your own' },
  { name: 'System', description: 'Health and token verification keys' },
]

const DESCRIPTION = `Ticketing system API on Cloudflare Workers.

All routes under \`/api/v1\` answer with and without a trailing slash. Errors always have the body
\`{"error": "E_CODE", "message": "…", "details": {}}\`. Collections are JSON arrays paged with
\`limit\` and \`cursor\`; the next page is in the \`Link: <…>; rel="next"\` header and the number of
matching items in \`X-Total-Count\`. Every response carries \`X-Request-Id\`.`

type Document = ReturnType<OpenAPIHono<AppEnv>['getOpenAPI31Document']>
type Schema = { properties?: Record<string, Record<string, unknown>> }
const cached = new WeakMap<Config, Document>()
const registered = new WeakSet<object>()

/** What the upload request may carry in this deployment: its size limit and content types. */
function describeUploads(document: Document, config: Config) {
  const request = document.components?.schemas?.PresignedUrlRequest as Schema | undefined
  const size = request?.properties?.size
  const contentType = request?.properties?.contentType
  if (size) size.maximum = config.attachments.maxBytes
  if (contentType) {
    contentType.enum = config.attachments.contentTypes
    contentType.description = 'One of the content types this deployment accepts (`ALLOWED_CONTENT_TYPES`)'
  }
}

export function openApiDocument(app: OpenAPIHono<AppEnv>, origin: string, config: Config): Document {
  let document = cached.get(config)
  if (!document) {
    if (!registered.has(app)) {
      app.openAPIRegistry.registerComponent('securitySchemes', BEARER, {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'Access token from `POST /api/v1/auth/login` or `/refresh`',
      })
      app.openAPIRegistry.registerComponent('securitySchemes', API_TOKEN, {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'tkt_…',
        description:
          'API token from `POST /api/v1/auth/tokens`, sent as `Authorization: Bearer tkt_…`. An operation that takes one names the scope it needs in its security requirement; one that lists only `bearerAuth` needs a login session.',
      })
      registered.add(app)
    }
    document = app.getOpenAPI31Document({
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
    describeUploads(document, config)
    cached.set(config, document)
  }
  return { ...document, servers: [{ url: origin, description: 'This server' }] }
}
