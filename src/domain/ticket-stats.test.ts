import { describe, expect, it } from 'vitest'
import { counterDeltas, counterKeys, dayOf, windowStart } from './ticket-stats'

describe('ticket counters', () => {
  it('counts a ticket by status, priority, department and open priority', () => {
    expect(counterKeys({ status: 'open', priority: 'critical', department: 'IT' })).toEqual([
      'status:open',
      'priority:critical',
      'department:IT',
      'open_priority:critical',
    ])
    expect(counterKeys({ status: 'closed', priority: 'low', department: null })).toEqual([
      'status:closed',
      'priority:low',
      'department:',
    ])
  })

  it('moves only what changed', () => {
    const before = { status: 'open', priority: 'critical', department: 'IT' } as const
    expect(Object.fromEntries(counterDeltas(before, { ...before, status: 'closed' }))).toEqual({
      'status:open': -1,
      'status:closed': 1,
      'open_priority:critical': -1,
    })
    expect(counterDeltas(before, before).size).toBe(0)
  })

  it('adds and removes whole tickets', () => {
    const ticket = { status: 'in_progress', priority: 'low', department: null } as const
    expect([...counterDeltas(null, ticket).values()]).toEqual([1, 1, 1, 1])
    expect([...counterDeltas(ticket, null).values()]).toEqual([-1, -1, -1, -1])
  })
})

describe('activity days', () => {
  it('uses UTC days and inclusive windows', () => {
    expect(dayOf('2026-11-26T23:59:59.999Z')).toBe('2026-11-26')
    expect(windowStart(new Date('2026-11-26T10:00:00Z'), 1)).toBe('2026-11-26')
    expect(windowStart(new Date('2026-11-26T10:00:00Z'), 30)).toBe('2026-10-28')
    expect(windowStart(new Date('2026-03-01T00:00:00Z'), 2)).toBe('2026-02-28')
  })
})
