/**
 * Structured logs: one JSON object per line, tagged with the request id. Callers pass explicit
 * fields; request bodies, headers and query strings are never logged, so no password, token or
 * hash can reach the logs.
 */
import type { Context } from 'hono'
import type { LogLevel } from '../config'

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

export function log(c: Context, level: Exclude<LogLevel, 'silent'>, msg: string, fields: Record<string, unknown> = {}) {
  const threshold: LogLevel = c.get('config')?.logLevel ?? 'info'
  if (rank[level] < rank[threshold]) return
  const line = JSON.stringify({ level, msg, requestId: c.get('requestId'), ...fields })
  if (level === 'error') console.error(line)
  else if (level === 'warn') console.warn(line)
  else console.log(line)
}
