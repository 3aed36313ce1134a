import { describe, expect, it } from 'vitest'
import { toApiError } from './on-error'
import { IDEMPOTENT_READS, mayRetry, objectIn, retryingReads } from './workspace-objects'

/** A namespace double that records which namespace and options each object was asked of. */
function namespace(jurisdictionSupport: 'supported' | 'workerd' | 'broken') {
  const asked: { where: string; name: string; options: unknown }[] = []
  const plain = {
    getByName: (name: string, options?: unknown) => {
      asked.push({ where: 'plain', name, options })
      return { name }
    },
    jurisdiction: (jurisdiction: string) => {
      if (jurisdictionSupport === 'workerd')
        throw new Error('Jurisdiction restrictions are not implemented in workerd.')
      if (jurisdictionSupport === 'broken') throw new Error('network down')
      return {
        getByName: (name: string, options?: unknown) => {
          asked.push({ where: jurisdiction, name, options })
          return { name }
        },
      }
    },
  }
  return { ns: plain as unknown as DurableObjectNamespace, asked }
}

describe('objectIn', () => {
  it('addresses a workspace with a jurisdiction in that jurisdiction’s namespace, with the location hint', () => {
    const { ns, asked } = namespace('supported')
    objectIn(ns, 'eu', 'acme', { locationHint: 'weur' })
    objectIn(ns, null, 'plain-co')
    expect(asked).toEqual([
      { where: 'eu', name: 'acme', options: { locationHint: 'weur' } },
      { where: 'plain', name: 'plain-co', options: undefined },
    ])
  })

  it('falls back to the plain namespace only where workerd says jurisdictions are not implemented', () => {
    const broken = namespace('broken')
    expect(() => objectIn(broken.ns, 'eu', 'acme')).toThrow('network down')
    const local = namespace('workerd')
    objectIn(local.ns, 'fedramp', 'gov')
    expect(local.asked).toEqual([{ where: 'plain', name: 'gov', options: undefined }])
  })
})

/** A transient failure as the runtime reports it: an Error with `retryable` (and maybe `overloaded`). */
const failure = (flags: { retryable?: boolean; overloaded?: boolean }) =>
  Object.assign(new Error('Durable Object reset because its code was updated.'), flags)

/** A stub double whose methods fail with `errors` first (one per call), then answer. */
function flakyStub(errors: Error[]) {
  const calls: string[] = []
  const answer = (name: string) => async () => {
    calls.push(name)
    const error = errors.shift()
    if (error) throw error
    return { ok: true, value: name }
  }
  return { stub: { getTicket: answer('getTicket'), updateTicket: answer('updateTicket') }, calls }
}

describe('retryingReads', () => {
  it('tries an idempotent read once more after a transient failure', async () => {
    const { stub, calls } = flakyStub([failure({ retryable: true })])
    expect(await retryingReads(stub).getTicket()).toEqual({ ok: true, value: 'getTicket' })
    expect(calls).toEqual(['getTicket', 'getTicket'])
  })

  it('gives up after the second failure, and never retries an overloaded object', async () => {
    const twice = flakyStub([failure({ retryable: true }), failure({ retryable: true })])
    await expect(retryingReads(twice.stub).getTicket()).rejects.toMatchObject({ retryable: true })
    expect(twice.calls).toHaveLength(2)
    const overloaded = flakyStub([failure({ retryable: true, overloaded: true })])
    await expect(retryingReads(overloaded.stub).getTicket()).rejects.toMatchObject({ overloaded: true })
    expect(overloaded.calls).toHaveLength(1)
  })

  it('never retries a write, which may have committed before the connection broke', async () => {
    const { stub, calls } = flakyStub([failure({ retryable: true })])
    await expect(retryingReads(stub).updateTicket()).rejects.toMatchObject({ retryable: true })
    expect(calls).toEqual(['updateTicket'])
    expect(IDEMPOTENT_READS.has('updateTicket')).toBe(false)
    expect(mayRetry(new Error('plain'))).toBe(false)
  })

  it('turns what is still failing into 503 E_SERVICE_UNAVAILABLE with Retry-After', () => {
    for (const flags of [{ retryable: true }, { overloaded: true }]) {
      const mapped = toApiError(failure(flags))
      expect(mapped).toMatchObject({ code: 'E_SERVICE_UNAVAILABLE', status: 503 })
      expect(mapped?.headers).toMatchObject({ 'Retry-After': '1' })
    }
    expect(toApiError(new Error('plain'))).toBeNull()
  })
})
