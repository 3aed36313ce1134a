import { describe, expect, it } from 'vitest'
import { canAssign, canDeleteTicket, canManageProjects, canSeeTicket } from './ticket-access'

const ticket = { reporterId: 'reporter', assigneeIds: ['assignee'] }

describe('ticket access', () => {
  it('lets a plain user see only tickets it reported or is assigned to', () => {
    expect(canSeeTicket({ id: 'reporter', role: 'user' }, ticket)).toBe(true)
    expect(canSeeTicket({ id: 'assignee', role: 'user' }, ticket)).toBe(true)
    expect(canSeeTicket({ id: 'stranger', role: 'user' }, ticket)).toBe(false)
  })

  it('lets managers and admins see every ticket', () => {
    expect(canSeeTicket({ id: 'stranger', role: 'manager' }, ticket)).toBe(true)
    expect(canSeeTicket({ id: 'stranger', role: 'admin' }, ticket)).toBe(true)
  })

  it('reserves assigning, deleting and project management for managers and admins', () => {
    for (const check of [canAssign, canDeleteTicket, canManageProjects]) {
      expect(check({ id: 'u', role: 'user' })).toBe(false)
      expect(check({ id: 'm', role: 'manager' })).toBe(true)
      expect(check({ id: 'a', role: 'admin' })).toBe(true)
    }
  })
})
