import { describe, expect, it } from 'vitest'
import { diffTicket, historyAction, type TicketState } from './ticket-changes'

const before: TicketState = {
  title: 'Printer',
  description: 'It is on fire',
  status: 'open',
  priority: 'medium',
  department: null,
  projectId: null,
  assigneeIds: ['a', 'b'],
  labels: [],
  dueAt: null,
}

describe('diffTicket', () => {
  it('lists only fields whose values differ', () => {
    expect(diffTicket(before, { title: 'Printer', status: 'in_progress', department: 'IT' })).toEqual([
      { field: 'status', from: 'open', to: 'in_progress' },
      { field: 'department', from: null, to: 'IT' },
    ])
  })

  it('compares assignees as a set', () => {
    expect(diffTicket(before, { assigneeIds: ['b', 'a'] })).toEqual([])
    expect(diffTicket(before, { assigneeIds: ['a'] })).toEqual([{ field: 'assigneeIds', from: ['a', 'b'], to: ['a'] }])
  })

  it('treats null as a value that can be set and cleared', () => {
    expect(diffTicket({ ...before, department: 'IT' }, { department: null })).toEqual([
      { field: 'department', from: 'IT', to: null },
    ])
  })

  it('names history actions after the field', () => {
    expect(historyAction('status')).toBe('updated_status')
    expect(historyAction('assigneeIds')).toBe('updated_assignees')
    expect(historyAction('projectId')).toBe('updated_project')
  })
})
