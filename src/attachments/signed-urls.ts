/**
 * Capability URLs signed by the API itself: an HMAC-SHA256 over the operation and every value that
 * must not change (file key, size, content type, expiry, download name), so an upload or download
 * URL works exactly as issued and only until it expires. Verification runs through Web Crypto's
 * `verify`, which compares in constant time.
 */
import { base64url } from 'jose'

const encoder = new TextEncoder()

export const importSigningKey = (secret: Uint8Array) =>
  crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])

/** Fields are joined with a newline, which none of them may contain, so fields cannot shift. */
const payload = (fields: readonly string[]) => {
  if (fields.some((field) => field.includes('\n'))) throw new Error('signed fields cannot contain newlines')
  return encoder.encode(fields.join('\n'))
}

export async function sign(key: CryptoKey, fields: readonly string[]): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.sign('HMAC', key, payload(fields))))
}

export type Verdict = 'valid' | 'invalid' | 'expired'

export async function verify(
  key: CryptoKey,
  fields: readonly string[],
  signature: string,
  expiresAt: number,
  now = Date.now(),
): Promise<Verdict> {
  let bytes: Uint8Array
  try {
    bytes = base64url.decode(signature)
  } catch {
    return 'invalid'
  }
  if (fields.some((field) => field.includes('\n'))) return 'invalid'
  const valid = await crypto.subtle.verify('HMAC', key, bytes, payload(fields))
  if (!valid) return 'invalid'
  return now > expiresAt ? 'expired' : 'valid'
}
