import { describe, expect, it } from 'vitest'
import { hashApiToken, newApiToken, parseApiToken } from './api-tokens'

describe('API token strings', () => {
  it('carry their workspace and id, a 32-byte secret, and are stored only as a hash', async () => {
    const plain = await newApiToken({ slug: 'acme', jurisdiction: null })
    expect(plain.token).toMatch(/^tkt_acme\.[0-9a-f]{32}\.[A-Za-z0-9_-]{43}$/)
    expect(parseApiToken(plain.token)).toEqual({
      workspace: { slug: 'acme', jurisdiction: null },
      tokenId: plain.tokenId,
    })
    expect(plain.hash).toBe(await hashApiToken(plain.token))
    expect(plain.hash).not.toContain(plain.token.slice(-43))
    expect(plain.shown).toBe(`tkt_acme.${plain.tokenId.slice(0, 8)}`)

    const eu = await newApiToken({ slug: 'acme-eu', jurisdiction: 'eu' })
    expect(eu.token).toMatch(/^tkt_acme-eu\.eu\.[0-9a-f]{32}\./)
    expect(parseApiToken(eu.token)?.workspace).toEqual({ slug: 'acme-eu', jurisdiction: 'eu' })
    expect((await newApiToken({ slug: 'acme', jurisdiction: null })).token).not.toBe(plain.token)
  })

  it('refuse anything not well formed', async () => {
    const { token } = await newApiToken({ slug: 'acme', jurisdiction: null })
    for (const bad of [
      token.replace('tkt_', 'tok_'),
      token.slice(0, -1),
      token.replace('acme', 'ACME'),
      token.replace('tkt_acme.', 'tkt_acme.mars.'),
      `${token}.extra`,
      'tkt_',
      'tkt_acme..x',
    ]) {
      expect(parseApiToken(bad), bad).toBeNull()
    }
  })
})
