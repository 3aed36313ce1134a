import { describe, expect, it } from 'vitest'
import { grants, scopesBeyond } from './scopes'

describe('scopes', () => {
  it('grant what they name, and a write scope its read scope', () => {
    expect(grants(['tickets:read'], 'tickets:read')).toBe(true)
    expect(grants(['tickets:write'], 'tickets:read')).toBe(true)
    expect(grants(['tickets:read'], 'tickets:write')).toBe(false)
    expect(grants(['projects:write'], 'tickets:read')).toBe(false)
    expect(grants([], 'reports:read')).toBe(false)
  })

  it('are limited by the role of the token’s user', () => {
    expect(scopesBeyond('user', ['tickets:write', 'users:write', 'projects:write'])).toEqual([
      'users:write',
      'projects:write',
    ])
    expect(scopesBeyond('manager', ['projects:write', 'workflows:write'])).toEqual(['workflows:write'])
    expect(scopesBeyond('admin', ['users:write', 'webhooks:write', 'workflows:write'])).toEqual([])
  })
})
