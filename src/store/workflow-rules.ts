/**
 * Stored workflow rules: CRUD for admins, and the active rules of given triggers in creation
 * order for the engine. The shape of a rule is checked by its zod schema in the Worker; what needs
 * the data (that a named user exists) is checked here, in the same transaction as the write.
 */
import type { Status } from '../domain/ticket-lifecycle'
import { type Action, type Conditions, type Rule, ruleIssues, type Trigger } from '../domain/workflow'
import type { Page, Position } from '../lib/pagination'
import { fail, ok, type Result } from '../lib/result'
import type { Principal, StoreContext } from './db/context'
import { seqPage } from './db/paging'
import { all, first, nowIso, one, run, transact } from './db/sql'

/** A rule's actions as clients write them: an object keyed by action name, in order of application. */
export type ActionMap = {
  assign_user?: string
  change_status?: Status
  add_comment?: string
  send_notification?: { to: string; message: string }
}

export interface RuleInput {
  name: string
  description: string
  trigger: Trigger
  conditions: Conditions
  actions: ActionMap
  active: boolean
}

export interface WorkflowRule extends RuleInput {
  id: string
  createdAt: string
  updatedAt: string
}

/** A partial update: the fields sent replace those fields (the trigger is fixed at creation). */
export type RulePatch = Partial<Pick<RuleInput, 'name' | 'description' | 'conditions' | 'actions' | 'active'>>

type RuleRow = {
  seq: number
  id: string
  name: string
  description: string
  trigger: string
  conditions: string
  actions: string
  active: number
  created_at: string
  updated_at: string
}

const toRule = (row: RuleRow): WorkflowRule => ({
  id: row.id,
  name: row.name,
  description: row.description,
  trigger: row.trigger as Trigger,
  conditions: JSON.parse(row.conditions) as Conditions,
  actions: JSON.parse(row.actions) as ActionMap,
  active: row.active === 1,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
})

/** The action map as an ordered list, keeping the order the client wrote. */
export function toActions(map: ActionMap): Action[] {
  return Object.entries(map).flatMap(([name, value]): Action[] => {
    switch (name) {
      case 'assign_user':
        return [{ name, userId: String(value) }]
      case 'change_status':
        return [{ name, status: String(value) }]
      case 'add_comment':
        return [{ name, text: String(value) }]
      case 'send_notification': {
        const { to, message } = value as { to: string; message: string }
        return [{ name, to, message }]
      }
      default:
        return []
    }
  })
}

const adminsOnly = (caller: Principal) => (caller.role === 'admin' ? null : fail('E_AUTH_INSUFFICIENT_PERMISSIONS'))
const ruleNotFound = () => fail('E_WORKFLOW_RULE_NOT_FOUND')

/** Users named by the actions must exist (`assign_user`, and `send_notification` to a user id). */
function invalidTargets(sql: SqlStorage, actions: ActionMap) {
  const issues: { path: string; message: string; location: 'body' }[] = []
  const exists = (id: string) => first(sql, 'SELECT id FROM users WHERE id = ?', id) !== null
  if (actions.assign_user !== undefined && !exists(actions.assign_user)) {
    issues.push({ path: 'actions.assign_user', message: 'No such user', location: 'body' })
  }
  const to = actions.send_notification?.to
  if (to !== undefined && to !== 'reporter' && to !== 'assignees' && !exists(to)) {
    issues.push({ path: 'actions.send_notification.to', message: 'No such user', location: 'body' })
  }
  return issues.length > 0 ? fail('E_WORKFLOW_INVALID_RULE', { issues }) : null
}

export function listRules(
  ctx: StoreContext,
  caller: Principal,
  after: Position | null,
  limit: number,
): Result<Page<WorkflowRule>> {
  const refused = adminsOnly(caller)
  if (refused) return refused
  return ok(seqPage(ctx.sql, { table: 'workflow_rules' }, after, limit, toRule))
}

export function getRule(ctx: StoreContext, caller: Principal, id: string): Result<WorkflowRule> {
  const refused = adminsOnly(caller)
  if (refused) return refused
  const row = first<RuleRow>(ctx.sql, 'SELECT * FROM workflow_rules WHERE id = ?', id)
  return row ? ok(toRule(row)) : ruleNotFound()
}

export function createRule(ctx: StoreContext, caller: Principal, input: RuleInput): Result<WorkflowRule> {
  const refused = adminsOnly(caller)
  if (refused) return refused
  return transact(ctx.storage, () => {
    const invalid = invalidTargets(ctx.sql, input.actions)
    if (invalid) return invalid
    const now = nowIso()
    const row = one<RuleRow>(
      ctx.sql,
      `INSERT INTO workflow_rules (id, name, description, trigger, conditions, actions, active, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      crypto.randomUUID(),
      input.name,
      input.description,
      input.trigger,
      JSON.stringify(input.conditions),
      JSON.stringify(input.actions),
      input.active ? 1 : 0,
      now,
      now,
    )
    return ok(toRule(row))
  })
}

export function updateRule(ctx: StoreContext, caller: Principal, id: string, patch: RulePatch): Result<WorkflowRule> {
  const refused = adminsOnly(caller)
  if (refused) return refused
  return transact(ctx.storage, () => {
    const row = first<RuleRow>(ctx.sql, 'SELECT * FROM workflow_rules WHERE id = ?', id)
    if (!row) return ruleNotFound()
    const stored = toRule(row)
    const input: RuleInput = {
      name: patch.name ?? stored.name,
      description: patch.description ?? stored.description,
      trigger: stored.trigger,
      conditions: patch.conditions ?? stored.conditions,
      actions: patch.actions ?? stored.actions,
      active: patch.active ?? stored.active,
    }
    const issues = ruleIssues(input).map((issue) => ({ ...issue, path: issue.path.join('.'), location: 'body' }))
    if (issues.length > 0) return fail('E_WORKFLOW_TRIGGER_MISMATCH', { issues })
    const invalid = invalidTargets(ctx.sql, input.actions)
    if (invalid) return invalid
    const updated = one<RuleRow>(
      ctx.sql,
      `UPDATE workflow_rules SET name = ?, description = ?, trigger = ?, conditions = ?, actions = ?, active = ?,
       updated_at = ? WHERE id = ? RETURNING *`,
      input.name,
      input.description,
      input.trigger,
      JSON.stringify(input.conditions),
      JSON.stringify(input.actions),
      input.active ? 1 : 0,
      nowIso(),
      id,
    )
    return ok(toRule(updated))
  })
}

export function deleteRule(ctx: StoreContext, caller: Principal, id: string): Result<null> {
  const refused = adminsOnly(caller)
  if (refused) return refused
  return transact(ctx.storage, () =>
    run(ctx.sql, 'DELETE FROM workflow_rules WHERE id = ?', id) > 0 ? ok(null) : ruleNotFound(),
  )
}

/** Active rules with any of `triggers`, oldest first: the order in which they run. */
export function activeRules(sql: SqlStorage, triggers: readonly Trigger[]): Rule[] {
  return all<RuleRow>(
    sql,
    'SELECT * FROM workflow_rules WHERE active = 1 AND trigger IN (SELECT value FROM json_each(?)) ORDER BY seq',
    JSON.stringify(triggers),
  ).map((row) => {
    const rule = toRule(row)
    return { id: rule.id, trigger: rule.trigger, conditions: rule.conditions, actions: toActions(rule.actions) }
  })
}
