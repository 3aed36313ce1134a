/**
 * Standard Webhooks 1.0 signing (standardwebhooks.com), with Web Crypto: secrets are
 * `whsec_<base64 of 32 random bytes>`; a delivery is signed as the base64 HMAC-SHA256 of
 * `<webhook-id>.<webhook-timestamp>.<body>` under the secret's bytes, sent as
 * `webhook-signature: v1,<signature>`, one per secret (space-separated) while a rotated secret
 * still signs. Receivers verify with the specification's libraries.
 */

export const SECRET_PREFIX = 'whsec_'

const encoder = new TextEncoder()

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes))
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (char) => char.charCodeAt(0))

/** A new secret: 32 bytes from `crypto.getRandomValues`. */
export const newWebhookSecret = () => `${SECRET_PREFIX}${toBase64(crypto.getRandomValues(new Uint8Array(32)))}`

function secretKey(secret: string) {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('not a webhook secret')
  return crypto.subtle.importKey(
    'raw',
    fromBase64(secret.slice(SECRET_PREFIX.length)),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
}

export interface SignedHeaders {
  'webhook-id': string
  'webhook-timestamp': string
  'webhook-signature': string
  'content-type': 'application/json'
}

/** The headers of one delivery attempt: the message id, this attempt's time, a signature per secret. */
export async function signDelivery(
  secrets: readonly string[],
  messageId: string,
  body: string,
  at: Date = new Date(),
): Promise<SignedHeaders> {
  const timestamp = String(Math.floor(at.getTime() / 1000))
  const content = encoder.encode(`${messageId}.${timestamp}.${body}`)
  const signatures = await Promise.all(
    secrets.map(async (secret) => {
      const mac = await crypto.subtle.sign('HMAC', await secretKey(secret), content)
      return `v1,${toBase64(new Uint8Array(mac))}`
    }),
  )
  return {
    'webhook-id': messageId,
    'webhook-timestamp': timestamp,
    'webhook-signature': signatures.join(' '),
    'content-type': 'application/json',
  }
}
