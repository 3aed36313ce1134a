import { describe, expect, it } from 'vitest'
import { decoyHash, hashPassword, PBKDF2_ITERATIONS, verifyPassword } from './password'

describe('password hashing', () => {
  it('never exceeds the 100,000 PBKDF2 iterations that production Workers accept', () => {
    // Local workerd has no cap, so this assertion is the only thing that catches a raise.
    expect(PBKDF2_ITERATIONS).toBeLessThanOrEqual(100_000)
  })

  it('stores a self-describing hash with algorithm, iterations, salt and key', async () => {
    const stored = await hashPassword('correct horse')
    const [prefix, iterations, salt, hash] = stored.split('$')
    expect(prefix).toBe('pbkdf2-sha256')
    expect(Number(iterations)).toBe(PBKDF2_ITERATIONS)
    expect(salt).toMatch(/^[A-Za-z0-9_-]{22}$/) // 16 bytes
    expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/) // 32 bytes
  })

  it('salts every hash, so equal passwords give different hashes', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'))
  })

  it('accepts the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('s3cret-pass')
    expect(await verifyPassword('s3cret-pass', stored)).toEqual({ valid: true, needsRehash: false })
    expect((await verifyPassword('s3cret-pasS', stored)).valid).toBe(false)
    expect((await verifyPassword('', stored)).valid).toBe(false)
  })

  it('flags hashes made with fewer iterations for an upgrade at login', async () => {
    const weak = await hashPassword('upgrade-me', 1_000)
    expect(await verifyPassword('upgrade-me', weak)).toEqual({ valid: true, needsRehash: true })
  })

  it('refuses malformed or foreign hashes instead of throwing', async () => {
    for (const stored of [
      '',
      'bcrypt$2b$10$abc',
      'pbkdf2-sha256$abc$salt$hash',
      'pbkdf2-sha256$999999999$c2FsdA$aGFzaA', // above the cap: would fail in production
      'pbkdf2-sha256$1000$***$***',
    ]) {
      expect((await verifyPassword('password', stored)).valid).toBe(false)
    }
  })

  it('has a decoy hash that no password matches by accident', async () => {
    const decoy = await decoyHash()
    expect(decoy).toBe(await decoyHash())
    expect((await verifyPassword('password', decoy)).valid).toBe(false)
  })
})
