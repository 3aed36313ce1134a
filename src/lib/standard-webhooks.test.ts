import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { newWebhookSecret, SECRET_PREFIX, signDelivery } from './standard-webhooks'

describe('Standard Webhooks signatures', () => {
  it('verify with the specification’s reference library', async () => {
    const secret = newWebhookSecret()
    expect(secret.startsWith(SECRET_PREFIX)).toBe(true)
    expect(atob(secret.slice(SECRET_PREFIX.length))).toHaveLength(32)
    const body = JSON.stringify({ type: 'ticket.created', data: { ticket: { id: 't', title: 'Ünïcode ✓' } } })
    const headers = await signDelivery([secret], 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', body)
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/)
    expect(new Webhook(secret).verify(body, headers)).toMatchObject({ type: 'ticket.created' })
  })

  it('sign with every live secret during a rotation, so either verifies', async () => {
    const [old, fresh] = [newWebhookSecret(), newWebhookSecret()]
    const body = '{"type":"ping"}'
    const headers = await signDelivery([fresh, old], 'msg_1', body)
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2)
    for (const secret of [old, fresh]) expect(new Webhook(secret).verify(body, headers)).toEqual({ type: 'ping' })
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow()
  })

  it('are refused by the reference library when anything signed changes', async () => {
    const secret = newWebhookSecret()
    const headers = await signDelivery([secret], 'msg_3', '{"a":1}')
    const verifier = new Webhook(secret)
    expect(() => verifier.verify('{"a":2}', headers)).toThrow()
    expect(() => verifier.verify('{"a":1}', { ...headers, 'webhook-id': 'msg_4' })).toThrow()
    // A timestamp far from now is refused too (replay protection, 5 minutes by the library).
    const stale = await signDelivery([secret], 'msg_5', '{"a":1}', new Date(Date.now() - 10 * 60 * 1000))
    expect(() => verifier.verify('{"a":1}', stale)).toThrow()
  })
})
