/**
 * SLA policies and where a ticket stands against them, as pure functions over a ticket's SLA
 * state: the due instants of its targets, what a change does to them (first response, resolution,
 * pausing while blocked, a new priority), and which targets are still pending (those the object
 * must wake for). The store keeps the state in the ticket's row and the pending instants in the
 * `deadlines` table.
 */
import { PRIORITIES, type Priority } from './priorities'
import type { SlaTarget } from './ticket'
import type { Status } from './ticket-lifecycle'

export interface SlaTargets {
  /** Minutes from creation to the first response; null: no target. */
  firstResponseMinutes: number | null
  /** Minutes from creation to closing; null: no target. */
  resolutionMinutes: number | null
}

export interface SlaPolicies {
  /** Whether the clocks stop while a ticket is `blocked` (its due instants move later by the time blocked). */
  pauseWhileBlocked: boolean
  priorities: Record<Priority, SlaTargets>
}

const NONE: SlaTargets = { firstResponseMinutes: null, resolutionMinutes: null }

export const NO_POLICIES: SlaPolicies = {
  pauseWhileBlocked: false,
  priorities: Object.fromEntries(PRIORITIES.map((priority) => [priority, NONE])) as Record<Priority, SlaTargets>,
}

export const hasTargets = (targets: SlaTargets) =>
  targets.firstResponseMinutes !== null || targets.resolutionMinutes !== null

/** A ticket's SLA state, as its row keeps it. */
export interface SlaState {
  createdAt: string
  firstResponseDueAt: string | null
  resolutionDueAt: string | null
  firstRespondedAt: string | null
  resolvedAt: string | null
  breached: readonly SlaTarget[]
  /** When the clocks stopped (the ticket became blocked under a pausing policy); null while running. */
  pausedSince: string | null
  /** Time paused before `pausedSince`, in milliseconds. */
  pausedMs: number
}

const MINUTE = 60_000

const dueFrom = (createdAt: string, minutes: number | null, pausedMs: number) =>
  minutes === null ? null : new Date(Date.parse(createdAt) + minutes * MINUTE + pausedMs).toISOString()

const later = (iso: string | null, ms: number) => (iso === null ? null : new Date(Date.parse(iso) + ms).toISOString())

/** A new ticket's state under the targets of its priority. */
export const startState = (createdAt: string, targets: SlaTargets): SlaState => ({
  createdAt,
  firstResponseDueAt: dueFrom(createdAt, targets.firstResponseMinutes, 0),
  resolutionDueAt: dueFrom(createdAt, targets.resolutionMinutes, 0),
  firstRespondedAt: null,
  resolvedAt: null,
  breached: [],
  pausedSince: null,
  pausedMs: 0,
})

const isPending = (state: SlaState, target: SlaTarget) =>
  target === 'first_response'
    ? state.firstResponseDueAt !== null && state.firstRespondedAt === null && !state.breached.includes(target)
    : state.resolutionDueAt !== null && state.resolvedAt === null && !state.breached.includes(target)

/** The instants the object must wake for: pending targets of a running clock. */
export function pendingDeadlines(state: SlaState): { target: SlaTarget; dueAt: string }[] {
  if (state.pausedSince !== null) return []
  const deadlines: { target: SlaTarget; dueAt: string }[] = []
  if (isPending(state, 'first_response') && state.firstResponseDueAt) {
    deadlines.push({ target: 'first_response', dueAt: state.firstResponseDueAt })
  }
  if (isPending(state, 'resolution') && state.resolutionDueAt) {
    deadlines.push({ target: 'resolution', dueAt: state.resolutionDueAt })
  }
  return deadlines
}

/** A target that ended with this change: met (before it was breached) or abandoned (not counted). */
export interface SlaOutcome {
  target: SlaTarget
  outcome: 'met'
}

export interface SlaEvent {
  /** The status before and after the change (equal when the status did not change). */
  from: Status
  to: Status
  /** The priority after the change, with its targets, when it changed. */
  newTargets?: SlaTargets
  /** The change is a first response: a comment or status change by a person other than the reporter. */
  responds: boolean
  pauseWhileBlocked: boolean
  now: string
}

/**
 * The state after a change, and the targets it met. A first response meets its target; closing
 * meets the resolution target (and ends a first-response target the reporter never got, uncounted);
 * becoming blocked under a pausing policy stops the clocks, leaving blocked restarts them with the
 * pending due instants moved later by the time stopped; a new priority recomputes the pending
 * targets from the creation time (plus the time paused). Targets met or breached stay so.
 */
export function applyChange(before: SlaState, event: SlaEvent): { state: SlaState; met: SlaTarget[] } {
  let state: SlaState = { ...before }
  const met: SlaTarget[] = []
  // A closed ticket keeps what it had; an open one gets its pending targets from the new priority.
  if (event.newTargets && event.to !== 'closed') {
    if (state.firstRespondedAt === null && !state.breached.includes('first_response')) {
      state.firstResponseDueAt = dueFrom(state.createdAt, event.newTargets.firstResponseMinutes, state.pausedMs)
    }
    if (state.resolvedAt === null && !state.breached.includes('resolution')) {
      state.resolutionDueAt = dueFrom(state.createdAt, event.newTargets.resolutionMinutes, state.pausedMs)
    }
  }
  if (event.responds && state.firstRespondedAt === null) {
    if (isPending(state, 'first_response')) met.push('first_response')
    state.firstRespondedAt = event.now
  }
  if (event.to === 'closed' && event.from !== 'closed') {
    if (isPending(state, 'resolution')) {
      met.push('resolution')
      state.resolvedAt = event.now
    }
    if (isPending(state, 'first_response')) state.firstResponseDueAt = null
  }
  const blocking = event.to === 'blocked' && event.from !== 'blocked'
  const unblocking = event.from === 'blocked' && event.to !== 'blocked'
  if (blocking && event.pauseWhileBlocked && state.pausedSince === null) {
    state = { ...state, pausedSince: event.now }
  }
  if (unblocking && state.pausedSince !== null) {
    const stopped = Math.max(0, Date.parse(event.now) - Date.parse(state.pausedSince))
    state = {
      ...state,
      firstResponseDueAt: isPending(state, 'first_response')
        ? later(state.firstResponseDueAt, stopped)
        : state.firstResponseDueAt,
      resolutionDueAt: isPending(state, 'resolution') ? later(state.resolutionDueAt, stopped) : state.resolutionDueAt,
      pausedSince: null,
      pausedMs: state.pausedMs + stopped,
    }
  }
  return { state, met }
}

/** Whether the state has a target still pending (breach-able). */
export const hasPending = (state: SlaState) => isPending(state, 'first_response') || isPending(state, 'resolution')
