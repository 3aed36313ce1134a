import { describe, expect, it } from 'vitest'
import { applyChange, hasPending, pendingDeadlines, type SlaState, startState } from './sla'

const CREATED = '2026-12-01T09:00:00.000Z'
const at = (minutes: number) => new Date(Date.parse(CREATED) + minutes * 60_000).toISOString()
const targets = { firstResponseMinutes: 30, resolutionMinutes: 240 }
const start = () => startState(CREATED, targets)
const change = (state: SlaState, event: Partial<Parameters<typeof applyChange>[1]>) =>
  applyChange(state, { from: 'open', to: 'open', responds: false, pauseWhileBlocked: true, now: at(10), ...event })

describe('SLA state', () => {
  it('starts with due instants counted from the creation, both pending', () => {
    const state = start()
    expect(state).toMatchObject({ firstResponseDueAt: at(30), resolutionDueAt: at(240), breached: [] })
    expect(pendingDeadlines(state)).toEqual([
      { target: 'first_response', dueAt: at(30) },
      { target: 'resolution', dueAt: at(240) },
    ])
    expect(startState(CREATED, { firstResponseMinutes: null, resolutionMinutes: null })).toMatchObject({
      firstResponseDueAt: null,
      resolutionDueAt: null,
    })
  })

  it('meets the first response once, and only a pending one counts as met', () => {
    const { state, met } = change(start(), { responds: true })
    expect(met).toEqual(['first_response'])
    expect(state.firstRespondedAt).toBe(at(10))
    expect(change(state, { responds: true, now: at(20) }).state.firstRespondedAt).toBe(at(10))
    const late = change({ ...start(), breached: ['first_response'] }, { responds: true })
    expect(late.met).toEqual([])
    expect(late.state.firstRespondedAt).toBe(at(10))
  })

  it('meets the resolution on closing, and drops a first response the reporter never got', () => {
    const { state, met } = change(start(), { to: 'closed' })
    expect(met).toEqual(['resolution'])
    expect(state).toMatchObject({ resolvedAt: at(10), firstResponseDueAt: null })
    expect(hasPending(state)).toBe(false)
  })

  it('stops the clocks while blocked and moves the pending instants by the time stopped', () => {
    const blocked = change(start(), { from: 'in_progress', to: 'blocked' }).state
    expect(blocked.pausedSince).toBe(at(10))
    expect(pendingDeadlines(blocked)).toEqual([])
    const resumed = change(blocked, { from: 'blocked', to: 'in_progress', now: at(70) }).state
    expect(resumed).toMatchObject({ pausedSince: null, pausedMs: 60 * 60_000 })
    expect(resumed.firstResponseDueAt).toBe(at(90))
    expect(resumed.resolutionDueAt).toBe(at(300))
    const unpaused = change(start(), { from: 'in_progress', to: 'blocked', pauseWhileBlocked: false }).state
    expect(unpaused.pausedSince).toBeNull()
  })

  it('recomputes pending targets for a new priority from the creation, plus the time paused', () => {
    const paused = { ...start(), pausedMs: 5 * 60_000, firstRespondedAt: at(5) }
    const { state } = change(paused, { newTargets: { firstResponseMinutes: 10, resolutionMinutes: 60 } })
    expect(state.firstResponseDueAt).toBe(at(30)) // already met: unchanged
    expect(state.resolutionDueAt).toBe(at(65))
    const none = change(start(), { newTargets: { firstResponseMinutes: null, resolutionMinutes: null } }).state
    expect(pendingDeadlines(none)).toEqual([])
    const breached = change({ ...start(), breached: ['resolution'] }, { newTargets: targets }).state
    expect(breached.resolutionDueAt).toBe(at(240))
  })
})
