import { describe, expect, it } from 'vitest'
import { etag, parseIfMatch } from './etag'

describe('etag and If-Match', () => {
  it('quotes the version', () => expect(etag(3)).toBe('"3"'))

  it('parses strong, weak, listed and wildcard values', () => {
    expect(parseIfMatch('"3"')).toEqual({ any: false, versions: [3] })
    expect(parseIfMatch('W/"4", "5"')).toEqual({ any: false, versions: [4, 5] })
    expect(parseIfMatch('*')).toEqual({ any: true })
    expect(parseIfMatch(undefined)).toBeUndefined()
  })

  it('turns garbage into a condition that never matches', () => {
    expect(parseIfMatch('3')).toEqual({ any: false, versions: [] })
    expect(parseIfMatch('"abc"')).toEqual({ any: false, versions: [] })
  })
})
