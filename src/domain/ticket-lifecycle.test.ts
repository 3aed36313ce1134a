import { describe, expect, it } from 'vitest'
import { allowedTransitions, canTransition, STATUSES, type Status } from './ticket-lifecycle'

// The contract's table, written out independently of the module under test.
const expected: Record<Status, Record<Status, boolean>> = {
  open: { open: false, in_progress: true, blocked: false, closed: true },
  in_progress: { open: true, in_progress: false, blocked: true, closed: true },
  blocked: { open: true, in_progress: true, blocked: false, closed: false },
  closed: { open: true, in_progress: true, blocked: false, closed: false },
}

describe('ticket lifecycle', () => {
  it('has exactly the four statuses', () => {
    expect([...STATUSES].sort()).toEqual(['blocked', 'closed', 'in_progress', 'open'])
  })

  for (const from of STATUSES) {
    for (const to of STATUSES) {
      const allowed = expected[from][to]
      it(`${allowed ? 'allows' : 'refuses'} ${from} → ${to}`, () => {
        expect(canTransition(from, to)).toBe(allowed)
        expect(allowedTransitions(from).includes(to)).toBe(allowed)
      })
    }
  }
})
