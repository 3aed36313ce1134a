/**
 * Reports: the dashboard for everyone (a plain user's counts cover only its own tickets), and
 * workspace breakdowns and user activity for managers and admins.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { access, requireRole } from '../../auth/middleware'
import { PRIORITIES } from '../../domain/priorities'
import { STATUSES } from '../../domain/ticket-lifecycle'
import { AUTH_ERRORS, errorResponses, jsonContent } from '../../lib/openapi'
import { queryIntegerWithDefault } from '../../lib/schemas'

const common = { tags: ['Reports'] }
const managerErrors = errorResponses(...AUTH_ERRORS, 'E_AUTH_INSUFFICIENT_PERMISSIONS')

const Count = z.number().int().min(0)

export const DashboardSchema = z
  .object({
    openTickets: Count,
    inProgressTickets: Count,
    blockedTickets: Count,
    closedTickets: Count,
    criticalTickets: Count.openapi({ description: 'Critical tickets that are not closed' }),
    overdueTickets: Count.openapi({ description: 'Tickets due in the past and not closed' }),
    slaBreachedOpen: Count.openapi({ description: 'Tickets not closed that missed an SLA target' }),
    ticketsByDepartment: z.array(z.object({ department: z.string(), count: Count })),
    ticketsByPriority: z.array(z.object({ priority: z.enum(PRIORITIES), count: Count })),
    recentActivity: z
      .array(
        z.object({
          id: z.uuid(),
          ticketId: z.uuid(),
          ticketKey: z.string(),
          message: z.string().openapi({ example: 'Ada Lovelace moved TSK-1004 to in_progress' }),
          createdAt: z.iso.datetime(),
        }),
      )
      .openapi({ description: 'The latest 10 changes across the tickets the caller can see' }),
  })
  .openapi('Dashboard')

const Metadata = z.object({ totalTickets: Count, generatedAt: z.iso.datetime() })

const breakdown = <T extends z.ZodType>(name: string, item: T) =>
  z.object({ data: z.array(item), metadata: Metadata }).openapi(name)

export const dashboard = createRoute({
  ...common,
  ...access('reports:read'),
  method: 'get',
  path: '/dashboard',
  operationId: 'getDashboard',
  summary: 'Ticket counts and recent activity',
  description:
    'Managers and admins see the whole workspace; a plain user sees counts over the tickets it reported or is assigned to.',
  responses: { 200: jsonContent(DashboardSchema, 'The dashboard'), ...errorResponses(...AUTH_ERRORS) },
})

export const byStatus = createRoute({
  ...common,
  ...access('reports:read', requireRole('manager')),
  method: 'get',
  path: '/tickets-by-status',
  operationId: 'getTicketsByStatus',
  summary: 'Tickets per status, every status listed (manager, admin)',
  responses: {
    200: jsonContent(breakdown('TicketsByStatus', z.object({ status: z.enum(STATUSES), count: Count })), 'The report'),
    ...managerErrors,
  },
})

export const byPriority = createRoute({
  ...common,
  ...access('reports:read', requireRole('manager')),
  method: 'get',
  path: '/tickets-by-priority',
  operationId: 'getTicketsByPriority',
  summary: 'Tickets per priority, every priority listed (manager, admin)',
  responses: {
    200: jsonContent(
      breakdown('TicketsByPriority', z.object({ priority: z.enum(PRIORITIES), count: Count })),
      'The report',
    ),
    ...managerErrors,
  },
})

export const byDepartment = createRoute({
  ...common,
  ...access('reports:read', requireRole('manager')),
  method: 'get',
  path: '/tickets-by-department',
  operationId: 'getTicketsByDepartment',
  summary: 'Tickets per department, `Unassigned` for none, most first (manager, admin)',
  responses: {
    200: jsonContent(
      breakdown('TicketsByDepartment', z.object({ department: z.string(), count: Count })),
      'The report',
    ),
    ...managerErrors,
  },
})

export const userActivity = createRoute({
  ...common,
  ...access('reports:read', requireRole('manager')),
  method: 'get',
  path: '/user-activity',
  operationId: 'getUserActivity',
  summary: 'What each user did in the last `days` days (manager, admin)',
  description:
    'Per user with any activity in the window (UTC days, today included): tickets created, times newly assigned, tickets closed; most active first. Events on tickets deleted since no longer count.',
  request: {
    query: z.object({
      days: queryIntegerWithDefault({ min: 1, max: 365, default: 30 }).openapi({ description: '1–365', example: 30 }),
    }),
  },
  responses: {
    200: jsonContent(
      z
        .object({
          data: z.array(
            z.object({
              userId: z.uuid(),
              userName: z.string(),
              ticketsCreated: Count,
              ticketsAssigned: Count,
              ticketsClosed: Count,
            }),
          ),
          metadata: z.object({ days: z.number().int(), generatedAt: z.iso.datetime() }),
        })
        .openapi('UserActivity'),
      'The report',
    ),
    ...errorResponses(...AUTH_ERRORS, 'E_AUTH_INSUFFICIENT_PERMISSIONS', 'E_VALIDATION_ERROR'),
  },
})

const Days = z.object({
  days: queryIntegerWithDefault({ min: 1, max: 365, default: 30 }).openapi({ description: '1–365', example: 30 }),
})

export const slaCompliance = createRoute({
  ...common,
  ...access('reports:read', requireRole('manager')),
  method: 'get',
  path: '/sla',
  operationId: 'getSlaCompliance',
  summary: 'SLA compliance per priority over the last `days` days (manager, admin)',
  description:
    'Per priority, in the window (UTC days, today included): tickets given targets at creation, targets met (first responses and resolutions in time) and breached, and met / (met + breached), null when nothing ended. Tickets deleted since no longer count.',
  request: { query: Days },
  responses: {
    200: jsonContent(
      z
        .object({
          data: z.array(
            z.object({
              priority: z.enum(PRIORITIES),
              ticketsWithTargets: Count,
              met: Count,
              breached: Count,
              complianceRate: z.number().min(0).max(1).nullable(),
            }),
          ),
          metadata: z.object({ days: z.number().int(), generatedAt: z.iso.datetime() }),
        })
        .openapi('SlaCompliance'),
      'The report',
    ),
    ...errorResponses(...AUTH_ERRORS, 'E_AUTH_INSUFFICIENT_PERMISSIONS', 'E_VALIDATION_ERROR'),
  },
})
