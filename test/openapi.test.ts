/**
 * The OpenAPI document as the Worker serves it (GET /openapi.json): version, info, servers and the
 * bearer scheme, every route documented with a unique operationId, one tag and the error envelope on
 * every error status, security marked per operation, required fields, and the status enum taken
 * from the lifecycle. Also the JWKS and the docs pages, whose assets must all be served locally.
 * The end-to-end suite lints the document and checks every response against it.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { SCOPES } from '../src/domain/scopes'
import { call, expectStatus } from './helpers'

type Operation = {
  operationId?: string
  tags?: string[]
  security?: unknown[]
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>
}
type Document = {
  openapi: string
  info: { title: string; license?: { name: string } }
  servers: { url: string }[]
  paths: Record<string, Record<string, Operation>>
  tags?: { name: string; description?: string }[]
  components: { schemas: Record<string, { required?: string[] }>; securitySchemes: Record<string, unknown> }
}

const loadDocument = async () => expectStatus<Document>(await call('GET', '/openapi.json'), 200)

const operations = (doc: Document) =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
  )

describe('GET /openapi.json', () => {
  it('is OpenAPI 3.1 with info, license, servers and the bearer scheme', async () => {
    const doc = await loadDocument()
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.info.license?.name).toBe('MIT')
    expect(doc.servers[0]?.url).toBe('https://api.test')
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' })
  })

  it('documents every route of the API', async () => {
    const doc = await loadDocument()
    const listed = operations(doc).map(({ path, method }) => `${method.toUpperCase()} ${path}`)
    for (const expected of [
      'GET /health',
      'GET /.well-known/jwks.json',
      'POST /api/v1/auth/login',
      'POST /api/v1/auth/register',
      'POST /api/v1/auth/refresh',
      'POST /api/v1/auth/logout',
      'GET /api/v1/auth/me',
      'GET /api/v1/users',
      'POST /api/v1/users',
      'GET /api/v1/users/{userId}',
      'PUT /api/v1/users/{userId}',
      'DELETE /api/v1/users/{userId}',
      'GET /api/v1/tickets',
      'POST /api/v1/tickets',
      'GET /api/v1/tickets/my',
      'GET /api/v1/tickets/key/{ticketKey}',
      'GET /api/v1/tickets/{ticketId}',
      'PUT /api/v1/tickets/{ticketId}',
      'DELETE /api/v1/tickets/{ticketId}',
      'GET /api/v1/tickets/{ticketId}/history',
      'GET /api/v1/tickets/{ticketId}/comments',
      'POST /api/v1/tickets/{ticketId}/comments',
      'GET /api/v1/projects',
      'POST /api/v1/projects',
      'GET /api/v1/projects/{projectId}',
      'PUT /api/v1/projects/{projectId}',
      'DELETE /api/v1/projects/{projectId}',
      'GET /api/v1/workflows',
      'POST /api/v1/workflows',
      'GET /api/v1/workflows/{ruleId}',
      'PUT /api/v1/workflows/{ruleId}',
      'DELETE /api/v1/workflows/{ruleId}',
      'GET /api/v1/notifications',
      'POST /api/v1/attachments/presigned-url',
      'PUT /api/v1/attachments/upload/{ticketId}/{fileId}',
      'POST /api/v1/attachments',
      'GET /api/v1/attachments/{attachmentId}',
      'GET /api/v1/attachments/ticket/{ticketId}',
      'GET /api/v1/attachments/download/{ticketId}/{fileId}',
      'DELETE /api/v1/attachments/{attachmentId}',
      'GET /api/v1/reports/dashboard',
      'GET /api/v1/reports/tickets-by-status',
      'GET /api/v1/reports/tickets-by-priority',
      'GET /api/v1/reports/tickets-by-department',
      'GET /api/v1/reports/user-activity',
      'POST /api/v1/notifications/{notificationId}/read',
    ]) {
      expect(listed).toContain(expected)
    }
  })

  it('gives every operation a unique operationId, one tag, and the error envelope on every error status', async () => {
    const doc = await loadDocument()
    const ids = new Set<string>()
    for (const { path, method, operation } of operations(doc)) {
      const where = `${method} ${path}`
      expect(operation.operationId, where).toMatch(/^[a-z][A-Za-z]+$/)
      expect(ids.has(operation.operationId as string), where).toBe(false)
      ids.add(operation.operationId as string)
      expect(operation.tags, where).toHaveLength(1)
      expect(operation.responses['500'], where).toBeDefined()
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400) continue
        expect(response.content?.['application/json']?.schema.$ref, `${where} ${status}`).toBe(
          '#/components/schemas/Error',
        )
      }
    }
  })

  it('lists every tag an operation uses, with a description', async () => {
    const doc = await loadDocument()
    const declared = new Map((doc.tags ?? []).map((tag) => [tag.name, tag]))
    for (const { operation } of operations(doc)) {
      for (const tag of operation.tags ?? []) {
        expect(declared.get(tag)?.description, `${operation.operationId}: tag ${tag}`).toBeTruthy()
      }
    }
  })

  it('marks public operations with security: [] and protected ones with bearer, documenting 401', async () => {
    const doc = await loadDocument()
    const publicOps = ['getHealth', 'getJwks', 'login', 'register', 'refreshTokens', 'uploadFile', 'downloadFile']
    for (const { operation } of operations(doc)) {
      if (publicOps.includes(operation.operationId as string)) expect(operation.security).toEqual([])
      else if (operation.operationId === 'createWorkspace') {
        // Open sign-up takes no token; closed sign-up takes an admin's of `default`.
        expect(operation.security).toEqual([{}, { bearerAuth: [] }])
        expect(operation.responses['401']).toBeDefined()
      } else {
        // An access token always; an API token too, unless the operation needs a login session,
        // with the one scope it needs (none listed: any scope will do).
        const [session, token, ...rest] = operation.security ?? []
        expect(session).toEqual({ bearerAuth: [] })
        expect(rest).toEqual([])
        if (token !== undefined) {
          const scopes = (token as { apiToken?: string[] }).apiToken
          expect(scopes, operation.operationId).toBeDefined()
          expect(scopes?.length ?? 0).toBeLessThanOrEqual(1)
          for (const scope of scopes ?? []) expect(SCOPES).toContain(scope)
        }
        expect(operation.responses['401']).toBeDefined()
      }
    }
  })

  it('marks the fields a User always carries as required', async () => {
    const doc = await loadDocument()
    expect(doc.components.schemas.User?.required?.sort()).toEqual(
      ['active', 'createdAt', 'email', 'id', 'name', 'role', 'updatedAt'].sort(),
    )
    expect(doc.components.schemas.Error?.required?.sort()).toEqual(['details', 'error', 'message'])
    expect(doc.components.schemas.Ticket?.required?.sort()).toEqual(
      [
        'assigneeIds',
        'createdAt',
        'department',
        'description',
        'dueAt',
        'id',
        'key',
        'labels',
        'priority',
        'projectId',
        'reporterId',
        'sla',
        'status',
        'title',
        'updatedAt',
        'version',
      ].sort(),
    )
  })

  it('takes the status enum from the lifecycle module', async () => {
    const doc = await loadDocument()
    const status = doc.components.schemas.TicketStatus as unknown as { enum: string[] }
    expect(status.enum).toEqual(['open', 'in_progress', 'blocked', 'closed'])
  })
})

describe('GET /.well-known/jwks.json', () => {
  it('is an empty key set under HS256', async () => {
    expect(await expectStatus(await call('GET', '/.well-known/jwks.json'), 200)).toEqual({ keys: [] })
  })
})

describe('docs pages', () => {
  for (const path of ['/docs', '/redoc']) {
    it(`${path} is an HTML page whose scripts and styles all come from this server`, async () => {
      const res = await call('GET', path)
      expect(res.status).toBe(200)
      expect(res.headers.get('Content-Type')).toContain('text/html')
      const csp = res.headers.get('Content-Security-Policy') ?? ''
      expect(csp).toContain("script-src 'self'")
      const page = await res.text()
      const urls = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '')
      expect(urls.length).toBeGreaterThan(0)
      for (const url of urls) {
        expect(url.startsWith('/'), url).toBe(true)
        expect(url.startsWith('//'), url).toBe(false)
        // The assets binding serves it (the Worker's own fetch in tests bypasses assets).
        const asset = await env.ASSETS.fetch(`https://api.test${url}`)
        expect(asset.status, url).toBe(200)
        await asset.body?.cancel()
      }
      expect(page).not.toMatch(/<script>(?!<\/script>)/)
    })
  }
})
