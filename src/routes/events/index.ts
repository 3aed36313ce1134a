/**
 * `GET /api/v1/events`: live updates over a WebSocket. Browsers cannot set headers on a WebSocket,
 * so the access token may also come as `?access_token=` (never logged: logs carry the path only).
 * The token is verified here; the socket itself is held by the workspace's Durable Object, which
 * checks the session and sends each event only to the sockets allowed to see it.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { bearerToken, checkToken, missingToken } from '../../auth/token-check'
import { useWorkspace } from '../../auth/workspace-context'
import { createRouter } from '../../lib/create-router'
import { ApiError } from '../../lib/errors'
import { bearerSecurity, errorResponses } from '../../lib/openapi'

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
  security: bearerSecurity,
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
    ...errorResponses('E_AUTH_TOKEN_INVALID', 'E_AUTH_TOKEN_EXPIRED', 'E_UPGRADE_REQUIRED', 'E_VALIDATION_ERROR'),
  },
})

export const eventsRouter = createRouter().openapi(subscribe, async (c) => {
  // Credentials first: without them the answer is 401 whatever else the request lacks.
  const token = bearerToken(c.req.header('Authorization')) ?? c.req.valid('query').access_token
  if (!token) throw missingToken()
  const verified = await checkToken(c.get('config'), token, 'access')
  if (c.req.header('Upgrade')?.toLowerCase() !== 'websocket') throw new ApiError('E_UPGRADE_REQUIRED')
  const response = await useWorkspace(c, verified.workspace).fetch(
    new Request('https://workspace/events', {
      headers: { Upgrade: 'websocket', 'X-Actor-User': verified.sub, 'X-Actor-Session': verified.sid },
    }),
  )
  if (response.status === 401) throw new ApiError('E_AUTH_TOKEN_INVALID')
  return response
})
