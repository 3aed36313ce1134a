import { describe, expect, it } from 'vitest'
import { presignR2Put } from './r2-presign'

describe('presignR2Put', () => {
  it('makes a SigV4 query-signed PUT URL on the account’s R2 endpoint, binding type and length', async () => {
    const url = new URL(
      await presignR2Put(
        { accountId: 'a'.repeat(32), accessKeyId: 'AKID', secretAccessKey: 'secret', bucket: 'files' },
        'tickets/t/f',
        { contentType: 'application/pdf', size: 1234, expiresIn: 900 },
      ),
    )
    expect(url.origin).toBe(`https://${'a'.repeat(32)}.r2.cloudflarestorage.com`)
    expect(url.pathname).toBe('/files/tickets/t/f')
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256')
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900')
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKID\/\d{8}\/auto\/s3\/aws4_request$/)
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toContain('content-length')
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toContain('content-type')
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/)
  })
})
