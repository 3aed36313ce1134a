/**
 * A safe `Content-Disposition: attachment` header for a user-supplied filename: an ASCII fallback
 * with quotes, backslashes, control characters and path separators replaced, plus the exact name
 * as RFC 5987 `filename*` (RFC 6266) when it is not plain ASCII.
 */

const UNSAFE_ASCII = /[^\x20-\x7e]|["\\/;%]/g

export function contentDisposition(filename: string): string {
  const base = filename.split(/[\\/]/).pop() || 'download'
  const fallback = base.replace(UNSAFE_ASCII, '_').slice(0, 150) || 'download'
  if (fallback === base) return `attachment; filename="${fallback}"`
  const encoded = encodeURIComponent(base).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`
}
