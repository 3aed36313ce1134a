/**
 * One log line per request: request id, method, path (without the query string, which may carry
 * signed-URL tokens), status, duration, and the workspace and authenticated user's id when the
 * request was bound to them.
 */
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from './app-env'
import { log } from './log'

export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = performance.now()
  await next()
  log(c, 'info', 'request', {
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    durationMs: Math.round(performance.now() - started),
    workspace: c.get('workspace')?.slug,
    userId: c.get('auth')?.actor.userId,
  })
})
