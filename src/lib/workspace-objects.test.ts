import { describe, expect, it } from 'vitest'
import { objectIn } from './workspace-objects'

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
