/**
 * Human-readable lines for the dashboard's recent activity, from history entries: "Ada Lovelace
 * moved TSK-1004 to in_progress". Pure: names and keys are looked up by the caller.
 */

export interface ActivityFacts {
  action: string
  actorName: string | null
  ruleName: string | null
  ticketKey: string
  newValue: unknown
}

const FIELD_NAMES: Record<string, string> = {
  title: 'title',
  description: 'description',
  department: 'department',
  project: 'project',
  labels: 'labels',
  due_date: 'due date',
}

const TARGETS: Record<string, string> = { first_response: 'first response', resolution: 'resolution' }

export function activityMessage(facts: ActivityFacts): string {
  const actor = facts.actorName ?? 'A deleted user'
  const key = facts.ticketKey
  const value = typeof facts.newValue === 'string' ? facts.newValue : null
  const rule = `Rule “${facts.ruleName ?? 'deleted rule'}”`
  switch (facts.action) {
    case 'created':
      return `${actor} created ${key}`
    case 'updated_status':
      return `${actor} moved ${key} to ${value}`
    case 'updated_priority':
      return `${actor} set the priority of ${key} to ${value}`
    case 'updated_assignees':
      return `${actor} changed the assignees of ${key}`
    case 'workflow_change_status':
      return `${rule} moved ${key} to ${value}`
    case 'workflow_change_status_skipped':
      return `${rule} could not move ${key} to ${value}`
    case 'workflow_assign_user':
      return `${rule} assigned ${key}`
    case 'workflow_add_comment':
      return `${rule} commented on ${key}`
    case 'workflow_send_notification':
      return `${rule} sent a notification about ${key}`
    case 'workflow_depth_limit_reached':
      return `Rules on ${key} stopped at the depth limit`
    case 'sla_breached': {
      const target = (facts.newValue as { target?: string } | null)?.target ?? ''
      return `${key} missed its ${TARGETS[target] ?? 'SLA'} target`
    }
    case 'attachment_added':
      return `${actor} attached a file to ${key}`
    case 'attachment_removed':
      return `${actor} removed a file from ${key}`
    default: {
      const field = FIELD_NAMES[facts.action.replace(/^updated_/, '')]
      return field ? `${actor} updated the ${field} of ${key}` : `${actor} changed ${key}`
    }
  }
}
