import { describe, expect, it } from 'vitest'
import { activityMessage } from './activity-message'

const base = { actorName: 'Ada Lovelace', ruleName: null, ticketKey: 'TSK-1004', newValue: null }

describe('activityMessage', () => {
  it('says who did what to which ticket', () => {
    expect(activityMessage({ ...base, action: 'created' })).toBe('Ada Lovelace created TSK-1004')
    expect(activityMessage({ ...base, action: 'updated_status', newValue: 'in_progress' })).toBe(
      'Ada Lovelace moved TSK-1004 to in_progress',
    )
    expect(activityMessage({ ...base, action: 'updated_title', newValue: 'x' })).toBe(
      'Ada Lovelace updated the title of TSK-1004',
    )
  })

  it('names the rule for workflow effects, and copes with deleted users and rules', () => {
    expect(
      activityMessage({ ...base, action: 'workflow_change_status', ruleName: 'Escalate', newValue: 'closed' }),
    ).toBe('Rule “Escalate” moved TSK-1004 to closed')
    expect(activityMessage({ ...base, actorName: null, action: 'created' })).toBe('A deleted user created TSK-1004')
    expect(activityMessage({ ...base, action: 'workflow_add_comment' })).toBe(
      'Rule “deleted rule” commented on TSK-1004',
    )
  })

  it('describes labels, due dates and SLA breaches (which no person made)', () => {
    expect(activityMessage({ ...base, action: 'updated_labels', newValue: ['bug'] })).toBe(
      'Ada Lovelace updated the labels of TSK-1004',
    )
    expect(activityMessage({ ...base, action: 'updated_due_date', newValue: null })).toBe(
      'Ada Lovelace updated the due date of TSK-1004',
    )
    const breach = { target: 'first_response', dueAt: '2026-12-01T10:00:00.000Z' }
    expect(activityMessage({ ...base, actorName: null, action: 'sla_breached', newValue: breach })).toBe(
      'TSK-1004 missed its first response target',
    )
  })
})
