/**
 * The checks every route shares, as tables rather than one copy per resource: each operation the
 * OpenAPI document marks as needing a token answers 401 E_AUTH_TOKEN_INVALID without one (and the
 * table must list exactly those operations, so a new route cannot slip past); each route with an
 * id in its path answers 404 with its resource's code for an id that does not exist, and 422 for
 * one that is not a UUID. The admin makes the 404 and 422 requests: it sees everything, so a 404
 * means the thing does not exist, not that it is hidden.
 */
import { describe, expect, it } from 'vitest'
import { asAdmin, call, createTicket, expectError, expectStatus } from './helpers'

/** Every operation that needs a token: `METHOD /path`, path parameters as the document names them. */
const PROTECTED = [
  'POST /api/v1/auth/logout',
  'GET /api/v1/auth/me',
  'POST /api/v1/auth/tokens',
  'GET /api/v1/auth/tokens',
  'DELETE /api/v1/auth/tokens/{tokenId}',
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
  'GET /api/v1/tickets/{ticketId}/comments/{commentId}',
  'GET /api/v1/tickets/{ticketId}/watchers',
  'PUT /api/v1/tickets/{ticketId}/watchers/me',
  'DELETE /api/v1/tickets/{ticketId}/watchers/me',
  'PUT /api/v1/tickets/{ticketId}/watchers/{userId}',
  'DELETE /api/v1/tickets/{ticketId}/watchers/{userId}',
  'GET /api/v1/labels',
  'POST /api/v1/labels',
  'GET /api/v1/labels/{labelId}',
  'PUT /api/v1/labels/{labelId}',
  'DELETE /api/v1/labels/{labelId}',
  'GET /api/v1/sla-policies',
  'PUT /api/v1/sla-policies',
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
  'GET /api/v1/workspace',
  'GET /api/v1/webhooks',
  'POST /api/v1/webhooks',
  'GET /api/v1/webhooks/{webhookId}',
  'PUT /api/v1/webhooks/{webhookId}',
  'DELETE /api/v1/webhooks/{webhookId}',
  'POST /api/v1/webhooks/{webhookId}/ping',
  'POST /api/v1/webhooks/{webhookId}/rotate-secret',
  'GET /api/v1/webhooks/{webhookId}/deliveries',
  'POST /api/v1/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver',
  'PUT /api/v1/workspace',
  'DELETE /api/v1/workspace',
  'GET /api/v1/notifications',
  'POST /api/v1/notifications/{notificationId}/read',
  'GET /api/v1/reports/dashboard',
  'GET /api/v1/reports/tickets-by-status',
  'GET /api/v1/reports/tickets-by-priority',
  'GET /api/v1/reports/tickets-by-department',
  'GET /api/v1/reports/user-activity',
  'GET /api/v1/reports/sla',
  'POST /api/v1/attachments/presigned-url',
  'POST /api/v1/attachments',
  'GET /api/v1/attachments/ticket/{ticketId}',
  'GET /api/v1/attachments/{attachmentId}',
  'DELETE /api/v1/attachments/{attachmentId}',
  'GET /api/v1/events',
]

/** `METHOD /path/{param}` → method and a concrete path (unknown ids; a key no ticket has). */
function request(operation: string) {
  const [method = '', template = ''] = operation.split(' ')
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) =>
    name === 'ticketKey' ? 'TSK-999999' : crypto.randomUUID(),
  )
  return { method, path }
}

type Operation = { security?: unknown[] }
type Document = { paths: Record<string, Record<string, Operation>> }

describe('every operation that needs a token', () => {
  it('is in the PROTECTED table, and nothing else is', async () => {
    const doc = await expectStatus<Document>(await call('GET', '/openapi.json'), 200)
    const needingToken = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        // Public operations have no requirement; optional ones (workspace creation) list `{}` too.
        .filter(([, operation]) => JSON.stringify(operation.security) !== '[]')
        .filter(([, operation]) => !operation.security?.some((requirement) => JSON.stringify(requirement) === '{}'))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    )
    expect([...PROTECTED].sort()).toEqual(needingToken.sort())
  })

  it.each(PROTECTED)('%s answers 401 E_AUTH_TOKEN_INVALID without a token', async (operation) => {
    const { method, path } = request(operation)
    // A body for the writes, so that only the missing token is wrong; the events route is a
    // WebSocket, so its request asks for the upgrade.
    const body = method === 'POST' || method === 'PUT' ? {} : undefined
    const headers: Record<string, string> = path === '/api/v1/events' ? { Upgrade: 'websocket' } : {}
    const res = await call(method, path, { body, headers })
    expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer .*invalid_token/)
    await expectError(res, 401, 'E_AUTH_TOKEN_INVALID')
  })
})

/** Every route with an id in its path; for writes, a valid body, so that only the id is wrong. */
const BY_ID: { operation: string; code: string; body?: unknown }[] = [
  { operation: 'GET /api/v1/users/{userId}', code: 'E_USER_NOT_FOUND' },
  { operation: 'PUT /api/v1/users/{userId}', code: 'E_USER_NOT_FOUND', body: { name: 'Nobody' } },
  { operation: 'DELETE /api/v1/users/{userId}', code: 'E_USER_NOT_FOUND' },
  { operation: 'GET /api/v1/tickets/{ticketId}', code: 'E_TICKET_NOT_FOUND' },
  { operation: 'PUT /api/v1/tickets/{ticketId}', code: 'E_TICKET_NOT_FOUND', body: { title: 'Nothing' } },
  { operation: 'DELETE /api/v1/tickets/{ticketId}', code: 'E_TICKET_NOT_FOUND' },
  { operation: 'GET /api/v1/tickets/{ticketId}/history', code: 'E_TICKET_NOT_FOUND' },
  { operation: 'GET /api/v1/tickets/{ticketId}/comments', code: 'E_TICKET_NOT_FOUND' },
  { operation: 'POST /api/v1/tickets/{ticketId}/comments', code: 'E_TICKET_NOT_FOUND', body: { body: 'Hello?' } },
  { operation: 'GET /api/v1/tickets/{ticketId}/watchers', code: 'E_TICKET_NOT_FOUND' },
  { operation: 'PUT /api/v1/tickets/{ticketId}/watchers/me', code: 'E_TICKET_NOT_FOUND' },
  { operation: 'DELETE /api/v1/tickets/{ticketId}/watchers/me', code: 'E_TICKET_NOT_FOUND' },
  { operation: 'PUT /api/v1/tickets/{ticketId}/watchers/{userId}', code: 'E_TICKET_NOT_FOUND' },
  { operation: 'DELETE /api/v1/tickets/{ticketId}/watchers/{userId}', code: 'E_TICKET_NOT_FOUND' },
  { operation: 'GET /api/v1/labels/{labelId}', code: 'E_LABEL_NOT_FOUND' },
  { operation: 'PUT /api/v1/labels/{labelId}', code: 'E_LABEL_NOT_FOUND', body: { color: '#00ff00' } },
  { operation: 'DELETE /api/v1/labels/{labelId}', code: 'E_LABEL_NOT_FOUND' },
  { operation: 'GET /api/v1/projects/{projectId}', code: 'E_PROJECT_NOT_FOUND' },
  { operation: 'PUT /api/v1/projects/{projectId}', code: 'E_PROJECT_NOT_FOUND', body: { name: 'Nothing' } },
  { operation: 'DELETE /api/v1/projects/{projectId}', code: 'E_PROJECT_NOT_FOUND' },
  { operation: 'GET /api/v1/workflows/{ruleId}', code: 'E_WORKFLOW_RULE_NOT_FOUND' },
  { operation: 'PUT /api/v1/workflows/{ruleId}', code: 'E_WORKFLOW_RULE_NOT_FOUND', body: { name: 'Nothing' } },
  { operation: 'DELETE /api/v1/workflows/{ruleId}', code: 'E_WORKFLOW_RULE_NOT_FOUND' },
  { operation: 'POST /api/v1/notifications/{notificationId}/read', code: 'E_NOTIFICATION_NOT_FOUND' },
  { operation: 'GET /api/v1/attachments/ticket/{ticketId}', code: 'E_TICKET_NOT_FOUND' },
  { operation: 'GET /api/v1/attachments/{attachmentId}', code: 'E_ATTACHMENT_NOT_FOUND' },
  { operation: 'DELETE /api/v1/attachments/{attachmentId}', code: 'E_ATTACHMENT_NOT_FOUND' },
]

describe('every route with an id in its path', () => {
  it.each(BY_ID)('$operation answers 404 $code for an unknown id', async ({ operation, code, body }) => {
    const admin = await asAdmin()
    const { method, path } = request(operation)
    await expectError(await call(method, path, { token: admin.accessToken, body }), 404, code)
  })

  it.each(BY_ID)('$operation answers 422 E_VALIDATION_ERROR for an id that is not a UUID', async (route) => {
    const admin = await asAdmin()
    const { method } = request(route.operation)
    // The first id is not a UUID; any other is a well-formed one, so only the first is wrong.
    const path =
      route.operation
        .split(' ')[1]
        ?.replace(/\{\w+\}/, 'not-a-uuid')
        .replace(/\{\w+\}/g, () => crypto.randomUUID()) ?? ''
    const res = await call(method, path, { token: admin.accessToken, body: route.body })
    const error = await expectError(res, 422, 'E_VALIDATION_ERROR')
    expect(error.details).toMatchObject({ issues: [expect.objectContaining({ location: 'path' })] })
  })

  it('answers 404 for a ticket key or a comment that does not exist', async () => {
    const admin = await asAdmin()
    await expectError(
      await call('GET', '/api/v1/tickets/key/TSK-999999', { token: admin.accessToken }),
      404,
      'E_TICKET_NOT_FOUND',
    )
    const ticket = await createTicket(admin)
    await expectError(
      await call('GET', `/api/v1/tickets/${ticket.id}/comments/${crypto.randomUUID()}`, { token: admin.accessToken }),
      404,
      'E_COMMENT_NOT_FOUND',
    )
    await expectError(
      await call('GET', `/api/v1/tickets/${crypto.randomUUID()}/comments/${crypto.randomUUID()}`, {
        token: admin.accessToken,
      }),
      404,
      'E_TICKET_NOT_FOUND',
    )
  })
})
