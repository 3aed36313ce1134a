import { describe, expect, it } from 'vitest'
import type { Role } from './roles'
import { canReadUser, decideUserDelete, decideUserUpdate, needsCurrentPassword } from './user-access'

const as = (role: Role, id = `${role}-1`) => ({ id, role })

describe('user policy', () => {
  it('lets a user read only itself; managers and admins read anyone', () => {
    expect(canReadUser(as('user'), 'user-1')).toBe(true)
    expect(canReadUser(as('user'), 'other')).toBe(false)
    expect(canReadUser(as('manager'), 'other')).toBe(true)
    expect(canReadUser(as('admin'), 'other')).toBe(true)
  })

  it('hides other users from a plain user and forbids a manager to change them', () => {
    expect(decideUserUpdate(as('user'), 'other', { name: 'x' })).toBe('not_found')
    expect(decideUserUpdate(as('manager'), 'other', { name: 'x' })).toBe('forbidden')
    expect(decideUserUpdate(as('admin'), 'other', { name: 'x', role: 'manager', active: false })).toBe('allow')
  })

  it('forbids non-admins to send role or active, even about themselves and even unchanged', () => {
    expect(decideUserUpdate(as('user'), 'user-1', { name: 'x' })).toBe('allow')
    expect(decideUserUpdate(as('user'), 'user-1', { role: 'user' })).toBe('forbidden')
    expect(decideUserUpdate(as('user'), 'user-1', { active: true })).toBe('forbidden')
    expect(decideUserUpdate(as('manager'), 'manager-1', { role: 'admin' })).toBe('forbidden')
  })

  it('stops an admin from demoting or deactivating itself', () => {
    expect(decideUserUpdate(as('admin'), 'admin-1', { role: 'user' })).toBe('self_lockout')
    expect(decideUserUpdate(as('admin'), 'admin-1', { active: false })).toBe('self_lockout')
    expect(decideUserUpdate(as('admin'), 'admin-1', { role: 'admin', active: true })).toBe('allow')
  })

  it('lets only admins delete, and never themselves', () => {
    expect(decideUserDelete(as('admin'), 'other')).toBe('allow')
    expect(decideUserDelete(as('admin'), 'admin-1')).toBe('self_lockout')
    expect(decideUserDelete(as('manager'), 'other')).toBe('forbidden')
    expect(decideUserDelete(as('user'), 'other')).toBe('not_found')
    expect(decideUserDelete(as('user'), 'user-1')).toBe('forbidden')
  })

  it('asks for the current password only when changing one’s own', () => {
    expect(needsCurrentPassword(as('admin'), 'admin-1')).toBe(true)
    expect(needsCurrentPassword(as('admin'), 'other')).toBe(false)
  })
})
