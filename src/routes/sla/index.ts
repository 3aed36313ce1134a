/**
 * The workspace's SLA policies: per priority, minutes to the first response and to resolution (null:
 * no target), and whether the clocks stop while a ticket is blocked. Anyone reads them; admins
 * replace them. They apply to tickets created, or given a new priority, from then on.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { access, requireRole } from '../../auth/middleware'
import { PRIORITIES } from '../../domain/priorities'
import type { SlaPolicies } from '../../domain/sla'
import { createRouter } from '../../lib/create-router'
import { unwrap } from '../../lib/errors'
import { AUTH_ERRORS, BODY_ERRORS, errorResponses, jsonBody, jsonContent } from '../../lib/openapi'

const Minutes = z
  .number()
  .int()
  .min(1)
  .max(525_600)
  .nullable()
  .openapi({ description: 'Minutes from the ticket’s creation (at most a year); null: no target', example: 60 })

const TargetsSchema = z
  .strictObject({ firstResponseMinutes: Minutes, resolutionMinutes: Minutes })
  .openapi('SlaTargets')

const NONE = { firstResponseMinutes: null, resolutionMinutes: null }

const priorities = <T extends z.ZodType>(schema: T) =>
  z.strictObject(
    Object.fromEntries(PRIORITIES.map((priority) => [priority, schema])) as Record<(typeof PRIORITIES)[number], T>,
  )

export const SlaPoliciesSchema = z
  .object({ pauseWhileBlocked: z.boolean(), priorities: priorities(TargetsSchema) })
  .openapi('SlaPolicies')

const PutSlaPoliciesSchema = z
  .strictObject({
    pauseWhileBlocked: z.boolean().openapi({
      description: 'Stop the clocks while a ticket is `blocked`: its due instants move later by the time blocked',
    }),
    priorities: priorities(TargetsSchema.optional().default(NONE)).openapi({
      description: 'Targets per priority; a priority left out has none',
    }),
  })
  .openapi('PutSlaPolicies', {
    example: {
      pauseWhileBlocked: true,
      priorities: {
        critical: { firstResponseMinutes: 15, resolutionMinutes: 240 },
        high: { firstResponseMinutes: 60, resolutionMinutes: 1440 },
      },
    },
  })

const common = { tags: ['SLA'] }

const get = createRoute({
  ...common,
  ...access('tickets:read'),
  method: 'get',
  path: '/',
  operationId: 'getSlaPolicies',
  summary: 'The workspace’s SLA policies',
  responses: { 200: jsonContent(SlaPoliciesSchema, 'The policies'), ...errorResponses(...AUTH_ERRORS) },
})

const put = createRoute({
  ...common,
  ...access('workflows:write', requireRole('admin')),
  method: 'put',
  path: '/',
  operationId: 'putSlaPolicies',
  summary: 'Replace the SLA policies (admin)',
  description:
    'Applies to tickets created, or given a new priority, from now on (a new priority recomputes a ticket’s pending targets from its creation time); targets already computed stay as they are.',
  request: { body: jsonBody(PutSlaPoliciesSchema) },
  responses: {
    200: jsonContent(SlaPoliciesSchema, 'The policies now in force'),
    ...errorResponses(...AUTH_ERRORS, ...BODY_ERRORS, 'E_AUTH_INSUFFICIENT_PERMISSIONS'),
  },
})

export const slaRouter = createRouter()
  .openapi(get, async (c) => c.json(await unwrap(c.get('store').slaPolicies(c.get('auth').actor)), 200))
  .openapi(put, async (c) =>
    c.json(await unwrap(c.get('store').setSlaPolicies(c.get('auth').actor, c.req.valid('json') as SlaPolicies)), 200),
  )
