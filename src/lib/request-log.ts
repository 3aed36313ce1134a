/**
 * One log line per request: request id, method, path (without the query string, which may carry
 * signed-URL tokens), status, duration, and the workspace and authenticated user's id when the
 * request was bound to them. Written by `frame` (response-frame.ts) once the response is final.
 *
 * It runs on every request, so it is built directly as one JSON string of a fixed shape (the same
 * fields, in the same order, that `log()` would write), with no intermediate object, spread or
 * generic level lookup: only the strings that may hold anything are escaped by `JSON.stringify`.
 */
import type { Context } from 'hono'
import type { AppEnv } from './app-env'

const quote = JSON.stringify

/** `started`: `performance.now()` when the request came in. */
export function writeRequestLog(c: Context<AppEnv>, started: number) {
  // `info` is written unless LOG_LEVEL asks for less (warn, error, silent); no config means info.
  const level = c.get('config')?.logLevel
  if (level !== undefined && level !== 'info' && level !== 'debug') return
  const workspace = c.get('workspace')?.slug
  const userId = c.get('auth')?.actor.userId
  console.log(
    `{"level":"info","msg":"request","requestId":${quote(c.get('requestId'))},"method":${quote(c.req.method)},"path":${quote(c.req.path)},"status":${c.res.status},"durationMs":${Math.round(performance.now() - started)}${workspace === undefined ? '' : `,"workspace":${quote(workspace)}`}${userId === undefined ? '' : `,"userId":${quote(userId)}`}}`,
  )
}
