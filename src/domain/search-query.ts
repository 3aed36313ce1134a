/**
 * Turns a user's search text into a safe SQLite FTS5 query: each word becomes a quoted prefix term
 * (`"print"*` matches "printer"), all of which must match. No FTS syntax from the user survives,
 * so a search can never be a malformed query. Null when the text has no words.
 */

const WORD = /[\p{L}\p{N}]+/gu
const MAX_TERMS = 16

export function toFtsQuery(text: string): string | null {
  const words = text.match(WORD)?.slice(0, MAX_TERMS) ?? []
  if (words.length === 0) return null
  return words.map((word) => `"${word}"*`).join(' AND ')
}
