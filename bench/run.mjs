// `npm run bench`: measures the production bundle under the Miniflare 5 API against its own
// ceilings, as ratios measured in one run (absolute numbers on a shared machine drift).
//
//   npm run bench                    1,000 tickets; each scenario 3 × 3 s, interleaved with the ceilings
//   npm run bench -- --large         the same at 1,000 and at 100,000 tickets, plus p99 ratios
//   npm run bench:smoke              one 2 s slice per scenario, 1,000 tickets (CI); fails on any non-2xx
//
// Options: --duration S (slice), --warmup S, --rounds N, --connections N, --tickets N,
// --large-tickets N, --out FILE (default bench/results.json; smoke: bench/out/results.smoke.json),
// --readme (rewrite the table in README.md between the bench markers), --keep-state,
// --assets-router (serve with Miniflare's emulated assets router in front, see bench/server.mjs),
// --profile id,id… (no table: a V8 CPU profile of each named scenario, see profile() below),
// --only id,id… (just these scenarios, with the ceilings), --state-dir DIR (where the fresh state
// directory is made; default the OS temp dir; /dev/shm takes the disk's flush out of each commit,
// see "What limits them" in the README), --config FILE (another bench config, for
// experiments such as a variant without some binding; the production-bindings check then only warns).
//
// Steps: build bench/worker.ts with `wrangler deploy --dry-run` (bench/wrangler.bench.toml), serve it
// with bench/server.mjs in a child process on a fresh state directory, seed through the public API
// (users, projects) and the bench-only seed route (tickets, through the store's own createTicket),
// then run every scenario below with autocannon from this process. Any non-2xx answer, socket error
// or timeout fails the run (exit code 1); missed targets are reported, not fatal.

import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire, SourceMap } from 'node:module'
import os from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const DEFAULT_CONFIG = join(ROOT, 'bench', 'wrangler.bench.toml')
const OUT_DIR = join(ROOT, 'bench', 'out')
const require = createRequire(join(ROOT, 'package.json'))

const { values: argv } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    large: { type: 'boolean', default: false },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    rounds: { type: 'string' },
    connections: { type: 'string' },
    tickets: { type: 'string' },
    'large-tickets': { type: 'string' },
    out: { type: 'string' },
    readme: { type: 'boolean', default: false },
    'keep-state': { type: 'boolean', default: false },
    'assets-router': { type: 'boolean', default: false },
    profile: { type: 'string' },
    only: { type: 'string' },
    config: { type: 'string' },
    'state-dir': { type: 'string' },
  },
})

const BENCH_CONFIG = argv.config ? resolve(argv.config) : DEFAULT_CONFIG
const ONLY = argv.only ? new Set(argv.only.split(',')) : null

const settings = {
  mode: argv.smoke ? 'smoke' : argv.large ? 'large' : 'full',
  /**
   * Full runs measure each scenario in `rounds` slices, each slice next to a fresh slice of both
   * ceilings, and take the median of the per-round ratios (robust when other work on the machine
   * comes and goes). Smoke runs measure one slice and the ceilings once at the start and the end.
   */
  rounds: Number(argv.rounds ?? (argv.smoke ? 1 : 3)),
  interleave: !argv.smoke,
  duration: Number(argv.duration ?? (argv.smoke ? 2 : 3)),
  warmup: Number(argv.warmup ?? (argv.smoke ? 0.5 : 1)),
  connections: Number(argv.connections ?? 16),
  phases: [Number(argv.tickets ?? 1000), ...(argv.large ? [Number(argv['large-tickets'] ?? 100_000)] : [])],
  assetsRouter: argv['assets-router'],
  /** Where each run's fresh state directory is made (its file system decides what a commit's flush costs). */
  stateParent: resolve(argv['state-dir'] ?? os.tmpdir()),
}
const resultsFile = argv.out ?? (argv.smoke ? join(OUT_DIR, 'results.smoke.json') : join(ROOT, 'bench', 'results.json'))

/** Targets to steer by (from the issue); reported, never fatal. */
const TARGETS = { read: 0.8, write: 0.7, scaleP99: 1.5 }

const BENCH_PASSWORD = 'bench-password-1'
const USERS = 20
const PROJECT_KEYS = ['BENCH', 'OPS', 'WEB']
const SEED_BATCH = 2000
const TOKEN_MAX_AGE_MS = 10 * 60 * 1000 // access tokens live 15 minutes

const log = (...parts) => console.log(...parts)
const round = (value, digits = 2) => (value === null || value === undefined ? null : Number(value.toFixed(digits)))

// ---------------------------------------------------------------------------------------------
// The scenarios. Data-driven: `group` decides which ceiling a scenario is compared with and which
// target applies; `optional` scenarios are skipped when their route answers 404 during setup.
// `next(state)` returns the next request; its `done(status)` is called with the answer's status.
// ---------------------------------------------------------------------------------------------

const json = (method, path, token, body, extraHeaders = {}) => ({
  method,
  path,
  headers: {
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...extraHeaders,
  },
  ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
})

/** Round robin over a list. */
const cycle = (items) => {
  let i = 0
  return () => items[i++ % items.length]
}

const SCENARIOS = [
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
  {
    id: 'login',
    name: 'login (PBKDF2 100k)',
    group: 'auth',
    next: (s) => () =>
      json('POST', '/api/v1/auth/login', null, { email: s.emails.user, password: BENCH_PASSWORD }, loginAddress()),
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

/** Logins come from many client addresses, as they would in production (the limit is high anyway). */
let loginCounter = 0
const loginAddress = () => ({
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

// ---------------------------------------------------------------------------------------------
// Build and serve
// ---------------------------------------------------------------------------------------------

/** Profiles use an unminified build, so that every function keeps its name. */
function build({ minify = true } = {}) {
  const wrangler = join(ROOT, 'node_modules', '.bin', 'wrangler')
  const started = performance.now()
  const args = ['deploy', '--dry-run', '--outdir', OUT_DIR, '-c', BENCH_CONFIG, ...(minify ? [] : ['--minify=false'])]
  const outcome = spawnSync(wrangler, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', FORCE_COLOR: '0' },
  })
  if (outcome.status !== 0) {
    process.stderr.write(outcome.stdout + outcome.stderr)
    throw new Error('bench build failed')
  }
  const size = /Total Upload: ([^\n]+)/.exec(outcome.stdout)?.[1]?.trim() ?? '?'
  log(
    `build: wrangler deploy --dry-run -c bench/wrangler.bench.toml → bench/out (${size}) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  )
  return size
}

/** The bench config must bind what production binds, or it does not measure production. */
async function checkBindingsMatchProduction() {
  const { unstable_readConfig } = await import('wrangler')
  const production = unstable_readConfig({ config: join(ROOT, 'wrangler.toml'), env: 'production' })
  const bench = unstable_readConfig({ config: BENCH_CONFIG })
  const names = (config) =>
    [
      ...(config.durable_objects?.bindings ?? []).map((b) => `durable_object:${b.name}:${b.class_name}`),
      ...(config.r2_buckets ?? []).map((b) => `r2:${b.binding}`),
      ...(config.kv_namespaces ?? []).map((b) => `kv:${b.binding}`),
      ...(config.d1_databases ?? []).map((b) => `d1:${b.binding}`),
      ...(config.ratelimits ?? []).map((b) => `ratelimit:${b.name}`),
      ...(config.queues?.producers ?? []).map((b) => `queue:${b.binding}`),
      ...(config.queues?.consumers ?? []).map((b) => `consumer:${b.queue}`),
      ...(config.send_email ?? []).map((b) => `send_email:${b.name}`),
      ...(config.services ?? []).map((b) => `service:${b.binding}`),
      ...(config.workflows ?? []).map((b) => `workflow:${b.binding}`),
      ...(config.analytics_engine_datasets ?? []).map((b) => `analytics:${b.binding}`),
      ...(config.assets?.binding ? [`assets:${config.assets.binding}`] : []),
      ...Object.keys(config.vars ?? {}).map((name) => `var:${name}`),
    ].sort()
  const benchNames = new Set(names(bench))
  const missing = names(production).filter((name) => !benchNames.has(name))
  if (missing.length > 0) {
    const message = `${relative(ROOT, BENCH_CONFIG)} is missing production bindings or vars: ${missing.join(', ')}`
    if (BENCH_CONFIG !== DEFAULT_CONFIG) log(`warning: ${message}`)
    else throw new Error(message)
  }
  if (bench.vars?.ENVIRONMENT !== 'production')
    throw new Error('the bench build must run with ENVIRONMENT = "production"')
}

async function startServer(stateDir, { inspectorPort } = {}) {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bench', 'server.mjs'),
      BENCH_CONFIG,
      OUT_DIR,
      stateDir,
      ...(settings.assetsRouter ? ['--assets-router'] : []),
      ...(inspectorPort ? [`--inspector-port=${inspectorPort}`] : []),
    ],
    {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    },
  )
  const workerErrors = []
  createInterface({ input: child.stderr }).on('line', (line) => {
    workerErrors.push(line)
    if (workerErrors.length > 50) workerErrors.shift()
  })
  const ready = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout })
    lines.once('line', (line) => resolve(JSON.parse(line)))
    child.once('exit', (code) => reject(new Error(`bench server exited (${code}): ${workerErrors.join('\n')}`)))
  })
  return {
    url: ready.url.replace(/\/$/, ''),
    miniflare: ready.miniflare,
    pid: child.pid,
    workerErrors,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.stdin.end()
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Seeding, through the public API and the bench seed route
// ---------------------------------------------------------------------------------------------

async function call(base, request) {
  const response = await fetch(base + request.path, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  })
  const text = await response.text()
  let body = text
  try {
    body = JSON.parse(text)
  } catch {}
  return { status: response.status, body }
}

async function must(base, request, expected = [200, 201]) {
  const answer = await call(base, request)
  if (!expected.includes(answer.status)) {
    throw new Error(
      `${request.method} ${request.path} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 400)}`,
    )
  }
  return answer.body
}

async function seed(base, tickets) {
  const started = performance.now()
  const config = (await import('wrangler')).unstable_readConfig({ config: BENCH_CONFIG })
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

  let total = 0
  for (let offset = 0; offset < tickets; offset += SEED_BATCH) {
    const count = Math.min(SEED_BATCH, tickets - offset)
    const answer = await must(
      base,
      json('POST', '/__bench/seed', admin, { count, offset, projectIds, assigneeIds: userIds }),
    )
    total = answer.total
    if (tickets > 10_000 && (offset / SEED_BATCH) % 10 === 9) log(`  seeded ${total.toLocaleString('en')} tickets…`)
  }
  await login('manager')
  await login('user')

  const sample = async (status, limit) =>
    must(base, json('GET', `/__bench/sample?status=${status}&limit=${limit}`, admin))
  const readSample = [
    ...(await sample('open', 600)),
    ...(await sample('in_progress', 250)),
    ...(await sample('closed', 150)),
  ]
  // Tickets for the transition workloads: disjoint pools, each ticket lent to one request at a time.
  const poolSize = Math.max(settings.connections * 4, 64)
  const open = await sample('open', poolSize * 2 + 100)
  const transitionPool = open.slice(0, poolSize).map((t) => ({ ...t }))
  const concurrencyPool = open.slice(poolSize, poolSize * 2).map((t) => ({ ...t }))
  const commentSample = await sample('in_progress', 500)
  if (transitionPool.length < settings.connections * 2 || concurrencyPool.length < settings.connections * 2) {
    throw new Error('not enough open tickets for the transition pools: seed more tickets')
  }

  const seconds = (performance.now() - started) / 1000
  log(
    `seed: ${total.toLocaleString('en')} tickets, ${USERS + 2} users, ${PROJECT_KEYS.length} projects in ${seconds.toFixed(1)} s`,
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
    /** Fresh tokens before each scenario, so a long (large) run never meets an expired one. */
    async refreshTokens() {
      for (const who of Object.keys(tokens)) if (Date.now() - tokens[who].at > TOKEN_MAX_AGE_MS) await login(who)
    },
  }
  return { state, seconds, total }
}

// ---------------------------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------------------------

function percentile(sorted, p) {
  if (sorted.length === 0) return null
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[index]
}

const median = (values) => {
  const sorted = values.filter((v) => typeof v === 'number').sort((a, b) => a - b)
  if (sorted.length === 0) return null
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** One autocannon run; latencies measured per response (sub-millisecond), 2xx only. */
function load(base, next, seconds) {
  return new Promise((resolve, reject) => {
    const latencies = []
    const statuses = {}
    const failures = []
    const instance = autocannon(
      {
        url: base,
        connections: settings.connections,
        duration: seconds,
        timeout: 30,
        requests: [
          {
            setupRequest: (request, context) => {
              const { done, ...built } = next()
              context.done = done
              context.request = `${built.method} ${built.path}`
              return { ...request, ...built }
            },
            onResponse: (status, body, context) => {
              context.done?.(status)
              if ((status < 200 || status > 299) && failures.length < 5) {
                failures.push({ request: context.request, status, body: String(body).slice(0, 300) })
              }
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error)
        resolve({
          seconds: result.duration,
          latencies,
          errors: result.non2xx + result.errors,
          timeouts: result.timeouts,
          statuses,
          failures,
        })
      },
    )
    instance.on('response', (_client, status, _bytes, responseTime) => {
      statuses[status] = (statuses[status] ?? 0) + 1
      if (status >= 200 && status < 300) latencies.push(responseTime)
    })
  })
}

/** Several measured slices of one workload as one result: req/s over all of them, merged latencies. */
function summarize(slices) {
  const latencies = slices.flatMap((slice) => slice.latencies).sort((a, b) => a - b)
  const seconds = slices.reduce((sum, slice) => sum + slice.seconds, 0)
  const statuses = {}
  for (const slice of slices)
    for (const [code, n] of Object.entries(slice.statuses)) statuses[code] = (statuses[code] ?? 0) + n
  const failures = slices.flatMap((slice) => slice.failures).slice(0, 5)
  return {
    requests: latencies.length,
    seconds: round(seconds, 2),
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    /** The median of the slices' own p99s: what the scale ratio uses, so one disturbed slice cannot decide it. */
    p99OfSlices: median(
      slices.map((slice) =>
        percentile(
          [...slice.latencies].sort((a, b) => a - b),
          99,
        ),
      ),
    ),
    errors: slices.reduce((sum, slice) => sum + slice.errors, 0),
    timeouts: slices.reduce((sum, slice) => sum + slice.timeouts, 0),
    statuses,
    ...(failures.length > 0 && { failures }),
    slices: slices.map((slice) => round(slice.latencies.length / slice.seconds, 1)),
  }
}

/** Sends one request of each run; tells whether the scenario can run (optional routes may be absent). */
async function setup(base, scenario, nexts) {
  for (const next of nexts) {
    const { done, ...request } = next()
    const answer = await call(base, request)
    done?.(answer.status)
    if (answer.status === 404 && scenario.optional) return { skipped: 'route not present (404)' }
    if (answer.status < 200 || answer.status > 299) {
      return {
        failed: `setup: ${request.method} ${request.path} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`,
      }
    }
  }
  return {}
}

/** A warm-up (its errors count too), then one measured slice; all runs of a scenario at once. */
async function slice(base, nexts, timing) {
  const reclaim = () => Promise.all(nexts.map((next) => next.reclaim?.()))
  const warm = await Promise.all(nexts.map((next) => load(base, next, timing.warmup)))
  await reclaim()
  const measured = await Promise.all(nexts.map((next) => load(base, next, timing.duration)))
  await reclaim()
  return measured.map((run, i) => ({
    ...run,
    errors: run.errors + warm[i].errors,
    failures: [...warm[i].failures, ...run.failures],
  }))
}

// ---------------------------------------------------------------------------------------------
// One phase: fresh state, seed, every scenario, each against the two ceilings
// ---------------------------------------------------------------------------------------------

const REFERENCES = SCENARIOS.filter((scenario) => scenario.group === 'reference')
const ALONE = 'transition alone'

function say(result) {
  if (result.skipped) return log(`  ${result.name}: skipped: ${result.skipped}`)
  if (result.failed) return log(`  ${result.name}: FAILED ${result.failed}`)
  const ratios = typeof result.vsStore === 'number' ? `, ${result.vsStore} × store, ${result.vsRuntime} × runtime` : ''
  const line = (r) => `${fmt.rps(r.rps)} req/s, p50 ${fmt.ms(r.p50)} ms, p99 ${fmt.ms(r.p99)} ms`
  if (result.runs) {
    const runs = result.runs.map((run) => `${run.id}: ${line(run)}`).join('; ')
    return log(
      `  ${result.name}: ${runs}; errors ${result.errors}${result.throughputRatio ? `; ${result.throughputRatio} × transitions alone` : ''}`,
    )
  }
  log(`  ${result.name}: ${line(result)}, errors ${result.errors}${ratios}`)
}

async function runPhase(tickets, phaseIndex) {
  const stateDir = mkdtempSync(join(settings.stateParent, 'ticketing-bench-'))
  const server = await startServer(stateDir)
  log(
    `\n## ${tickets.toLocaleString('en')} tickets: serving bench/out with Miniflare ${server.miniflare} on ${server.url} (state ${stateDir})`,
  )
  try {
    const { state, seconds: seedSeconds, total } = await seed(server.url, tickets)
    const base = server.url
    const ceilingTiming = { duration: settings.duration, warmup: Math.min(settings.warmup, 0.5) }
    const references = Object.fromEntries(REFERENCES.map((scenario) => [scenario.id, scenario.next(state)]))
    const ceilingSlices = { runtime: [], store: [] }
    const measureCeilings = async () => {
      const measured = {}
      for (const id of Object.keys(references)) {
        ;[measured[id]] = await slice(base, [references[id]], ceilingTiming)
        ceilingSlices[id].push(measured[id])
      }
      return measured
    }
    const rate = (run) => run.latencies.length / run.seconds

    const results = []
    const pending = [] // smoke: results waiting for the ceilings at the end
    const start = settings.interleave ? null : await measureCeilings()
    const wanted = (s) => s.group !== 'reference' && (!ONLY || ONLY.has(s.id)) && !(s.firstPhaseOnly && phaseIndex > 0)
    for (const scenario of SCENARIOS.filter(wanted)) {
      await state.refreshTokens()
      const runs = scenario.runs ?? [{ id: scenario.id, next: scenario.next }]
      const nexts = runs.map((run) => run.next(state))
      const outcome = { id: scenario.id, name: scenario.name, group: scenario.group }
      const ready = await setup(base, scenario, nexts)
      if (ready.skipped || ready.failed) {
        results.push({ ...outcome, ...ready })
        say(results.at(-1))
        continue
      }
      // A concurrent scenario also measures its first workload alone in each round, as its baseline.
      const alone = scenario.runs ? runs[0].next(state) : null
      const rounds = []
      for (let r = 0; r < settings.rounds; r++) {
        await state.refreshTokens()
        const ceilings = settings.interleave ? await measureCeilings() : null
        const baseline = alone ? (await slice(base, [alone], settings))[0] : null
        const measured = await slice(base, nexts, settings)
        rounds.push({ ceilings, baseline, measured })
      }
      const perRun = runs.map((run, i) => ({ id: run.id, ...summarize(rounds.map((round) => round.measured[i])) }))
      Object.assign(outcome, perRun.length === 1 ? perRun[0] : { runs: perRun })
      outcome.errors = perRun.reduce((sum, run) => sum + run.errors, 0)
      if (alone) {
        const baseline = { id: ALONE, ...summarize(rounds.map((round) => round.baseline)) }
        outcome.runs.unshift(baseline)
        outcome.errors += baseline.errors
        outcome.throughputRatio = round(
          median(rounds.map((round) => rate(round.measured[0]) / rate(round.baseline))),
          2,
        )
      }
      const ratiosOf = (ceilings) => (measured) => ({
        store: rate(measured) / ceilings.store,
        runtime: rate(measured) / ceilings.runtime,
      })
      const rates = (ceilings) => ({ store: rate(ceilings.store), runtime: rate(ceilings.runtime) })
      if (settings.interleave) {
        applyRatios(
          outcome,
          rounds.map((round) => round.measured.map(ratiosOf(rates(round.ceilings)))),
        )
        say(outcome)
      } else {
        pending.push((ceilings) => {
          applyRatios(
            outcome,
            rounds.map((round) => round.measured.map(ratiosOf(ceilings))),
          )
          say(outcome)
        })
      }
      results.push(outcome)
    }
    if (!settings.interleave) {
      // Smoke: every ratio against the mean of the ceilings at the start and at the end.
      const end = await measureCeilings()
      const ceilings = {}
      for (const id of Object.keys(references)) ceilings[id] = (rate(start[id]) + rate(end[id])) / 2
      for (const finish of pending) finish(ceilings)
    }

    const referenceRows = REFERENCES.map((scenario) => {
      const row = {
        id: scenario.id,
        name: scenario.name,
        group: scenario.group,
        ...summarize(ceilingSlices[scenario.id]),
      }
      row.vsRuntime = round(row.rps / summarize(ceilingSlices.runtime).rps, 2)
      row.vsStore = scenario.id === 'store' ? 1 : null
      return row
    })
    for (const row of referenceRows) say(row)
    return {
      tickets,
      ticketsSeeded: total,
      seedSeconds: round(seedSeconds, 1),
      ceilings: Object.fromEntries(
        referenceRows.map((row) => [
          row.id,
          { rps: round(row.rps, 0), slices: row.slices, min: Math.min(...row.slices), max: Math.max(...row.slices) },
        ]),
      ),
      scenarios: [...referenceRows, ...results],
      workerErrors: [...server.workerErrors],
    }
  } finally {
    await server.stop()
    if (argv['keep-state']) log(`  state kept in ${stateDir}`)
    else rmSync(stateDir, { recursive: true, force: true })
  }
}

const targetFor = (id, group) => {
  if (group === 'read') return TARGETS.read
  if (id === 'create' || id === 'transition') return TARGETS.write // comments are writes reported without one
  return null
}

/** Ratios: the median over rounds of (scenario req/s ÷ ceiling req/s measured in the same round). */
function applyRatios(outcome, perRound) {
  const targets = outcome.runs ?? [outcome]
  const offset = outcome.runs && outcome.runs[0].id === ALONE ? 1 : 0
  targets.forEach((target, i) => {
    if (i < offset) return
    const ratios = perRound.map((round) => round[i - offset])
    target.vsStore = round(median(ratios.map((r) => r.store)), 2)
    target.vsRuntime = round(median(ratios.map((r) => r.runtime)), 2)
    target.vsStoreRounds = ratios.map((r) => round(r.store, 2))
  })
  const target = targetFor(outcome.id, outcome.group)
  if (target !== null && typeof outcome.vsStore === 'number') {
    outcome.target = { vsStore: target, met: outcome.vsStore >= target }
  }
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const fmt = {
  rps: (v) => (typeof v === 'number' ? Math.round(v).toLocaleString('en') : '—'),
  ms: (v) => (typeof v === 'number' ? v.toFixed(v < 10 ? 2 : 1) : '—'),
  ratio: (v) => (typeof v === 'number' ? v.toFixed(2) : '—'),
}

function table(phase, baseline) {
  const rows = [
    `| scenario | req/s | p50 ms | p99 ms | errors | vs store | vs runtime | target |${baseline ? ` p99 vs ${baseline.tickets.toLocaleString('en')} |` : ''}`,
    `|---|--:|--:|--:|--:|--:|--:|---|${baseline ? '--:|' : ''}`,
  ]
  const scaleCell = (result) => {
    if (!baseline) return ''
    const ratio = phase.scale?.[result.id]
    return ` ${typeof ratio === 'number' ? `${ratio.toFixed(2)}${ratio <= TARGETS.scaleP99 ? '' : ' ✗'}` : '—'} |`
  }
  for (const result of phase.scenarios) {
    if (result.skipped) {
      rows.push(`| ${result.name} | skipped: ${result.skipped} | | | | | | |${baseline ? ' |' : ''}`)
      continue
    }
    if (result.failed) {
      rows.push(`| ${result.name} | FAILED | | | | | | |${baseline ? ' |' : ''}`)
      continue
    }
    if (result.runs) {
      for (const run of result.runs) {
        rows.push(
          `| ${result.name}: ${run.id} | ${fmt.rps(run.rps)} | ${fmt.ms(run.p50)} | ${fmt.ms(run.p99)} | ${run.errors} | ${fmt.ratio(run.vsStore)} | ${fmt.ratio(run.vsRuntime)} | |${baseline ? ' |' : ''}`,
        )
      }
      continue
    }
    const target = result.target ? `≥ ${result.target.vsStore} store ${result.target.met ? '✓' : '✗'}` : ''
    const isReference = result.group === 'reference'
    rows.push(
      `| ${result.name} | ${fmt.rps(result.rps)} | ${fmt.ms(result.p50)} | ${fmt.ms(result.p99)} | ${result.errors} | ${isReference && result.id !== 'store' ? '—' : fmt.ratio(result.vsStore)} | ${fmt.ratio(result.vsRuntime)} | ${target} |${scaleCell(result)}`,
    )
  }
  return rows.join('\n')
}

function concurrencyFinding(phase) {
  const together = phase.scenarios.find((r) => r.id === 'transition+login')
  const run = (id) => together?.runs?.find((r) => r.id === id)
  if (!run(ALONE)?.rps || !run('transition')?.rps) return null
  return {
    transitionsAlone: round(run(ALONE).rps, 0),
    transitionsWithLogins: round(run('transition').rps, 0),
    throughputRatio: together.throughputRatio,
    p99Alone: round(run(ALONE).p99, 1),
    p99WithLogins: round(run('transition').p99, 1),
    loginsAlone: round(phase.scenarios.find((r) => r.id === 'login')?.rps, 1),
    loginsWithTransitions: round(run('login')?.rps, 1),
  }
}

/** Where each target stands, per phase: the value of every scenario it applies to. */
function targetsTable(phases) {
  const mark = (met) => (met ? '✓' : '✗')
  const cells = (phase, pick) => phase.scenarios.map(pick).filter(Boolean).join(', ') || '—'
  const rows = [
    [
      `reads ≥ ${TARGETS.read} × store`,
      (phase) =>
        cells(phase, (r) => r.group === 'read' && r.target && `${r.id} ${fmt.ratio(r.vsStore)} ${mark(r.target.met)}`),
    ],
    [
      `creates, transitions ≥ ${TARGETS.write} × store`,
      (phase) =>
        cells(phase, (r) => r.group === 'write' && r.target && `${r.id} ${fmt.ratio(r.vsStore)} ${mark(r.target.met)}`),
    ],
    [
      `p99 ≤ ${TARGETS.scaleP99} × p99 at ${phases[0].tickets.toLocaleString('en')}`,
      (phase) =>
        cells(phase, (r) => {
          const ratio = phase.scale?.[r.id]
          return (
            r.group !== 'reference' &&
            typeof ratio === 'number' &&
            `${r.id} ${fmt.ratio(ratio)} ${mark(ratio <= TARGETS.scaleP99)}`
          )
        }),
    ],
    [
      'no errors (any non-2xx fails the run)',
      (phase) => {
        const errors = phase.scenarios.reduce((sum, r) => sum + (r.errors ?? 0), 0)
        return `${errors} ${mark(errors === 0)}`
      },
    ],
  ]
  const header = `| target | ${phases.map((phase) => `${phase.tickets.toLocaleString('en')} tickets`).join(' | ')} |`
  const rule = `|---|${phases.map(() => '---').join('|')}|`
  return [header, rule, ...rows.map(([name, value]) => `| ${name} | ${phases.map(value).join(' | ')} |`)].join('\n')
}

const method = () =>
  settings.interleave
    ? `each scenario ${settings.rounds} × ${settings.duration} s, each slice after a ${settings.warmup} s warm-up and next to a fresh ${settings.duration} s slice of both ceilings; ratios are the median of the per-slice ratios, and the p99 scale ratio compares the medians of the per-slice p99s`
    : `each scenario ${settings.rounds} × ${settings.duration} s after a ${settings.warmup} s warm-up; ratios against the mean of the ceilings measured at the start and at the end`

/** Which code was measured: the commit, and whether src/ had uncommitted changes (read-only git). */
function sourceVersion() {
  const git = (...args) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' })
  const head = git('rev-parse', '--short', 'HEAD')
  if (head.status !== 0) return {}
  const changed = git('status', '--porcelain', '--', 'src', 'wrangler.toml').stdout.split('\n').filter(Boolean).length
  return { commit: head.stdout.trim(), uncommittedSourceFiles: changed }
}

function machine(server) {
  const cpus = os.cpus()
  const version = (name) => {
    try {
      return createRequire(require.resolve('wrangler/package.json'))(`${name}/package.json`).version
    } catch {
      return require(`${name}/package.json`).version
    }
  }
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model?.trim(),
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    wrangler: require('wrangler/package.json').version,
    miniflare: server?.miniflare ?? version('miniflare'),
    workerd: version('workerd'),
    autocannon: require('autocannon/package.json').version,
    ...sourceVersion(),
    stateDir: settings.stateParent,
    stateFilesystem:
      spawnSync('stat', ['-f', '-c', '%T', settings.stateParent], { encoding: 'utf8' }).stdout?.trim() || null,
    loadAverageAtStart: os.loadavg().map((v) => round(v, 2)),
  }
}

function updateReadme(markdown) {
  const path = join(ROOT, 'README.md')
  const text = readFileSync(path, 'utf8')
  const start = '<!-- bench:results:start -->'
  const end = '<!-- bench:results:end -->'
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} block to update`)
  writeFileSync(path, `${text.slice(0, from + start.length)}\n${markdown}\n${text.slice(to)}`)
  // Biome formats Markdown too (`npm run lint`): align the new tables the way it wants them.
  spawnSync(join(ROOT, 'node_modules', '.bin', 'biome'), ['format', '--write', 'README.md'], { cwd: ROOT })
  log('README.md: results block updated')
}

// ---------------------------------------------------------------------------------------------
// Profiling (`--profile id,id…`): a V8 CPU profile of the Worker's isolate (the Worker and the
// Durable Object run in the same isolate and, locally, on the same thread) while one scenario runs,
// written to bench/out/profile-<id>.cpuprofile (open it in Chrome DevTools) and summarized through
// the bundle's source map: self time by function and by source file, and how much of the time was
// spent inside the Durable Object's methods (any frame from src/store/) versus outside them.
// ---------------------------------------------------------------------------------------------

async function inspector(port) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/core:user:app`)
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true })
    socket.addEventListener('error', reject, { once: true })
  })
  let id = 0
  const waiting = new Map()
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data))
    if (message.id && waiting.has(message.id)) {
      waiting.get(message.id)(message)
      waiting.delete(message.id)
    }
  })
  return {
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const messageId = ++id
        waiting.set(messageId, (message) =>
          message.error ? reject(new Error(message.error.message)) : resolve(message.result),
        )
        socket.send(JSON.stringify({ id: messageId, method, params }))
      }),
    close: () => socket.close(),
  }
}

function summarizeProfile(profile, sourceMap) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const origin = new Map()
  const where = (node) => {
    if (origin.has(node.id)) return origin.get(node.id)
    const frame = node.callFrame
    let place = { fn: frame.functionName || '(anonymous)', file: frame.url ? 'bundle' : '(native)' }
    if (frame.url?.endsWith('worker.js') && sourceMap) {
      const entry = sourceMap.findEntry(frame.lineNumber, frame.columnNumber)
      if (entry?.originalSource) {
        const file = entry.originalSource.replace(/^.*?\/(src|bench|node_modules)\//, '$1/')
        place = { fn: `${entry.name ?? frame.functionName ?? '(anonymous)'} ${file}:${entry.originalLine + 1}`, file }
      }
    } else if (!frame.url) {
      place = {
        fn: frame.functionName || '(anonymous)',
        file: frame.functionName.startsWith('(') ? frame.functionName : '(native)',
      }
    }
    origin.set(node.id, place)
    return place
  }
  const total = profile.timeDeltas.reduce((sum, delta) => sum + delta, 0)
  const selfByFunction = new Map()
  const selfByFile = new Map()
  let busy = 0
  let inStore = 0
  let hashingInStore = 0
  let hashing = 0
  profile.samples.forEach((sampleId, i) => {
    const time = profile.timeDeltas[i] ?? 0
    const node = byId.get(sampleId)
    const place = where(node)
    selfByFunction.set(place.fn, (selfByFunction.get(place.fn) ?? 0) + time)
    selfByFile.set(place.file, (selfByFile.get(place.file) ?? 0) + time)
    if (place.file === '(idle)') return
    busy += time
    let storeFrame = false
    let passwordFrame = false
    for (let at = sampleId; at !== undefined; at = parent.get(at)) {
      const file = where(byId.get(at)).file
      // src/store/client.ts is the Worker's side of the RPC; everything else in src/store runs in the object.
      if (file.startsWith('src/store/') && file !== 'src/store/client.ts') storeFrame = true
      if (file === 'src/auth/password.ts') passwordFrame = true
    }
    if (storeFrame) inStore += time
    if (passwordFrame) hashing += time
    if (passwordFrame && storeFrame) hashingInStore += time
  })
  const top = (map, n) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, time]) => ({ name, ms: round(time / 1000, 1), share: round(time / total, 3) }))
  return {
    sampledMs: round(total / 1000, 0),
    busyShare: round(busy / total, 3),
    storeShareOfBusy: round(inStore / busy, 3),
    passwordHashingShareOfBusy: round(hashing / busy, 3),
    passwordHashingInsideStoreMs: round(hashingInStore / 1000, 1),
    topFunctions: top(selfByFunction, 25),
    topFiles: top(selfByFile, 15),
  }
}

async function profile(ids) {
  const port = 9400 + Math.floor(Math.random() * 500)
  const stateDir = mkdtempSync(join(settings.stateParent, 'ticketing-bench-'))
  const server = await startServer(stateDir, { inspectorPort: port })
  const mapFile = join(OUT_DIR, 'worker.js.map')
  const sourceMap = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')))
  try {
    const { state } = await seed(server.url, settings.phases[0])
    const devtools = await inspector(port)
    await devtools.send('Profiler.enable')
    await devtools.send('Profiler.setSamplingInterval', { interval: 200 })
    for (const id of ids) {
      const scenario = SCENARIOS.find((s) => s.id === id)
      if (!scenario) throw new Error(`no scenario ${id}: ${SCENARIOS.map((s) => s.id).join(', ')}`)
      await state.refreshTokens()
      const nexts = (scenario.runs ?? [scenario]).map((run) => run.next(state))
      const ready = await setup(server.url, scenario, nexts)
      if (ready.skipped || ready.failed) {
        log(`${id}: ${ready.skipped ?? ready.failed}`)
        continue
      }
      await Promise.all(nexts.map((next) => load(server.url, next, settings.warmup)))
      await devtools.send('Profiler.start')
      const measured = await Promise.all(nexts.map((next) => load(server.url, next, settings.duration)))
      const { profile: cpu } = await devtools.send('Profiler.stop')
      const file = join(OUT_DIR, `profile-${id}.cpuprofile`)
      writeFileSync(file, JSON.stringify(cpu))
      const summary = summarizeProfile(cpu, sourceMap)
      const rates = measured.map((run) => `${fmt.rps(run.latencies.length / run.seconds)} req/s`).join(' + ')
      log(`\n### ${scenario.name}: ${rates}, profile ${relative(ROOT, file)}`)
      log(
        `busy ${(summary.busyShare * 100).toFixed(1)}% of ${summary.sampledMs} ms sampled; of the busy time: ${(summary.storeShareOfBusy * 100).toFixed(1)}% inside the Durable Object (src/store), ${(summary.passwordHashingShareOfBusy * 100).toFixed(1)}% password hashing (src/auth/password.ts), of which ${summary.passwordHashingInsideStoreMs} ms inside the Durable Object`,
      )
      log('self time by source file:')
      for (const row of summary.topFiles)
        log(`  ${(row.share * 100).toFixed(1).padStart(5)}%  ${row.ms} ms  ${row.name}`)
      log('self time by function:')
      for (const row of summary.topFunctions)
        log(`  ${(row.share * 100).toFixed(1).padStart(5)}%  ${row.ms} ms  ${row.name}`)
      writeFileSync(join(OUT_DIR, `profile-${id}.summary.json`), `${JSON.stringify(summary, null, 2)}\n`)
    }
    devtools.close()
  } finally {
    await server.stop()
    if (argv['keep-state']) log(`state kept in ${stateDir}`)
    else rmSync(stateDir, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const started = performance.now()
  const host = machine()
  log(
    `bench (${settings.mode}): ${method()}; ${settings.connections} connections; ${settings.phases.map((n) => n.toLocaleString('en')).join(' and ')} tickets`,
  )
  log(
    `machine: ${host.cpus} × ${host.cpuModel}, ${host.memoryGiB} GiB, node ${host.node}, load ${host.loadAverageAtStart.join(' ')}`,
  )
  await checkBindingsMatchProduction()
  const bundle = build({ minify: !argv.profile })
  if (argv.profile) return profile(argv.profile.split(','))

  const phases = []
  for (const [index, tickets] of settings.phases.entries()) phases.push(await runPhase(tickets, index))

  if (phases.length > 1) {
    const [small, large] = phases
    large.scale = {}
    for (const result of large.scenarios) {
      const before = small.scenarios.find((r) => r.id === result.id)
      if (typeof result.p99OfSlices === 'number' && typeof before?.p99OfSlices === 'number')
        large.scale[result.id] = round(result.p99OfSlices / before.p99OfSlices, 2)
    }
  }

  const failures = []
  for (const phase of phases) {
    for (const result of phase.scenarios) {
      if (result.failed) failures.push(`${phase.tickets} tickets, ${result.name}: ${result.failed}`)
      else if (result.errors > 0)
        failures.push(
          `${phase.tickets} tickets, ${result.name}: ${result.errors} errors ${JSON.stringify(result.failures ?? result.statuses)}`,
        )
    }
  }

  const targets = []
  for (const phase of phases) {
    for (const result of phase.scenarios.filter((r) => r.target)) {
      targets.push({
        phase: phase.tickets,
        scenario: result.id,
        kind: `vsStore ≥ ${result.target.vsStore}`,
        value: result.vsStore,
        met: result.target.met,
      })
    }
    for (const [id, ratio] of Object.entries(phase.scale ?? {})) {
      if (phase.scenarios.find((r) => r.id === id)?.group === 'reference') continue
      targets.push({
        phase: phase.tickets,
        scenario: id,
        kind: `p99 vs ${phases[0].tickets} tickets ≤ ${TARGETS.scaleP99}`,
        value: ratio,
        met: ratio <= TARGETS.scaleP99,
      })
    }
  }

  const concurrency = concurrencyFinding(phases[0])
  const markdown = [
    ...phases.map(
      (phase, i) =>
        `**${phase.tickets.toLocaleString('en')} tickets**: the ceilings measured ${phase.ceilings.runtime.slices.length} times: runtime ${fmt.rps(phase.ceilings.runtime.min)}–${fmt.rps(phase.ceilings.runtime.max)} req/s, store ${fmt.rps(phase.ceilings.store.min)}–${fmt.rps(phase.ceilings.store.max)} req/s.\n\n${table(phase, i > 0 ? phases[0] : null)}`,
    ),
    concurrency
      ? `Concurrency (${phases[0].tickets.toLocaleString('en')} tickets): transitions ${concurrency.transitionsAlone} req/s alone, ${concurrency.transitionsWithLogins} req/s while ${concurrency.loginsWithTransitions} logins/s run (median ratio ${concurrency.throughputRatio}; p99 ${concurrency.p99Alone} → ${concurrency.p99WithLogins} ms).`
      : '',
    targetsTable(phases),
    `Machine: ${host.cpus} × ${host.cpuModel}, ${host.memoryGiB} GiB, ${host.os}, Node ${host.node}, wrangler ${host.wrangler}, workerd ${host.workerd}; state in ${host.stateDir}${host.stateFilesystem ? ` (${host.stateFilesystem})` : ''}; ${settings.connections} connections; ${method()}. Code: ${host.commit ? `commit ${host.commit}${host.uncommittedSourceFiles ? ` with ${host.uncommittedSourceFiles} uncommitted file(s) in src/ or wrangler.toml` : ''}` : 'not a git checkout'}.`,
  ]
    .filter(Boolean)
    .join('\n\n')

  const report = {
    generatedAt: new Date().toISOString(),
    settings,
    machine: host,
    bundle,
    ok: failures.length === 0,
    failures,
    targets,
    concurrency,
    phases,
    seconds: round((performance.now() - started) / 1000, 1),
  }
  writeFileSync(resultsFile, `${JSON.stringify(report, null, 2)}\n`)
  log(`\n${markdown}\n`)
  for (const target of targets.filter((t) => !t.met))
    log(`target missed: ${target.phase} tickets, ${target.scenario}: ${target.kind}, measured ${target.value}`)
  log(`results: ${relative(ROOT, resultsFile)} (${report.seconds} s in all)`)
  if (argv.readme) updateReadme(markdown)
  if (failures.length > 0) {
    console.error(`\nbench FAILED: every answer must be 2xx.\n${failures.join('\n')}`)
    for (const phase of phases)
      if (phase.workerErrors.length > 0) console.error(`worker errors:\n${phase.workerErrors.join('\n')}`)
    process.exitCode = 1
  }
}

await main()
