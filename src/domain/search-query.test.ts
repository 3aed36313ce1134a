import { describe, expect, it } from 'vitest'
import { toFtsQuery } from './search-query'

describe('toFtsQuery', () => {
  it('makes every word a quoted prefix term, all required', () => {
    expect(toFtsQuery('printer fire')).toBe('"printer"* AND "fire"*')
  })

  it('drops FTS operators and punctuation instead of passing them through', () => {
    expect(toFtsQuery('title:"x" OR NEAR(a b) -c *')).toBe(
      '"title"* AND "x"* AND "OR"* AND "NEAR"* AND "a"* AND "b"* AND "c"*',
    )
    expect(toFtsQuery('"; DROP TABLE tickets; --')).toBe('"DROP"* AND "TABLE"* AND "tickets"*')
  })

  it('keeps letters and digits of any script', () => {
    expect(toFtsQuery('Ünïcode 東京 42')).toBe('"Ünïcode"* AND "東京"* AND "42"*')
  })

  it('returns null when there is nothing to search for', () => {
    expect(toFtsQuery('  -- ** ')).toBeNull()
    expect(toFtsQuery('')).toBeNull()
  })
})
