/**
 * Listing tickets: filters, sorting and keyset paging as one parameterised query. Each filter
 * has an index that leads with its column and ends with `seq`; the text filter goes through the
 * FTS5 index; a plain user's visibility (reported or assigned) is an indexed union.
 */
import { toFtsQuery } from '../../domain/search-query'
import { STATUSES } from '../../domain/ticket-lifecycle'
import { sortColumn, type TicketSort } from '../../domain/ticket-sort'
import { departmentKey, priorityKey, statusKey } from '../../domain/ticket-stats'
import type { Page, Position } from '../../lib/pagination'
import { pageOf } from '../db/paging'
import { all, count, type SqlValue } from '../db/sql'
import { labelIdsFor, labelKey, nameKey } from '../labels'
import { partyCount } from './parties'
import { hydrate, type Ticket, type TicketRow } from './rows'
import { counter } from './stats'

export interface TicketFilter {
  status?: string
  priority?: string
  department?: string
  projectId?: string
  reporterId?: string
  assigneeId?: string
  q?: string
  /** Label names: tickets with all of them (`label`), with any of them (`any_label`). */
  labels?: string[]
  anyLabels?: string[]
  /** UTC ISO instants: due strictly before / after. */
  dueBefore?: string
  dueAfter?: string
  /** Due in the past and not closed (false: anything else). */
  overdue?: boolean
  /** Only tickets this user reported or is assigned to (plain users, and `/my`). */
  involving?: string
}

/**
 * X-Total-Count from the aggregates when the filter is one they keep (nothing, one status, priority,
 * department or label, or only "involving me"): one row instead of counting every match; for
 * `any_label` alone, distinct tickets counted in the label index, without reading a ticket. Null
 * otherwise. `allOf`/`anyOf` are the filter's labels as catalog ids.
 */
function quickTotal(sql: SqlStorage, filter: TicketFilter, allOf: string[], anyOf: string[]): number | null {
  const used = Object.entries(filter).filter(([, value]) => value !== undefined)
  if (used.length === 0) return STATUSES.reduce((sum, status) => sum + counter(sql, statusKey(status)), 0)
  if (used.length > 1) return null
  const [name, value] = used[0] as [keyof TicketFilter, string]
  if (name === 'labels' && allOf.length === 1) return counter(sql, labelKey(allOf[0] as string))
  if (name === 'anyLabels') {
    return count(
      sql,
      'SELECT count(DISTINCT seq) AS n FROM ticket_labels WHERE label_id IN (SELECT value FROM json_each(?))',
      JSON.stringify(anyOf),
    )
  }
  if (name === 'involving') return partyCount(sql, value)
  if (name === 'status') return counter(sql, statusKey(value))
  if (name === 'priority') return counter(sql, priorityKey(value))
  if (name === 'department') return counter(sql, departmentKey(value))
  return null
}

const onlyAnyLabel = (filter: TicketFilter) =>
  Object.entries(filter).every(([name, value]) => value === undefined || name === 'anyLabels')

/**
 * The query reads `tickets t`, or, for a user's own tickets, walks `ticket_parties p` (the user's
 * reported and assigned tickets, keyed by user and creation order) and joins each ticket: a page of
 * "my tickets, newest first" then reads about one page of index entries, however many tickets the
 * workspace or the user has.
 */
export function listTickets(
  sql: SqlStorage,
  filter: TicketFilter,
  sort: TicketSort,
  after: Position | null,
  limit: number,
): Page<Ticket> {
  const where: string[] = []
  const params: SqlValue[] = []
  const add = (clause: string, ...values: SqlValue[]) => {
    where.push(clause)
    params.push(...values)
  }
  // Labels the catalog does not have: no ticket has all of them; `any_label` ignores them.
  const allOf = filter.labels ? labelIdsFor(sql, filter.labels) : []
  if (filter.labels && allOf.length < new Set(filter.labels.map(nameKey)).size)
    return { items: [], total: 0, next: null }
  const anyOf = filter.anyLabels ? labelIdsFor(sql, filter.anyLabels) : []
  if (filter.anyLabels && anyOf.length === 0) return { items: [], total: 0, next: null }
  // A user's own tickets walk its party rows; tickets with a label walk that label's rows.
  const [from, seq] = filter.involving
    ? ['ticket_parties p JOIN tickets t ON t.seq = p.seq', 'p.seq']
    : allOf.length > 0
      ? ['ticket_labels l JOIN tickets t ON t.seq = l.seq', 'l.seq']
      : ['tickets t', 't.seq']
  if (filter.involving) add('p.user_id = ?', filter.involving)
  allOf.forEach((id, index) => {
    if (index === 0 && !filter.involving) add('l.label_id = ?', id)
    else add('t.seq IN (SELECT seq FROM ticket_labels WHERE label_id = ?)', id)
  })
  if (anyOf.length > 0 && onlyAnyLabel(filter) && sortColumn(sort) === null) {
    // Alone, in creation order: the next page is among the next `limit + 1` entries of each label's
    // range, so read only those (one page of index entries per label), not every match.
    const [beyond, direction] = sort.startsWith('-') ? ['<', 'DESC'] : ['>', 'ASC']
    const from = after ? Number(after[0]) : sort.startsWith('-') ? Number.MAX_SAFE_INTEGER : 0
    const range = `SELECT seq FROM (SELECT seq FROM ticket_labels WHERE label_id = ? AND seq ${beyond} ? ORDER BY seq ${direction} LIMIT ?)`
    add(`t.seq IN (${anyOf.map(() => range).join(' UNION ')})`, ...anyOf.flatMap((id) => [id, from, limit + 1]))
  } else if (anyOf.length > 0) {
    add(
      't.seq IN (SELECT seq FROM ticket_labels WHERE label_id IN (SELECT value FROM json_each(?)))',
      JSON.stringify(anyOf),
    )
  }
  // Due-date ranges walk their index (a subquery, so the planner cannot prefer a scan in `seq` order).
  if (filter.dueBefore) add('t.seq IN (SELECT seq FROM tickets WHERE due_asc < ?)', filter.dueBefore)
  if (filter.dueAfter) add('t.seq IN (SELECT seq FROM tickets WHERE due_desc > ?)', filter.dueAfter)
  if (filter.overdue !== undefined) {
    // Overdue from the due instant itself, as the dashboard counts it (the deadline fires then).
    const overdue = "t.seq IN (SELECT seq FROM tickets WHERE due_asc <= ?) AND t.status != 'closed'"
    add(filter.overdue ? overdue : `NOT (${overdue})`, new Date().toISOString())
  }
  if (filter.status) add('t.status = ?', filter.status)
  if (filter.priority) add('t.priority = ?', filter.priority)
  if (filter.department) add('t.department = ?', filter.department)
  if (filter.projectId) add('t.project_id = ?', filter.projectId)
  if (filter.reporterId) add('t.reporter_id = ?', filter.reporterId)
  if (filter.assigneeId) add('t.id IN (SELECT ticket_id FROM ticket_assignees WHERE user_id = ?)', filter.assigneeId)
  if (filter.q !== undefined) {
    const match = toFtsQuery(filter.q)
    if (match === null) return { items: [], total: 0, next: null }
    add('t.seq IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?)', match)
  }
  const whereSql = () => (where.length ? `WHERE ${where.join(' AND ')}` : '')
  const total =
    quickTotal(sql, filter, allOf, anyOf) ?? count(sql, `SELECT count(*) AS n FROM ${from} ${whereSql()}`, ...params)

  const descending = sort.startsWith('-')
  // Rows carry the sort column by name (`due_asc`, `updated_at`, …) for the next page's cursor.
  const column = sortColumn(sort)
  const direction = descending ? 'DESC' : 'ASC'
  const beyond = descending ? '<' : '>'
  if (after) {
    if (column) add(`(t.${column}, ${seq}) ${beyond} (?, ?)`, after[0] as SqlValue, Number(after[1]))
    else add(`${seq} ${beyond} ?`, Number(after[0]))
  }
  const order = column ? `t.${column} ${direction}, ${seq} ${direction}` : `${seq} ${direction}`
  const rows = all<TicketRow>(
    sql,
    `SELECT t.* FROM ${from} ${whereSql()} ORDER BY ${order} LIMIT ?`,
    ...params,
    limit + 1,
  )
  // Rows become tickets in one batch (one assignee query per page), so map the page afterwards.
  const page = pageOf(
    rows,
    limit,
    total,
    (row) => row,
    (row) => (column ? [row[column], row.seq] : [row.seq]),
  )
  return { ...page, items: hydrate(sql, page.items) }
}
