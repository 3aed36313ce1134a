/**
 * Workflow rule routes (admins only). A rule is validated in full on create and update: unknown
 * triggers, fields, operators or actions, impossible values, and actions naming users that do not
 * exist are refused with 422 `E_WORKFLOW_INVALID_RULE`, with `details.issues` saying which part.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { access, requireRole } from '../../auth/middleware'
import { AUTH_ERRORS, errorResponses, jsonBody, jsonContent } from '../../lib/openapi'
import { PageQuerySchema, pageHeaders } from '../../lib/pagination'
import { CreateRuleSchema, RuleIdParamSchema, RuleSchema, UpdateRuleSchema } from './workflows.schemas'

/** Admins only: anyone else gets 403 before its parameters or body are looked at. */
const common = { tags: ['Workflows'] }
const BODY = ['E_BAD_REQUEST', 'E_PAYLOAD_TOO_LARGE', 'E_UNSUPPORTED_MEDIA_TYPE', 'E_WORKFLOW_INVALID_RULE'] as const

export const list = createRoute({
  ...common,
  ...access('workflows:write', requireRole('admin')),
  method: 'get',
  path: '/',
  operationId: 'listWorkflowRules',
  summary: 'List workflow rules, in the order they run (admin)',
  request: { query: PageQuerySchema },
  responses: {
    200: { ...jsonContent(z.array(RuleSchema), 'A page of rules'), headers: pageHeaders },
    ...errorResponses(...AUTH_ERRORS, 'E_VALIDATION_ERROR', 'E_AUTH_INSUFFICIENT_PERMISSIONS'),
  },
})

export const create = createRoute({
  ...common,
  ...access('workflows:write', requireRole('admin')),
  method: 'post',
  path: '/',
  operationId: 'createWorkflowRule',
  summary: 'Create a workflow rule (admin)',
  description:
    'Rules run inside the transaction of the change that triggers them, in creation order, and their effects are recorded in the ticket’s history as `workflow_<action>` with the rule id. Changes made by rules trigger further rules for at most 3 rounds.',
  request: { body: jsonBody(CreateRuleSchema) },
  responses: {
    201: {
      ...jsonContent(RuleSchema, 'Rule created'),
      headers: { Location: { description: 'URL of the rule', schema: { type: 'string' } } },
    },
    ...errorResponses(...AUTH_ERRORS, ...BODY, 'E_AUTH_INSUFFICIENT_PERMISSIONS'),
  },
})

export const get = createRoute({
  ...common,
  ...access('workflows:write', requireRole('admin')),
  method: 'get',
  path: '/{ruleId}',
  operationId: 'getWorkflowRule',
  summary: 'Read a workflow rule (admin)',
  request: { params: RuleIdParamSchema },
  responses: {
    200: jsonContent(RuleSchema, 'The rule'),
    ...errorResponses(
      ...AUTH_ERRORS,
      'E_VALIDATION_ERROR',
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
      'E_WORKFLOW_RULE_NOT_FOUND',
    ),
  },
})

export const update = createRoute({
  ...common,
  ...access('workflows:write', requireRole('admin')),
  method: 'put',
  path: '/{ruleId}',
  operationId: 'updateWorkflowRule',
  summary: 'Change a workflow rule (admin, partial)',
  description:
    'The fields sent (`name`, `description`, `conditions`, `actions`, `active`) replace those fields; the rest stay. The result is checked as a whole rule: `fromStatus`/`toStatus` conditions need a rule whose (fixed) trigger is `status_changed` (else 400 `E_WORKFLOW_TRIGGER_MISMATCH`), and users named by actions must exist (else 422 `E_WORKFLOW_INVALID_RULE`).',
  request: { params: RuleIdParamSchema, body: jsonBody(UpdateRuleSchema) },
  responses: {
    200: jsonContent(RuleSchema, 'The updated rule'),
    ...errorResponses(
      ...AUTH_ERRORS,
      ...BODY,
      'E_WORKFLOW_TRIGGER_MISMATCH',
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
      'E_WORKFLOW_RULE_NOT_FOUND',
    ),
  },
})

export const remove = createRoute({
  ...common,
  ...access('workflows:write', requireRole('admin')),
  method: 'delete',
  path: '/{ruleId}',
  operationId: 'deleteWorkflowRule',
  summary: 'Delete a workflow rule (admin)',
  request: { params: RuleIdParamSchema },
  responses: {
    204: { description: 'Deleted' },
    ...errorResponses(
      ...AUTH_ERRORS,
      'E_VALIDATION_ERROR',
      'E_AUTH_INSUFFICIENT_PERMISSIONS',
      'E_WORKFLOW_RULE_NOT_FOUND',
    ),
  },
})
