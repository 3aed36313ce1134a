// The scenarios `npm run bench` measures, as data, and the targets they are held to.
//
// The scenarios. Data-driven: `group` decides which ceiling a scenario is compared with and which
// target applies; `optional` scenarios are skipped when their route answers 404 during setup;
// `workspaces: n` makes the seed create n workspaces besides `default` (the most any wanted
// scenario asks for); `webhooks: n` subscribes n endpoints (a receiver in this process) to every
// event of `default` while the scenario runs; `sla: policies` puts those SLA policies in force
// (`PUT /api/v1/sla-policies`) while the scenario runs, and takes them off after (all targets null);
// `prepare(state, settings)`, awaited after the policies are set and before the setup request, makes
// what the scenario needs in that setting (a pool of tickets created while the policies are on).
// `next(state)` returns the next request; its `done(status)` is called with the
// answer's status. (`state` is what bench/lib/seed.mjs returns: base URL, tokens, ticket samples,
// pools and the created workspaces.)

import { call, json } from './http.mjs'

/** Targets to steer by (from the issue); reported, never fatal. */
export const TARGETS = { read: 0.8, write: 0.7, scaleP99: 1.5 }

export const BENCH_PASSWORD = 'bench-password-1'

/** Round robin over a list. */
const cycle = (items) => {
  let i = 0
  return () => items[i++ % items.length]
}

/**
 * The label catalog the seed creates (`POST /api/v1/labels`), most common first, rarest last; each
 * seeded ticket gets 0–2 of them (see `labelsFor` in bench/worker.ts): `bug` on 30% of the tickets,
 * `security` on 1%, each of the others on about 10%.
 */
export const LABELS = [
  { name: 'bug', color: '#d73a4a' },
  { name: 'customer', color: '#0e8a16' },
  { name: 'hardware', color: '#5319e7' },
  { name: 'network', color: '#1d76db' },
  { name: 'access', color: '#fbca04' },
  { name: 'billing', color: '#c2e0c6' },
  { name: 'docs', color: '#0075ca' },
  { name: 'security', color: '#b60205' },
]
const COMMON_LABEL = LABELS[0].name
const RARE_LABEL = LABELS.at(-1).name
const OTHER_LABEL = LABELS.at(-2).name

const PRIORITY_NAMES = ['low', 'medium', 'high', 'critical']
const targets = (firstResponseMinutes, resolutionMinutes) =>
  Object.fromEntries(PRIORITY_NAMES.map((priority) => [priority, { firstResponseMinutes, resolutionMinutes }]))
/** SLA policies with targets for every priority (first response 60 min, resolution 8 h), paused while blocked. */
export const SLA_POLICIES = { pauseWhileBlocked: true, priorities: targets(60, 480) }
/** No SLA targets at all: what the `+sla` scenarios leave behind. */
export const NO_SLA_POLICIES = { pauseWhileBlocked: false, priorities: targets(null, null) }

/**
 * Tickets in the `transition+sla` pool, created open with the policies on, so each has targets and
 * its first transition (by the manager, not the reporter) is its first response: enough that every
 * transition of the run, warm-ups included, is one at up to 500 transitions a second.
 */
const slaPoolSize = (settings) => Math.ceil(settings.rounds * (settings.warmup + settings.duration) * 500)

/** How many workspaces the workspace-spread load goes over (the issue: "1/8/64 workspaces"). */
export const WORKSPACE_SPREADS = [1, 8, 64]

/** The workspace-spread load's mix, out of 5 requests: 3 reads by id, 1 create, 1 transition. */
const MIX = ['read', 'read', 'create', 'read', 'transition']

/**
 * A mixed load over the first `n` created workspaces, each with its own admin's token: request k
 * goes to workspace k mod n and is, in turn, a read by id, a create or a status transition (open ⇄
 * in_progress, each ticket lent to one request at a time; a workspace with none free reads instead).
 * Every request is routed by its token's `ws` claim, so the spread costs no lookup; what it shows
 * is whether throughput holds, and each workspace's p99 stays flat, when the load is spread over
 * many objects instead of one. Requests carry their workspace as `key`, for the p99 per workspace.
 */
const workspaceSpread = (n) => ({
  id: `ws-${n}`,
  name: `mixed load over ${n} workspace${n === 1 ? '' : 's'}`,
  group: 'workspaces',
  workspaces: n,
  firstPhaseOnly: true, // the workspaces hold the same few tickets whatever the phase seeds in `default`
  next: (s) => {
    if (s.workspaces.length < n) throw new Error(`ws-${n}: only ${s.workspaces.length} workspaces were seeded`)
    const workspace = cycle(
      s.workspaces.slice(0, n).map((w) => ({
        slug: w.slug,
        token: w.token,
        ticket: cycle(w.tickets),
        pool: w.tickets.filter((t) => t.status === 'open' || t.status === 'in_progress').map((t) => ({ ...t })),
      })),
    )
    const kind = cycle(MIX)
    let created = 0
    return () => {
      const w = workspace()
      const what = kind()
      if (what === 'create') {
        const body = { title: `Spread ${++created}`, description: 'Created by the benchmark.', priority: 'low' }
        return { ...json('POST', '/api/v1/tickets', w.token(), body), key: w.slug }
      }
      const lent = what === 'transition' ? w.pool.shift() : undefined
      if (!lent) return { ...json('GET', `/api/v1/tickets/${w.ticket().id}`, w.token()), key: w.slug }
      const status = lent.status === 'open' ? 'in_progress' : 'open'
      return {
        ...json('PUT', `/api/v1/tickets/${lent.id}`, w.token(), { status }),
        key: w.slug,
        done: (code) => {
          if (code === 200) lent.status = status
          // A refused transition (another request's change landed first) leaves the ticket as it is.
          if (code === 200 || code === 400 || code === 409 || code === 412) w.pool.push(lent)
        },
      }
    }
  },
})

export const SCENARIOS = [
  {
    id: 'runtime',
    name: 'reference: runtime (no Durable Object)',
    group: 'reference',
    next: () => () => json('GET', '/__bench/runtime'),
  },
  {
    id: 'store',
    name: 'reference: store no-op RPC',
    group: 'reference',
    next: () => () => json('GET', '/__bench/store'),
  },
  {
    id: 'get-by-id',
    name: 'get ticket by id',
    group: 'read',
    next: (s) => {
      const ticket = cycle(s.readSample)
      return () => json('GET', `/api/v1/tickets/${ticket().id}`, s.token('manager'))
    },
  },
  {
    id: 'get-by-id-api-token',
    name: 'get ticket by id with an API token',
    group: 'read',
    next: (s) => {
      const ticket = cycle(s.readSample)
      return () => json('GET', `/api/v1/tickets/${ticket().id}`, s.apiToken)
    },
  },
  {
    id: 'get-by-key',
    name: 'get ticket by key',
    group: 'read',
    next: (s) => {
      const ticket = cycle(s.readSample)
      return () => json('GET', `/api/v1/tickets/key/${ticket().key}`, s.token('manager'))
    },
  },
  {
    id: 'list-filtered',
    name: 'list 50, status=open',
    group: 'read',
    next: (s) => () => json('GET', '/api/v1/tickets?status=open&limit=50', s.token('manager')),
  },
  {
    id: 'list-label',
    name: `list 50, label=${COMMON_LABEL} (30% of tickets)`,
    group: 'read',
    next: (s) => () => json('GET', `/api/v1/tickets?label=${COMMON_LABEL}&limit=50`, s.token('manager')),
  },
  {
    id: 'list-any-label',
    name: `list 50, any_label=${RARE_LABEL},${OTHER_LABEL} (1% + 10%)`,
    group: 'read',
    next: (s) => () =>
      json('GET', `/api/v1/tickets?any_label=${RARE_LABEL},${OTHER_LABEL}&limit=50`, s.token('manager')),
  },
  {
    id: 'my',
    name: '/tickets/my (plain user)',
    group: 'read',
    next: (s) => () => json('GET', '/api/v1/tickets/my', s.token('user')),
  },
  {
    id: 'dashboard',
    name: 'dashboard',
    group: 'read',
    optional: true,
    next: (s) => () => json('GET', '/api/v1/reports/dashboard', s.token('manager')),
  },
  {
    id: 'report-by-status',
    name: 'manager report: tickets by status',
    group: 'read',
    optional: true,
    next: (s) => () => json('GET', '/api/v1/reports/tickets-by-status', s.token('manager')),
  },
  ...WORKSPACE_SPREADS.map(workspaceSpread),
  {
    id: 'login',
    name: 'login (PBKDF2 100k)',
    group: 'auth',
    next: (s) => () =>
      json('POST', '/api/v1/auth/login', null, { email: s.emails.user, password: BENCH_PASSWORD }, loginAddress()),
  },
  {
    id: 'pbkdf2',
    name: 'reference: one PBKDF2 hash (100k), no Durable Object',
    group: 'auth',
    next: () => () => json('GET', '/__bench/pbkdf2'),
  },
  {
    id: 'create',
    name: 'create ticket (plain user)',
    group: 'write',
    next: (s) => {
      const project = cycle([...s.projectIds, null])
      let n = 0
      return () =>
        json('POST', '/api/v1/tickets', s.token('user'), {
          title: `Bench create ${++n}`,
          description: 'Created by the benchmark: the vpn drops every few minutes.',
          priority: 'high',
          department: 'IT',
          projectId: project(),
        })
    },
  },
  {
    id: 'transition',
    name: 'status transition (open ⇄ in_progress)',
    group: 'write',
    next: (s) => transitions(s, s.transitionPool),
  },
  {
    id: 'create+webhooks',
    name: 'create ticket, 3 webhooks subscribed',
    group: 'write',
    webhooks: 3,
    next: (s) => SCENARIOS.find((scenario) => scenario.id === 'create').next(s),
  },
  {
    id: 'transition+webhooks',
    name: 'status transition, 3 webhooks subscribed',
    group: 'write',
    webhooks: 3,
    next: (s) => transitions(s, s.transitionPool),
  },
  {
    id: 'create+sla',
    name: 'create ticket, SLA policies on',
    group: 'write',
    sla: SLA_POLICIES,
    next: (s) => SCENARIOS.find((scenario) => scenario.id === 'create').next(s),
  },
  {
    id: 'transition+sla',
    name: 'status transition, SLA policies on (first responses)',
    group: 'write',
    sla: SLA_POLICIES,
    prepare: async (s, settings) => {
      s.slaPool = await s.openTickets(slaPoolSize(settings))
    },
    next: (s) => transitions(s, s.slaPool),
  },
  {
    id: 'comment',
    name: 'add comment',
    group: 'write',
    next: (s) => {
      const ticket = cycle(s.commentSample)
      return () =>
        json('POST', `/api/v1/tickets/${ticket().id}/comments`, s.token('manager'), { body: 'Bench comment: on it.' })
    },
  },
  {
    id: 'transition+login',
    name: 'transitions while logins run',
    group: 'concurrent',
    firstPhaseOnly: true,
    runs: [
      { id: 'transition', next: (s) => transitions(s, s.concurrencyPool) },
      { id: 'login', next: (s) => SCENARIOS.find((scenario) => scenario.id === 'login').next(s) },
    ],
  },
]

/** The two ceilings every other scenario is measured against. */
export const REFERENCES = SCENARIOS.filter((scenario) => scenario.group === 'reference')
/** The run name of a concurrent scenario's first workload measured alone, its baseline. */
export const ALONE = 'transition alone'

/** Logins come from many client addresses, as they would in production (the limit is high anyway). */
let loginCounter = 0
export const loginAddress = () => ({
  'cf-connecting-ip': `10.${(loginCounter >> 16) & 255}.${(loginCounter >> 8) & 255}.${loginCounter++ & 255}`,
})

/**
 * Valid transitions only: each ticket of the pool is lent to one request at a time and alternates
 * open → in_progress → open, so no request can race another on the same ticket or ask for an
 * invalid transition. Tickets still lent when a run ends (answers that never came) are taken back
 * after the run with their status as the store has it (see `reclaim`, called by `slice`).
 */
function transitions(s, pool) {
  const lent = new Set()
  const next = () => {
    const ticket = pool.shift()
    if (!ticket) throw new Error('transition pool exhausted: raise the pool size or lower --connections')
    lent.add(ticket)
    const status = ticket.status === 'open' ? 'in_progress' : 'open'
    return {
      ...json('PUT', `/api/v1/tickets/${ticket.id}`, s.token('manager'), { status }),
      done: (code) => {
        if (code !== 200) return
        lent.delete(ticket)
        ticket.status = status
        pool.push(ticket)
      },
    }
  }
  next.reclaim = async () => {
    await new Promise((resolve) => setTimeout(resolve, 500)) // let abandoned requests finish
    for (const ticket of [...lent]) {
      const answer = await call(s.base, json('GET', `/api/v1/tickets/${ticket.id}`, s.token('manager')))
      lent.delete(ticket)
      if (answer.status !== 200 || !['open', 'in_progress'].includes(answer.body.status)) continue
      ticket.status = answer.body.status
      pool.push(ticket)
    }
  }
  return next
}

/** Which target a scenario is held to (a ratio to the store ceiling), or null. */
export const targetFor = (id, group) => {
  if (group === 'read') return TARGETS.read
  if (id === 'create' || id === 'transition') return TARGETS.write // comments are writes reported without one
  return null
}
