/**
 * Strong ETags from resource versions (`"3"`), and `If-Match` parsing for optimistic concurrency:
 * `"3"`, `W/"3"` and `*` are understood; anything else can never match.
 */

export const etag = (version: number) => `"${version}"`

export type IfMatch = { any: true } | { any: false; versions: number[] }

export function parseIfMatch(header: string | undefined): IfMatch | undefined {
  if (header === undefined) return undefined
  if (header.trim() === '*') return { any: true }
  const versions = header
    .split(',')
    .map((part) => /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(part)?.[1])
    .filter((version): version is string => version !== undefined)
    .map(Number)
  return { any: false, versions }
}
