/**
 * CORS: a preflight from a configured origin (localhost and 127.0.0.1, any port) is answered with the
 * methods and headers clients need, responses expose the headers a browser client reads, and an
 * origin that is not configured is granted nothing.
 */
import { describe, expect, it } from 'vitest'
import { call } from './helpers'

const preflight = (
  origin: string,
  method = 'PUT',
  headers = 'authorization, content-type, if-match, idempotency-key',
) =>
  call('OPTIONS', '/api/v1/tickets/0b7e4f7c-3d42-4c4f-9a4e-2f1d6c7e8a90', {
    headers: { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': headers },
  })

describe('CORS', () => {
  it('answers a preflight from an allowed origin with the methods and headers clients need', async () => {
    const res = await preflight('http://localhost:5173')
    expect(res.status).toBe(204)
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('http://localhost:5173')
    const methods = res.headers.get('Access-Control-Allow-Methods')?.split(',') ?? []
    for (const method of ['GET', 'POST', 'PUT', 'DELETE']) expect(methods).toContain(method)
    const allowed = (res.headers.get('Access-Control-Allow-Headers') ?? '').toLowerCase()
    for (const header of ['authorization', 'content-type', 'if-match', 'idempotency-key'])
      expect(allowed).toContain(header)
    expect(res.headers.get('Vary')).toContain('Origin')
  })

  it('exposes the headers a browser client reads', async () => {
    const res = await call('GET', '/health', { headers: { Origin: 'http://127.0.0.1:3000' } })
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('http://127.0.0.1:3000')
    const exposed = (res.headers.get('Access-Control-Expose-Headers') ?? '').toLowerCase()
    for (const header of ['etag', 'link', 'x-total-count', 'x-request-id', 'retry-after', 'location']) {
      expect(exposed).toContain(header)
    }
  })

  it('grants nothing to origins that are not configured', async () => {
    const res = await preflight('https://evil.example')
    expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull()
    const get = await call('GET', '/health', { headers: { Origin: 'http://localhost.evil.example:80' } })
    expect(get.headers.get('Access-Control-Allow-Origin')).toBeNull()
  })
})
