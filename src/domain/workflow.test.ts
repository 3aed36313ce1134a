import { describe, expect, it } from 'vitest'
import type { TicketState } from './ticket-changes'
import { conditionHolds, evaluate, type Rule, type WorkflowEvent } from './workflow'

const ticket: TicketState = {
  title: 'Server down',
  description: '',
  status: 'open',
  priority: 'critical',
  department: 'IT Operations',
  projectId: null,
  assigneeIds: [],
  labels: [],
  dueAt: null,
}

const created: WorkflowEvent = { triggers: ['ticket_created'], before: null, after: ticket }
const rule = (id: string, trigger: Rule['trigger'], conditions: Rule['conditions']): Rule => ({
  id,
  trigger,
  conditions,
  actions: [{ name: 'add_comment', text: id }],
})

describe('conditionHolds', () => {
  it('compares plain values for equality, null included', () => {
    expect(conditionHolds('critical', 'critical')).toBe(true)
    expect(conditionHolds('critical', 'high')).toBe(false)
    expect(conditionHolds(null, null)).toBe(true)
    expect(conditionHolds(null, 'IT')).toBe(false)
  })

  it('supports in, neq and contains (case-insensitive)', () => {
    expect(conditionHolds({ in: ['IT', 'Ops'] }, 'Ops')).toBe(true)
    expect(conditionHolds({ in: ['IT', 'Ops'] }, 'HR')).toBe(false)
    expect(conditionHolds({ neq: 'low' }, 'critical')).toBe(true)
    expect(conditionHolds({ neq: 'low' }, 'low')).toBe(false)
    expect(conditionHolds({ contains: 'oper' }, 'IT Operations')).toBe(true)
    expect(conditionHolds({ contains: 'oper' }, null)).toBe(false)
  })
})

describe('evaluate', () => {
  it('fires rules whose trigger and every condition match, in creation order', () => {
    const rules = [
      rule('a', 'ticket_created', { priority: 'critical', department: { contains: 'it' } }),
      rule('b', 'ticket_created', { priority: 'low' }),
      rule('c', 'ticket_updated', {}),
      rule('d', 'ticket_created', {}),
    ]
    expect(evaluate(created, rules).map((r) => r.id)).toEqual(['a', 'd'])
  })

  it('matches fromStatus and toStatus on status changes', () => {
    const event: WorkflowEvent = {
      triggers: ['ticket_updated', 'status_changed'],
      before: ticket,
      after: { ...ticket, status: 'in_progress' },
    }
    const rules = [
      rule('to', 'status_changed', { toStatus: 'in_progress' }),
      rule('from-to', 'status_changed', { fromStatus: 'open', toStatus: { in: ['in_progress', 'closed'] } }),
      rule('wrong-from', 'status_changed', { fromStatus: 'blocked' }),
      rule('any-update', 'ticket_updated', { status: { neq: 'closed' } }),
    ]
    expect(evaluate(event, rules).map((r) => r.id)).toEqual(['to', 'from-to', 'any-update'])
  })

  it('fires nothing for triggers the event does not carry', () => {
    expect(evaluate(created, [rule('x', 'status_changed', {})])).toEqual([])
  })
})
