import { describe, expect, it } from 'vitest'
import { importSigningKey, sign, verify } from './signed-urls'

const key = () => importSigningKey(new TextEncoder().encode('k'.repeat(32)))

describe('signed URLs', () => {
  it('verifies what it signed until it expires', async () => {
    const k = await key()
    const fields = ['PUT', 'tickets/t/f', '10', 'text/plain', '1000']
    const signature = await sign(k, fields)
    expect(await verify(k, fields, signature, 1000, 999)).toBe('valid')
    expect(await verify(k, fields, signature, 1000, 1001)).toBe('expired')
  })

  it('refuses any changed field, a tampered signature or another key', async () => {
    const k = await key()
    const fields = ['PUT', 'tickets/t/f', '10', 'text/plain', '1000']
    const signature = await sign(k, fields)
    expect(await verify(k, [...fields.slice(0, 2), '11', ...fields.slice(3)], signature, 1000, 0)).toBe('invalid')
    expect(await verify(k, fields, `${signature.slice(0, -2)}AA`, 1000, 0)).toBe('invalid')
    expect(await verify(k, fields, 'not base64 !!', 1000, 0)).toBe('invalid')
    const other = await importSigningKey(new TextEncoder().encode('o'.repeat(32)))
    expect(await verify(other, fields, signature, 1000, 0)).toBe('invalid')
  })

  it('cannot be fooled by moving text between fields', async () => {
    const k = await key()
    const signature = await sign(k, ['a', 'b\u0000c'])
    expect(await verify(k, ['a\u0000b', 'c'], signature, 1, 0)).toBe('invalid')
    await expect(sign(k, ['a\nb'])).rejects.toThrow()
  })
})
