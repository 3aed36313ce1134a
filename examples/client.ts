/**
 * An example consumer of the Ticketing API, written the way a consumer would: types generated from
 * the OpenAPI document (`api-types.ts`, by openapi-typescript) and the openapi-fetch client, so
 * every path, parameter, body and response below is checked by `tsc` against the document.
 *
 * It runs the core flow: log in, create a project and a ticket, move the ticket through
 * `in_progress` to `closed`, read its history, upload and download an attachment, read the
 * dashboard. Against a running server (`npm run dev`):
 *
 *   node examples/client.ts http://localhost:8787
 *
 * It logs in as the development admin that `wrangler dev` seeds, or as TICKETING_EMAIL /
 * TICKETING_PASSWORD (creating a project needs a manager or an admin), in the workspace named by
 * TICKETING_WORKSPACE (unset: `default`). Or, with TICKETING_API_TOKEN set to an API token
 * (`tkt_…`, with the scopes in FLOW_SCOPES), it logs in not at all and acts as the token's user, in
 * the token's workspace. `mintApiToken` makes such a token from a login session.
 */
import createClient from 'openapi-fetch'
import type { components, paths } from './api-types.ts'

export type Ticket = components['schemas']['Ticket']
export type HistoryEntry = components['schemas']['TicketHistoryEntry']
export type Dashboard = components['schemas']['Dashboard']
export type Scope = components['schemas']['Scope']
export type CreatedApiToken = components['schemas']['CreatedApiToken']

/** What the flow needs of an API token: projects, tickets (and their attachments), the dashboard. */
export const FLOW_SCOPES: Scope[] = ['projects:write', 'tickets:write', 'reports:read']

export interface Credentials {
  baseUrl: string
  email?: string | undefined
  password?: string | undefined
  /** The workspace to log in to; omitted: `default`. Everything after login happens in it. */
  workspace?: string | undefined
  /** The fetch to send every request with (the end-to-end suite passes one that checks each response). */
  fetch?: (request: Request) => Promise<Response>
}

export interface FlowOptions extends Credentials {
  /**
   * An API token (`tkt_…`) to act with instead of logging in: `email`, `password` and `workspace`
   * are then not used (the token names its workspace). It needs FLOW_SCOPES.
   */
  apiToken?: string | undefined
  log?: (line: string) => void
}

export interface FlowResult {
  projectKey: string
  ticket: Ticket
  history: HistoryEntry[]
  attachment: { id: string; filename: string; size: number; downloadedBytes: number; sameBytes: boolean }
  dashboard: Dashboard
}

/** openapi-fetch answers `{data}` or `{error}`; a step that did not succeed stops the flow. */
function ok<T>(step: string, result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined) {
    throw new Error(`${step}: HTTP ${result.response.status} ${JSON.stringify(result.error)}`)
  }
  return result.data
}

/** A client that sends `bearer` (a login session's access token or an API token) with every request. */
function clientFor(baseUrl: string, send: (request: Request) => Promise<Response>, bearer?: string) {
  const api = createClient<paths>({ baseUrl, fetch: send })
  if (bearer) {
    api.use({
      onRequest: ({ request }) => {
        request.headers.set('Authorization', `Bearer ${bearer}`)
        return request
      },
    })
  }
  return api
}

async function logIn(options: Credentials, send: (request: Request) => Promise<Response>) {
  return ok(
    'log in',
    await clientFor(options.baseUrl, send).POST('/api/v1/auth/login', {
      body: {
        email: options.email ?? 'admin@company.com',
        password: options.password ?? 'password',
        ...(options.workspace ? { workspace: options.workspace } : {}),
      },
    }),
  )
}

/**
 * Logs in and mints an API token for the flow (FLOW_SCOPES unless told otherwise). Minting needs a
 * login session; the answer's `token` is the only time the secret is shown.
 */
export async function mintApiToken(
  options: Credentials & { name?: string; scopes?: Scope[]; expiresInDays?: number },
): Promise<CreatedApiToken> {
  const send = options.fetch ?? ((request: Request) => fetch(request))
  const session = await logIn(options, send)
  const api = clientFor(options.baseUrl, send, session.accessToken)
  return ok(
    'mint an API token',
    await api.POST('/api/v1/auth/tokens', {
      body: {
        name: options.name ?? 'example client',
        scopes: options.scopes ?? FLOW_SCOPES,
        ...(options.expiresInDays === undefined ? {} : { expiresInDays: options.expiresInDays }),
      },
    }),
  )
}

export async function coreFlow(options: FlowOptions): Promise<FlowResult> {
  const send = options.fetch ?? ((request: Request) => fetch(request))
  const log = options.log ?? (() => {})

  let bearer: string
  if (options.apiToken) {
    bearer = options.apiToken
    // /auth/me takes an API token of any scope: who the token acts as.
    const me = ok('read the token’s user', await clientFor(options.baseUrl, send, bearer).GET('/api/v1/auth/me'))
    log(`using an API token of ${me.email} (${me.role})`)
  } else {
    const session = await logIn(options, send)
    bearer = session.accessToken
    log(`logged in as ${session.user.email} (${session.user.role}) to ${options.workspace || 'default'}`)
  }
  const api = clientFor(options.baseUrl, send, bearer)

  const projectKey = `EX${crypto.randomUUID().replaceAll('-', '').slice(0, 6).toUpperCase()}`
  const project = ok(
    'create a project',
    await api.POST('/api/v1/projects', { body: { key: projectKey, name: 'Example client' } }),
  )
  log(`created project ${project.key}`)

  const created = ok(
    'create a ticket',
    await api.POST('/api/v1/tickets', {
      params: { header: { 'idempotency-key': `example-${crypto.randomUUID()}` } },
      body: { title: 'Printer on floor 3 is on fire', description: 'Smoke since 9am.', projectId: project.id },
    }),
  )
  log(`created ticket ${created.key} (${created.status})`)

  let ticket = created
  for (const status of ['in_progress', 'closed'] as const) {
    ticket = ok(
      `move the ticket to ${status}`,
      await api.PUT('/api/v1/tickets/{ticketId}', {
        params: { path: { ticketId: ticket.id }, header: { 'if-match': `"${ticket.version}"` } },
        body: { status },
      }),
    )
    log(`moved ${ticket.key} to ${ticket.status} (version ${ticket.version})`)
  }

  const history = ok(
    'read the history',
    await api.GET('/api/v1/tickets/{ticketId}/history', { params: { path: { ticketId: ticket.id }, query: {} } }),
  )
  log(`history: ${history.map((entry) => entry.action).join(', ')}`)

  const bytes = new TextEncoder().encode('time,temperature\n09:00,31\n')
  const file = {
    ticketId: ticket.id,
    filename: 'temperatures.csv',
    contentType: 'text/csv' as const,
    size: bytes.byteLength,
  }
  const grant = ok('get an upload URL', await api.POST('/api/v1/attachments/presigned-url', { body: file }))
  // The upload and download URLs are opaque and signed: they are used as they are, not built.
  const uploaded = await send(
    new Request(grant.uploadUrl, { method: grant.method, headers: grant.headers, body: bytes }),
  )
  if (!uploaded.ok) throw new Error(`upload: HTTP ${uploaded.status} ${await uploaded.text()}`)
  const recorded = ok(
    'record the attachment',
    await api.POST('/api/v1/attachments', { body: { ...file, fileKey: grant.fileKey } }),
  )
  const attachment = ok(
    'read the attachment',
    await api.GET('/api/v1/attachments/{attachmentId}', { params: { path: { attachmentId: recorded.id } } }),
  )
  const download = await send(new Request(attachment.downloadUrl))
  if (!download.ok) throw new Error(`download: HTTP ${download.status}`)
  const downloaded = new Uint8Array(await download.arrayBuffer())
  const sameBytes = downloaded.length === bytes.length && downloaded.every((byte, i) => byte === bytes[i])
  log(`uploaded and downloaded ${attachment.filename} (${downloaded.byteLength} bytes, same bytes: ${sameBytes})`)

  const dashboard = ok('read the dashboard', await api.GET('/api/v1/reports/dashboard'))
  log(`dashboard: ${dashboard.openTickets} open, ${dashboard.closedTickets} closed`)

  return {
    projectKey,
    ticket,
    history,
    attachment: {
      id: attachment.id,
      filename: attachment.filename,
      size: attachment.size,
      downloadedBytes: downloaded.byteLength,
      sameBytes,
    },
    dashboard,
  }
}

if (import.meta.filename === process.argv[1]) {
  const baseUrl = process.argv[2] ?? 'http://localhost:8787'
  await coreFlow({
    baseUrl,
    apiToken: process.env.TICKETING_API_TOKEN,
    email: process.env.TICKETING_EMAIL,
    password: process.env.TICKETING_PASSWORD,
    workspace: process.env.TICKETING_WORKSPACE,
    log: (line) => console.log(line),
  })
  console.log('example client: core flow done')
}
