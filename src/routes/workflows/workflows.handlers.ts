/**
 * Workflow rule handlers. zod returns an object's keys in schema order, but a rule's actions run
 * in the order the client wrote them, so that order is taken from the raw body.
 */
import type { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { AppEnv, AppRouteHandler } from '../../lib/app-env'
import { createRouterHook } from '../../lib/create-router'
import { unwrap } from '../../lib/errors'
import { pageArgs, pageResponse } from '../../lib/pagination'
import type { ActionMap, RuleInput, RulePatch, WorkflowRule } from '../../store/workflow-rules'
import type * as routes from './workflows.routes'
import type { RuleSchema } from './workflows.schemas'

/** Validation failures of a rule body are `E_WORKFLOW_INVALID_RULE`, as the contract asks. */
export const ruleHook = createRouterHook('E_WORKFLOW_INVALID_RULE')

async function inWrittenOrder(c: Context<AppEnv>, actions: ActionMap): Promise<ActionMap> {
  const raw = (await c.req.json()) as { actions?: Record<string, unknown> }
  const order = Object.keys(raw.actions ?? {})
  const entries = Object.entries(actions).filter(([, value]) => value !== undefined)
  entries.sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
  return Object.fromEntries(entries) as ActionMap
}

/** Stored rules passed the request schemas, so their conditions have the response's precise types. */
const asResponse = (rule: WorkflowRule) => rule as z.output<typeof RuleSchema>

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const page = await unwrap(c.get('store').listRules(c.get('auth').actor, pageArgs(c.req.valid('query'))))
  return pageResponse(c, { ...page, items: page.items.map(asResponse) })
}

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const body = c.req.valid('json') as RuleInput
  const input = { ...body, actions: await inWrittenOrder(c, body.actions) }
  const rule = await unwrap(c.get('store').createRule(c.get('auth').actor, input))
  c.header('Location', `/api/v1/workflows/${rule.id}`)
  return c.json(asResponse(rule), 201)
}

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const { ruleId } = c.req.valid('param')
  return c.json(asResponse(await unwrap(c.get('store').getRule(c.get('auth').actor, ruleId))), 200)
}

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const { ruleId } = c.req.valid('param')
  const body = c.req.valid('json') as RulePatch
  const patch = body.actions ? { ...body, actions: await inWrittenOrder(c, body.actions) } : body
  return c.json(asResponse(await unwrap(c.get('store').updateRule(c.get('auth').actor, ruleId, patch))), 200)
}

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const { ruleId } = c.req.valid('param')
  await unwrap(c.get('store').deleteRule(c.get('auth').actor, ruleId))
  return c.body(null, 204)
}
