/**
 * `GET /api/v1/events`: live updates over a WebSocket. Browsers cannot set headers on a WebSocket,
 * so the access token may also come as `?access_token=` (never logged: logs carry the path only).
 * The token is verified here; the socket itself is held by the workspace's Durable Object, which
 * checks the session and sends each event only to the sockets allowed to see it.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { hashApiToken, isApiToken, parseApiToken } from '../../auth/api-tokens'
import { limitApiToken } from '../../auth/rate-limit'
import { bearerToken, checkToken, missingToken } from '../../auth/token-check'
import { useWorkspace } from '../../auth/workspace-context'
import { createRouter } from '../../lib/create-router'
import type { ErrorCode } from '../../lib/error-catalog'
import { ApiError } from '../../lib/errors'
import { API_TOKEN, AUTH_ERRORS, bearerSecurity, errorResponses } from '../../lib/openapi'
import type { Actor } from '../../store/db/context'

/** What an API token needs to subscribe: the events are about tickets. */
const SCOPE = 'tickets:read' as const

export const subscribe = createRoute({
  method: 'get',
  path: '/',
  operationId: 'subscribeToEvents',
  summary: 'Live updates over a WebSocket',
  description: [
    'Upgrade to a WebSocket (`Upgrade: websocket`), authenticated with the access token in `Authorization` or, for browsers, `?access_token=`.',
    'The server sends JSON messages: `ready`, then `ticket.created` and `ticket.updated` (with the ticket), `ticket.deleted`, `comment.created`, `attachment.created`, `attachment.deleted` and `notification.created`, each with `at`.',
    'Events are those of the token’s workspace only. Managers and admins receive events about every ticket; a plain user about the tickets it reported or is assigned to, and its own notifications.',
    'Send `ping` to get `pong`. The socket is closed with code 4001 when its session ends (logout, password change, deactivation) or the user’s role changes.',
  ].join(' '),
  tags: ['Events'],
  security: [...bearerSecurity, { [API_TOKEN]: [SCOPE] }],
  request: {
    query: z.object({
      access_token: z
        .string()
        .max(4096)
        .optional()
        .openapi({ description: 'For browsers, instead of `Authorization`' }),
    }),
  },
  responses: {
    101: { description: 'Switching protocols: the socket is open' },
    ...errorResponses(...AUTH_ERRORS, 'E_UPGRADE_REQUIRED', 'E_VALIDATION_ERROR'),
  },
})

export const eventsRouter = createRouter().openapi(subscribe, async (c) => {
  // Credentials first: without them the answer is 401 whatever else the request lacks.
  const token = bearerToken(c.req.header('Authorization')) ?? c.req.valid('query').access_token
  if (!token) throw missingToken()
  let actor: Actor
  if (isApiToken(token)) {
    const parsed = parseApiToken(token)
    if (!parsed) throw new ApiError('E_AUTH_TOKEN_INVALID')
    await limitApiToken(c, parsed.tokenId)
    useWorkspace(c, parsed.workspace)
    actor = {
      userId: '',
      sessionId: '',
      apiToken: { id: parsed.tokenId, hash: await hashApiToken(token), scope: SCOPE },
    }
  } else {
    const verified = await checkToken(c.get('config'), token, 'access')
    useWorkspace(c, verified.workspace)
    actor = { userId: verified.sub, sessionId: verified.sid }
  }
  if (c.req.header('Upgrade')?.toLowerCase() !== 'websocket') throw new ApiError('E_UPGRADE_REQUIRED')
  const response = await c
    .get('store')
    .fetch(
      new Request('https://workspace/events', { headers: { Upgrade: 'websocket', 'X-Actor': JSON.stringify(actor) } }),
    )
  if (response.status !== 101) {
    // The object refused the caller: its answer is a failure as data, the code says which.
    const refused = (await response.json()) as { code?: ErrorCode; details?: Record<string, unknown> }
    throw new ApiError(refused.code ?? 'E_AUTH_TOKEN_INVALID', refused.details ? { details: refused.details } : {})
  }
  return response
})
