/**
 * Password hashing with PBKDF2-HMAC-SHA256 through Web Crypto. The stored form describes itself,
 * `pbkdf2-sha256$<iterations>$<salt>$<hash>` (base64url), so the cost can be raised later and old
 * hashes upgraded at login. CPU-heavy (tens of ms): call it from the Worker, never the Durable Object.
 */
import { base64url } from 'jose'

/** The highest count Cloudflare's production runtime accepts; local workerd does not enforce it. */
export const PBKDF2_ITERATIONS = 100_000
const SALT_BYTES = 16
const KEY_BYTES = 32
const PREFIX = 'pbkdf2-sha256'

const encoder = new TextEncoder()

async function derive(password: string, salt: Uint8Array, iterations: number) {
  const material = await crypto.subtle.importKey('raw', encoder.encode(password), 'PBKDF2', false, ['deriveBits'])
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material,
    KEY_BYTES * 8,
  )
  return new Uint8Array(bits)
}

export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS) {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES))
  const hash = await derive(password, salt, iterations)
  return `${PREFIX}$${iterations}$${base64url.encode(salt)}$${base64url.encode(hash)}`
}

type Parsed = { iterations: number; salt: Uint8Array; hash: Uint8Array }

function parse(stored: string): Parsed | null {
  const [prefix, iterations, salt, hash, ...rest] = stored.split('$')
  if (prefix !== PREFIX || rest.length > 0 || !iterations || !salt || !hash) return null
  const count = Number(iterations)
  if (!Number.isInteger(count) || count < 1 || count > PBKDF2_ITERATIONS) return null
  try {
    return { iterations: count, salt: base64url.decode(salt), hash: base64url.decode(hash) }
  } catch {
    return null
  }
}

/** Compares in time that depends only on the length, not on where the bytes differ. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array) {
  let difference = a.length ^ b.length
  for (let i = 0; i < Math.max(a.length, b.length); i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0)
  return difference === 0
}

export async function verifyPassword(password: string, stored: string) {
  const parsed = parse(stored)
  if (!parsed) return { valid: false, needsRehash: false }
  const candidate = await derive(password, parsed.salt, parsed.iterations)
  return {
    valid: constantTimeEqual(candidate, parsed.hash),
    needsRehash: parsed.iterations < PBKDF2_ITERATIONS,
  }
}

let decoy: Promise<string> | undefined

/**
 * A hash of a random password, verified against when the email is unknown, so that an unknown
 * email and a wrong password cost the same time.
 */
export function decoyHash() {
  decoy ??= hashPassword(crypto.randomUUID())
  return decoy
}
