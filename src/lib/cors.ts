/**
 * CORS for browser clients: which origins are allowed. They come from `CORS_ORIGINS`, a
 * comma-separated list in which `*` matches within one origin part (so `http://localhost:*` allows
 * any local port). The headers are set by `response-frame.ts`.
 */

const escapeRegExp = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&')

/** A predicate for the allowed origins; `*` alone allows any origin. */
export function originMatcher(patterns: string[]) {
  const expressions = patterns.map((pattern) =>
    pattern === '*' ? /^.*$/ : new RegExp(`^${escapeRegExp(pattern).replaceAll('*', '[a-z0-9-]*')}$`, 'i'),
  )
  return (origin: string) => expressions.some((expression) => expression.test(origin))
}
