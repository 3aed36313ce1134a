/**
 * Ticket priorities in ascending order of urgency; the rank orders `sort=priority`.
 */

export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const
export type Priority = (typeof PRIORITIES)[number]

export const DEFAULT_PRIORITY: Priority = 'medium'

export const priorityRank = (priority: Priority) => PRIORITIES.indexOf(priority)
