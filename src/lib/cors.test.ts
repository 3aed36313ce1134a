import { describe, expect, it } from 'vitest'
import { originMatcher } from './cors'

describe('originMatcher', () => {
  it('matches any port for a wildcard port pattern, and nothing else', () => {
    const allowed = originMatcher(['http://localhost:*'])
    expect(allowed('http://localhost:5173')).toBe(true)
    expect(allowed('http://localhost:8787')).toBe(true)
    expect(allowed('http://localhost.evil.com:80')).toBe(false)
    expect(allowed('https://localhost:5173')).toBe(false)
    expect(allowed('http://evil.com')).toBe(false)
    expect(allowed('http://localhost:80@evil.com')).toBe(false)
  })

  it('matches exact origins and treats dots literally', () => {
    const allowed = originMatcher(['https://app.example.com'])
    expect(allowed('https://app.example.com')).toBe(true)
    expect(allowed('https://appxexample.com')).toBe(false)
  })

  it('allows nothing when the list is empty', () => {
    expect(originMatcher([])('http://localhost:3000')).toBe(false)
  })
})
