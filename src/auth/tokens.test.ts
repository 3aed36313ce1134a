import { base64url, exportPKCS8, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { DEFAULT_REF } from '../domain/workspaces'
import {
  importKeys,
  SigningKeyMissingError,
  signAccessToken,
  signRefreshToken,
  TokenError,
  type TokenKeys,
  type TokenSettings,
  verifyToken,
} from './tokens'

const settings: TokenSettings = {
  issuer: 'ticketing-api',
  audience: 'ticketing-api',
  accessTtlSeconds: 900,
  refreshTtlSeconds: 86_400,
}
const secret = 'x'.repeat(40)
const hsKeys = () => importKeys({ algorithm: 'HS256', secret, privateKeyPem: undefined }, false)

async function rsKeys() {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true })
  const pem = await exportPKCS8(privateKey)
  return { pem, keys: await importKeys({ algorithm: 'RS256', secret: undefined, privateKeyPem: pem }, false) }
}

const claims = { sub: 'user-1', role: 'admin', sid: 'session-1', workspace: DEFAULT_REF }

async function expectRejected(keys: TokenKeys, token: string, reason: 'expired' | 'invalid', s = settings) {
  const error = await verifyToken(keys, s, token, 'access').catch((e: unknown) => e)
  expect(error).toBeInstanceOf(TokenError)
  expect((error as TokenError).reason).toBe(reason)
}

describe('tokens', () => {
  it('signs HS256 access tokens with kid and the contract claims, and verifies them', async () => {
    const keys = await hsKeys()
    const token = await signAccessToken(keys, settings, claims)
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(new TextDecoder().decode(base64url.decode(part ?? ''))))
    expect(header).toEqual({ alg: 'HS256', kid: keys.kid, typ: 'JWT' })
    expect(payload).toMatchObject({
      sub: 'user-1',
      role: 'admin',
      sid: 'session-1',
      ws: 'default',
      typ: 'access',
      iss: 'ticketing-api',
      aud: 'ticketing-api',
    })
    expect(payload).not.toHaveProperty('jur')
    expect(payload.exp - payload.iat).toBe(900)
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/)
    const verified = await verifyToken(keys, settings, token, 'access')
    expect(verified).toMatchObject({ sub: 'user-1', sid: 'session-1', role: 'admin', workspace: DEFAULT_REF })
  })

  it('carries the workspace as ws and jur, and reads a token without ws as default', async () => {
    const keys = await hsKeys()
    const eu = { slug: 'acme-eu', jurisdiction: 'eu' as const }
    const token = await signAccessToken(keys, settings, { ...claims, workspace: eu })
    const payload = JSON.parse(new TextDecoder().decode(base64url.decode(token.split('.')[1] ?? '')))
    expect(payload).toMatchObject({ ws: 'acme-eu', jur: 'eu' })
    expect((await verifyToken(keys, settings, token, 'access')).workspace).toEqual(eu)
    const refresh = await signRefreshToken(keys, settings, { sub: 'u', sid: 's', jti: 'j', workspace: eu })
    expect((await verifyToken(keys, settings, refresh, 'refresh')).workspace).toEqual(eu)

    const sign = (extra: Record<string, unknown>) =>
      new SignJWT({ sub: 'u', sid: 's', jti: 'j', typ: 'access', ...extra })
        .setProtectedHeader({ alg: 'HS256', kid: keys.kid })
        .setIssuedAt()
        .setExpirationTime('5m')
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .sign(keys.signingKey)
    expect((await verifyToken(keys, settings, await sign({}), 'access')).workspace).toEqual(DEFAULT_REF)
    await expectRejected(keys, await sign({ ws: 'Not A Slug' }), 'invalid')
    await expectRejected(keys, await sign({ ws: 'acme', jur: 'mars' }), 'invalid')
  })

  it('signs and verifies RS256 tokens and publishes only the public JWK', async () => {
    const { keys } = await rsKeys()
    expect(keys.publicJwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: keys.kid })
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(keys.publicJwk).not.toHaveProperty(member)
    const token = await signAccessToken(keys, settings, claims)
    await expect(verifyToken(keys, settings, token, 'access')).resolves.toMatchObject({ sub: 'user-1' })
  })

  it('refuses a token whose signature was tampered with', async () => {
    const keys = await hsKeys()
    const token = await signAccessToken(keys, settings, claims)
    const [h, p, s] = token.split('.')
    const forged = JSON.parse(new TextDecoder().decode(base64url.decode(p ?? '')))
    forged.role = 'admin'
    forged.sub = 'someone-else'
    const tampered = `${h}.${base64url.encode(JSON.stringify(forged))}.${s}`
    await expectRejected(keys, tampered, 'invalid')
    const flipped = `${h}.${p}.${(s ?? '').slice(0, -2)}${(s ?? '').endsWith('AA') ? 'BB' : 'AA'}`
    await expectRejected(keys, flipped, 'invalid')
  })

  it('refuses alg: none', async () => {
    const keys = await hsKeys()
    const unsecured = new UnsecuredJWT({ ...claims, jti: 'j', typ: 'access' })
      .setIssuedAt()
      .setExpirationTime('10m')
      .setIssuer(settings.issuer)
      .setAudience(settings.audience)
      .encode()
    await expectRejected(keys, unsecured, 'invalid')
  })

  it('refuses an HS256 token signed with the RSA public key (algorithm confusion)', async () => {
    const { keys } = await rsKeys()
    const publicKeyBytes = new TextEncoder().encode(JSON.stringify(keys.publicJwk))
    const confused = await new SignJWT({ ...claims, jti: 'j', typ: 'access' })
      .setProtectedHeader({ alg: 'HS256', kid: keys.kid })
      .setIssuedAt()
      .setExpirationTime('10m')
      .setIssuer(settings.issuer)
      .setAudience(settings.audience)
      .sign(publicKeyBytes)
    await expectRejected(keys, confused, 'invalid')
  })

  it('refuses an RS256 token when HS256 is configured', async () => {
    const { keys: rsa } = await rsKeys()
    const hs = await hsKeys()
    const token = await signAccessToken(rsa, settings, claims)
    await expectRejected(hs, token, 'invalid')
  })

  it('reports an expired token as expired', async () => {
    const keys = await hsKeys()
    const token = await signAccessToken(keys, { ...settings, accessTtlSeconds: -120 }, claims)
    await expectRejected(keys, token, 'expired')
  })

  it('refuses a wrong issuer or audience', async () => {
    const keys = await hsKeys()
    await expectRejected(keys, await signAccessToken(keys, { ...settings, issuer: 'evil' }, claims), 'invalid')
    await expectRejected(keys, await signAccessToken(keys, { ...settings, audience: 'other-api' }, claims), 'invalid')
  })

  it('never accepts a refresh token as an access token, nor the reverse', async () => {
    const keys = await hsKeys()
    const refresh = await signRefreshToken(keys, settings, {
      sub: 'user-1',
      sid: 'session-1',
      jti: 'r1',
      workspace: DEFAULT_REF,
    })
    await expectRejected(keys, refresh, 'invalid')
    await expect(verifyToken(keys, settings, refresh, 'refresh')).resolves.toMatchObject({ jti: 'r1' })
    const access = await signAccessToken(keys, settings, claims)
    await expect(verifyToken(keys, settings, access, 'refresh')).rejects.toBeInstanceOf(TokenError)
  })

  it('refuses a token signed with another secret or key id', async () => {
    const keys = await hsKeys()
    const other = await importKeys({ algorithm: 'HS256', secret: 'y'.repeat(40), privateKeyPem: undefined }, false)
    await expectRejected(keys, await signAccessToken(other, settings, claims), 'invalid')
    await expectRejected(keys, 'not-a-jwt', 'invalid')
  })

  it('refuses to run without a key in production, and makes one up only when allowed', async () => {
    await expect(
      importKeys({ algorithm: 'HS256', secret: undefined, privateKeyPem: undefined }, false),
    ).rejects.toBeInstanceOf(SigningKeyMissingError)
    await expect(
      importKeys({ algorithm: 'RS256', secret: undefined, privateKeyPem: undefined }, false),
    ).rejects.toBeInstanceOf(SigningKeyMissingError)
    const ephemeral = await importKeys({ algorithm: 'HS256', secret: undefined, privateKeyPem: undefined }, true)
    const token = await signAccessToken(ephemeral, settings, claims)
    await expect(verifyToken(ephemeral, settings, token, 'access')).resolves.toMatchObject({ sub: 'user-1' })
  })
})
