/**
 * How ticket lists may be sorted, and what a keyset cursor of each sort holds: the sort column's
 * value and the creation sequence, or the sequence alone when the list is in creation order. Pure,
 * so the query schema, the cursor decoder and the store agree.
 */

export const TICKET_SORTS = [
  'createdAt',
  '-createdAt',
  'updatedAt',
  '-updatedAt',
  'priority',
  '-priority',
  'dueAt',
  '-dueAt',
] as const
export type TicketSort = (typeof TICKET_SORTS)[number]

/**
 * The column a sort orders by before the creation sequence; null for creation order itself. Due
 * dates sort with nulls last either way, through two columns: `due_asc` (null = '~') ascending,
 * `due_desc` (null = '') descending.
 */
export const SORT_COLUMNS = {
  createdAt: null,
  '-createdAt': null,
  updatedAt: 'updated_at',
  '-updatedAt': 'updated_at',
  priority: 'priority_rank',
  '-priority': 'priority_rank',
  dueAt: 'due_asc',
  '-dueAt': 'due_desc',
} as const satisfies Record<TicketSort, string | null>

export const sortColumn = (sort: TicketSort) => SORT_COLUMNS[sort]

/** How many values a cursor of this sort carries. */
export const cursorArity = (sort: TicketSort) => (sortColumn(sort) ? 2 : 1)
