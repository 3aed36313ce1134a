/**
 * JSON Web Tokens through jose: key import (HS256 secret or RS256 PKCS#8 private key), signing of
 * access and refresh tokens, and verification that pins the algorithm, key id, issuer, audience and
 * token type, so a refresh token is never accepted as an access token and `alg: none` never passes.
 */
import {
  base64url,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  importPKCS8,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose'
import { DEFAULT_WORKSPACE, isJurisdiction, isSlug, type WorkspaceRef } from '../domain/workspaces'

export type Algorithm = 'HS256' | 'RS256'
export type TokenType = 'access' | 'refresh'

export interface KeySettings {
  algorithm: Algorithm
  secret: string | undefined
  privateKeyPem: string | undefined
}

export interface TokenSettings {
  issuer: string
  audience: string
  accessTtlSeconds: number
  refreshTtlSeconds: number
}

export interface TokenKeys {
  algorithm: Algorithm
  kid: string
  signingKey: CryptoKey | Uint8Array
  verificationKey: CryptoKey | Uint8Array
  /** The public key as a JWK for `/.well-known/jwks.json`; null for HS256 (nothing to publish). */
  publicJwk: JWK | null
}

/** Raised when no signing key is configured and generating one is not allowed (production). */
export class SigningKeyMissingError extends Error {
  override readonly name = 'SigningKeyMissingError'
}

export class TokenError extends Error {
  override readonly name = 'TokenError'
  constructor(readonly reason: 'expired' | 'invalid') {
    super(reason === 'expired' ? 'token expired' : 'token invalid')
  }
}

const encoder = new TextEncoder()
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const

async function hmacKeys(secret: Uint8Array): Promise<TokenKeys> {
  const digest = await crypto.subtle.digest('SHA-256', secret)
  const kid = `hs-${base64url.encode(new Uint8Array(digest).slice(0, 9))}`
  // Imported once: handing jose the raw bytes would re-import the key on every sign and verify.
  const key = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
  return { algorithm: 'HS256', kid, signingKey: key, verificationKey: key, publicJwk: null }
}

async function rsaKeys(privateKey: CryptoKey): Promise<TokenKeys> {
  const privateJwk = await exportJWK(privateKey)
  const publicJwk: JWK = { ...privateJwk }
  for (const member of PRIVATE_JWK_MEMBERS) delete publicJwk[member]
  const kid = await calculateJwkThumbprint(publicJwk)
  const verificationKey = await importJWK(publicJwk, 'RS256')
  return {
    algorithm: 'RS256',
    kid,
    signingKey: privateKey,
    verificationKey,
    publicJwk: { ...publicJwk, kid, alg: 'RS256', use: 'sig' },
  }
}

/**
 * Imports the configured key. With `allowEphemeral` (development only) a missing key is replaced
 * by one generated for this isolate; without it, a missing key is a SigningKeyMissingError.
 */
export async function importKeys(settings: KeySettings, allowEphemeral: boolean) {
  if (settings.algorithm === 'HS256') {
    if (settings.secret) return hmacKeys(encoder.encode(settings.secret))
    if (!allowEphemeral) throw new SigningKeyMissingError('JWT_SECRET_KEY is not set')
    return hmacKeys(crypto.getRandomValues(new Uint8Array(32)))
  }
  if (settings.privateKeyPem) {
    return rsaKeys(await importPKCS8(settings.privateKeyPem, 'RS256', { extractable: true }))
  }
  if (!allowEphemeral) throw new SigningKeyMissingError('JWT_PRIVATE_KEY is not set')
  const pair = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 })
  return rsaKeys(pair.privateKey)
}

function sign(keys: TokenKeys, settings: TokenSettings, claims: JWTPayload, ttlSeconds: number) {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT(claims)
    .setProtectedHeader({ alg: keys.algorithm, kid: keys.kid, typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .sign(keys.signingKey)
}

/**
 * The workspace a token belongs to: `ws` (its slug) and, when it has one, `jur` (its jurisdiction),
 * so the Worker addresses the workspace's object from the token alone.
 */
const workspaceClaims = (workspace: WorkspaceRef) =>
  workspace.jurisdiction ? { ws: workspace.slug, jur: workspace.jurisdiction } : { ws: workspace.slug }

export function signAccessToken(
  keys: TokenKeys,
  settings: TokenSettings,
  claims: { sub: string; role: string; sid: string; workspace: WorkspaceRef },
) {
  const { workspace, ...rest } = claims
  const payload = { ...rest, ...workspaceClaims(workspace), jti: crypto.randomUUID(), typ: 'access' }
  return sign(keys, settings, payload, settings.accessTtlSeconds)
}

export function signRefreshToken(
  keys: TokenKeys,
  settings: TokenSettings,
  claims: { sub: string; sid: string; jti: string; workspace: WorkspaceRef },
) {
  const { workspace, ...rest } = claims
  return sign(keys, settings, { ...rest, ...workspaceClaims(workspace), typ: 'refresh' }, settings.refreshTtlSeconds)
}

export interface VerifiedToken {
  sub: string
  sid: string
  jti: string
  role: string | undefined
  exp: number
  /** From `ws` and `jur`; a token without `ws` (issued before workspaces) belongs to `default`. */
  workspace: WorkspaceRef
}

function workspaceOf(payload: JWTPayload): WorkspaceRef | null {
  const slug = payload.ws ?? DEFAULT_WORKSPACE
  if (typeof slug !== 'string' || !isSlug(slug)) return null
  if (payload.jur === undefined) return { slug, jurisdiction: null }
  return isJurisdiction(payload.jur) ? { slug, jurisdiction: payload.jur } : null
}

const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : null)

export async function verifyToken(
  keys: TokenKeys,
  settings: TokenSettings,
  token: string,
  type: TokenType,
): Promise<VerifiedToken> {
  let payload: JWTPayload
  try {
    const verified = await jwtVerify(token, keys.verificationKey, {
      algorithms: [keys.algorithm],
      issuer: settings.issuer,
      audience: settings.audience,
      requiredClaims: ['sub', 'sid', 'jti', 'iat', 'exp', 'typ'],
    })
    if (verified.protectedHeader.kid !== keys.kid) throw new TokenError('invalid')
    payload = verified.payload
  } catch (error) {
    const code = (error as { code?: unknown }).code
    throw new TokenError(code === 'ERR_JWT_EXPIRED' ? 'expired' : 'invalid')
  }
  const sub = text(payload.sub)
  const sid = text(payload.sid)
  const jti = text(payload.jti)
  const workspace = workspaceOf(payload)
  if (payload.typ !== type || !sub || !sid || !jti || typeof payload.exp !== 'number' || !workspace) {
    throw new TokenError('invalid')
  }
  return { sub, sid, jti, role: text(payload.role) ?? undefined, exp: payload.exp, workspace }
}
