/**
 * Production mode (ENVIRONMENT=production): no tokens without a signing secret (503 naming it), no
 * default-password admin, and the first admin created from the BOOTSTRAP_ADMIN_* secrets, with
 * RS256 tokens whose public key the JWKS publishes. The app is called with a changed environment
 * through `callWithEnv`.
 */
import { exportPKCS8, generateKeyPair, importJWK, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { callWithEnv, expectError, expectStatus, ORIGIN, type Session } from './helpers'

// This file has its own storage: the default workspace here has never seen a development login.
const production = { ENVIRONMENT: 'production', JWT_SECRET_KEY: undefined }

const post = (path: string, body: unknown) =>
  new Request(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': '203.0.113.9' },
    body: JSON.stringify(body),
  })

describe('production mode', () => {
  it('refuses to issue tokens without a signing secret, naming it', async () => {
    const res = await callWithEnv(
      production,
      post('/api/v1/auth/login', { email: 'admin@company.com', password: 'password' }),
    )
    const body = await expectError(res, 503, 'E_SERVICE_MISCONFIGURED')
    expect(body.message).toContain('JWT_SECRET_KEY')
  })

  it('never creates the default-password admin', async () => {
    const res = await callWithEnv(
      { ...production, JWT_SECRET_KEY: 'a-production-secret-that-is-long-enough' },
      post('/api/v1/auth/login', { email: 'admin@company.com', password: 'password' }),
    )
    await expectError(res, 401, 'E_AUTH_INVALID_CREDENTIALS')
  })

  it('creates the first admin from the BOOTSTRAP_ADMIN_* secrets, with RS256 tokens published in the JWKS', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true })
    const overrides = {
      ...production,
      JWT_ALGORITHM: 'RS256',
      JWT_PRIVATE_KEY: await exportPKCS8(privateKey),
      BOOTSTRAP_ADMIN_EMAIL: 'Root@Example.com',
      BOOTSTRAP_ADMIN_PASSWORD: 'a-long-bootstrap-password',
    }
    const res = await callWithEnv(
      overrides,
      post('/api/v1/auth/login', { email: 'root@example.com', password: 'a-long-bootstrap-password' }),
    )
    const { accessToken, user } = await expectStatus<Session>(res, 200)
    expect(user.role).toBe('admin')

    const jwks = await expectStatus<{ keys: Record<string, string>[] }>(
      await callWithEnv(overrides, new Request(`${ORIGIN}/.well-known/jwks.json`)),
      200,
    )
    expect(jwks.keys).toHaveLength(1)
    const [jwk] = jwks.keys
    expect(jwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' })
    expect(jwk).not.toHaveProperty('d')
    const verified = await jwtVerify(accessToken, await importJWK(jwk as Record<string, string>, 'RS256'))
    expect(verified.protectedHeader.kid).toBe(jwk?.kid)
  })
})
