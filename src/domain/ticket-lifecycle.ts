/**
 * The ticket status lifecycle: the statuses and the transition table, the single source for the
 * store's checks, the OpenAPI enums and the workflow engine. Setting the current status again is
 * not a transition (a no-op), so it is neither allowed nor refused here.
 */

export const STATUSES = ['open', 'in_progress', 'blocked', 'closed'] as const
export type Status = (typeof STATUSES)[number]

export const TRANSITIONS: Readonly<Record<Status, readonly Status[]>> = {
  open: ['in_progress', 'closed'],
  in_progress: ['open', 'closed', 'blocked'],
  blocked: ['in_progress', 'open'],
  closed: ['open', 'in_progress'],
}

export const isStatus = (value: unknown): value is Status =>
  typeof value === 'string' && (STATUSES as readonly string[]).includes(value)

export const allowedTransitions = (from: Status): readonly Status[] => TRANSITIONS[from]

export const canTransition = (from: Status, to: Status) => TRANSITIONS[from].includes(to)
