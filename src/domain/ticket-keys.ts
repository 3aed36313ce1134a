/**
 * Ticket keys: `TSK-1001`, `TSK-1002`, … for tickets without a project, `<PROJECTKEY>-1`, … within
 * a project. Numbers come from a per-prefix counter that only grows, so keys are never reused. Pure.
 */

/** The prefix of tickets without a project; reserved, so no project may take it. */
export const DEFAULT_KEY_PREFIX = 'TSK'

/** The first number of a prefix: 1001 for `TSK` (as the seed numbered them), 1 for project keys. */
export const firstKeyNumber = (prefix: string) => (prefix === DEFAULT_KEY_PREFIX ? 1001 : 1)

export const ticketKey = (prefix: string, number: number) => `${prefix}-${number}`
