// Seeding one fresh state directory through the public API (the bootstrap admin, a manager, users,
// projects, the label catalog, and workspaces when a scenario wants them) and the bench-only seed
// route (tickets with their labels, through the store's own createTicket), and the `state` the
// scenarios draw on: tokens that renew themselves, ticket samples to read and comment on, disjoint
// pools of open tickets for the transition workloads, more open tickets on demand (`openTickets`),
// and each created workspace's admin token and tickets.

import { log } from './common.mjs'
import { json, must } from './http.mjs'
import { BENCH_PASSWORD, LABELS, loginAddress } from './scenarios.mjs'

const USERS = 20
const PROJECT_KEYS = ['BENCH', 'OPS', 'WEB']
const SEED_BATCH = 2000
const TOKEN_MAX_AGE_MS = 10 * 60 * 1000 // access tokens live 15 minutes
/**
 * Tickets in each created workspace (the seed route's usual mix: 60% open, 25% in progress, 15%
 * closed); few, since a read by id does not depend on the table's size and 64 workspaces must seed
 * in seconds (their creation, not their tickets, is most of that: about 0.1 s each here).
 */
const WORKSPACE_TICKETS = 20

/**
 * `connections`: the load's concurrency, which sizes the transition pools. `workspaces`: how many
 * workspaces to create besides `default` (the most any wanted scenario asks for; 0: none).
 */
export async function seed(base, tickets, { configPath, connections, workspaces = 0 }) {
  const started = performance.now()
  const config = (await import('wrangler')).unstable_readConfig({ config: configPath })
  const emails = {
    admin: config.vars.BOOTSTRAP_ADMIN_EMAIL,
    manager: 'bench-manager@bench.invalid',
    user: 'bench-user-01@bench.invalid',
  }
  const passwords = { admin: config.vars.BOOTSTRAP_ADMIN_PASSWORD, manager: BENCH_PASSWORD, user: BENCH_PASSWORD }
  const tokens = {}
  const login = async (who) => {
    const answer = await must(
      base,
      json('POST', '/api/v1/auth/login', null, { email: emails[who], password: passwords[who] }, loginAddress()),
    )
    tokens[who] = { value: answer.accessToken, at: Date.now() }
  }
  await login('admin') // the first login creates the bootstrap admin, as in production
  const admin = tokens.admin.value

  await must(
    base,
    json('POST', '/api/v1/users', admin, {
      name: 'Bench Manager',
      email: emails.manager,
      password: BENCH_PASSWORD,
      role: 'manager',
    }),
  )
  const userIds = []
  for (let i = 1; i <= USERS; i++) {
    const email = `bench-user-${String(i).padStart(2, '0')}@bench.invalid`
    const user = await must(
      base,
      json('POST', '/api/v1/users', admin, { name: `Bench User ${i}`, email, password: BENCH_PASSWORD, role: 'user' }),
    )
    userIds.push(user.id)
  }
  const projectIds = []
  for (const key of PROJECT_KEYS) {
    const project = await must(
      base,
      json('POST', '/api/v1/projects', admin, { key, name: `Project ${key}`, description: 'Seeded by the benchmark' }),
    )
    projectIds.push(project.id)
  }

  for (const label of LABELS) await must(base, json('POST', '/api/v1/labels', admin, label))
  const labels = LABELS.map((label) => label.name)

  let total = 0
  for (let offset = 0; offset < tickets; offset += SEED_BATCH) {
    const count = Math.min(SEED_BATCH, tickets - offset)
    const answer = await must(
      base,
      json('POST', '/__bench/seed', admin, { count, offset, projectIds, assigneeIds: userIds, labels }),
    )
    total = answer.total
    if (tickets > 10_000 && (offset / SEED_BATCH) % 10 === 9) log(`  seeded ${total.toLocaleString('en')} tickets…`)
  }
  await login('manager')
  await login('user')
  // An API token of the manager's, for the read with an API token (it outlives any run).
  const minted = await must(
    base,
    json('POST', '/api/v1/auth/tokens', tokens.manager.value, { name: 'bench', scopes: ['tickets:read'] }),
  )

  const sample = async (status, limit) =>
    must(base, json('GET', `/__bench/sample?status=${status}&limit=${limit}`, admin))
  const readSample = [
    ...(await sample('open', 600)),
    ...(await sample('in_progress', 250)),
    ...(await sample('closed', 150)),
  ]
  // Tickets for the transition workloads: disjoint pools, each ticket lent to one request at a time.
  const poolSize = Math.max(connections * 4, 64)
  const open = await sample('open', poolSize * 2 + 100)
  const transitionPool = open.slice(0, poolSize).map((t) => ({ ...t }))
  const concurrencyPool = open.slice(poolSize, poolSize * 2).map((t) => ({ ...t }))
  const commentSample = await sample('in_progress', 500)
  if (transitionPool.length < connections * 2 || concurrencyPool.length < connections * 2) {
    throw new Error('not enough open tickets for the transition pools: seed more tickets')
  }

  const spread = await seedWorkspaces(base, admin, workspaces)
  let extra = 0 // tickets made later by `openTickets`, so their pattern continues the seed's

  const seconds = (performance.now() - started) / 1000
  log(
    `seed: ${total.toLocaleString('en')} tickets, ${USERS + 2} users, ${PROJECT_KEYS.length} projects, ${LABELS.length} labels${workspaces > 0 ? `, ${workspaces} workspaces of ${WORKSPACE_TICKETS} tickets (${spread.seconds.toFixed(1)} s)` : ''} in ${seconds.toFixed(1)} s`,
  )

  const state = {
    base,
    emails,
    projectIds,
    readSample,
    commentSample,
    transitionPool,
    concurrencyPool,
    tokens,
    token: (who) => tokens[who].value,
    apiToken: minted.token,
    /** The created workspaces, in order: `{ slug, token(), tickets }`. */
    workspaces: spread.workspaces,
    /**
     * Creates `count` more tickets in `default` through the seed route, all left open, and returns
     * them (`{ id, key, status }`), for a pool made in a given setting (SLA policies on, say).
     */
    async openTickets(count) {
      const opened = []
      while (opened.length < count) {
        const spec = { count: Math.min(SEED_BATCH, count - opened.length), offset: total + extra, labels, open: true }
        const answer = await must(
          base,
          json('POST', '/__bench/seed', tokens.admin.value, { ...spec, projectIds, assigneeIds: userIds }),
        )
        extra += spec.count
        opened.push(...answer.tickets)
      }
      return opened
    },
    /** Fresh tokens before each scenario, so a long (large) run never meets an expired one. */
    async refreshTokens() {
      for (const who of Object.keys(tokens)) if (Date.now() - tokens[who].at > TOKEN_MAX_AGE_MS) await login(who)
      await spread.refreshTokens()
    },
  }
  return { state, seconds, total }
}

/**
 * Creates `count` workspaces through `POST /api/v1/workspaces` as the bootstrap admin of `default`
 * (sign-up is closed, as in production), each with its own admin, whose token from the creation
 * seeds `WORKSPACE_TICKETS` tickets there through the seed route (which acts in the token's
 * workspace) and lists them back. One PBKDF2 hash per workspace, in the Worker.
 */
async function seedWorkspaces(base, defaultAdmin, count) {
  const started = performance.now()
  const workspaces = []
  const login = async (workspace) => {
    const answer = await must(
      base,
      json(
        'POST',
        '/api/v1/auth/login',
        null,
        { email: workspace.email, password: BENCH_PASSWORD, workspace: workspace.slug },
        loginAddress(),
      ),
    )
    workspace.access = { value: answer.accessToken, at: Date.now() }
  }
  for (let i = 1; i <= count; i++) {
    const slug = `bench-ws-${String(i).padStart(2, '0')}`
    const email = `bench-admin@${slug}.invalid`
    const created = await must(
      base,
      json(
        'POST',
        '/api/v1/workspaces',
        defaultAdmin,
        { slug, name: `Bench workspace ${i}`, admin: { name: `Bench Admin ${i}`, email, password: BENCH_PASSWORD } },
        loginAddress(),
      ),
    )
    const token = created.accessToken
    await must(
      base,
      json('POST', '/__bench/seed', token, { count: WORKSPACE_TICKETS, offset: 0, projectIds: [], assigneeIds: [] }),
    )
    const listed = await must(base, json('GET', `/api/v1/tickets?limit=${WORKSPACE_TICKETS}`, token))
    const tickets = listed.map(({ id, key, status }) => ({ id, key, status }))
    if (tickets.length !== WORKSPACE_TICKETS) throw new Error(`${slug}: ${tickets.length} tickets read back`)
    const workspace = { slug, email, access: { value: token, at: Date.now() }, tickets }
    workspace.token = () => workspace.access.value
    workspaces.push(workspace)
  }
  return {
    workspaces,
    seconds: (performance.now() - started) / 1000,
    async refreshTokens() {
      for (const workspace of workspaces)
        if (Date.now() - workspace.access.at > TOKEN_MAX_AGE_MS) await login(workspace)
    },
  }
}
