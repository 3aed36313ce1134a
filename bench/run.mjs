// `npm run bench`: measures the production bundle under the Miniflare 5 API against its own
// ceilings, as ratios measured in one run (absolute numbers on a shared machine drift).
//
//   npm run bench                    1,000 tickets; each scenario 3 × 3 s, interleaved with the ceilings
//   npm run bench -- --large         the same at 1,000 and at 100,000 tickets, plus p99 ratios
//   npm run bench:smoke              one 2 s slice per scenario, 1,000 tickets (CI); fails on any non-2xx
//
// Options: --duration S (slice), --warmup S, --rounds N, --connections N, --tickets N,
// --large-tickets N, --out FILE (default bench/results.json; smoke: bench/out/results.smoke.json),
// --readme (rewrite the results block between the bench markers of docs/performance.md, which the
// README links to; the flag keeps its old name), --keep-state,
// --assets-router (serve with Miniflare's emulated assets router in front, see bench/server.mjs),
// --profile id,id… (no table: a V8 CPU profile of each named scenario, see bench/lib/profile.mjs),
// --only id,id… (just these scenarios, with the ceilings), --state-dir DIR (where the fresh state
// directory is made; default the OS temp dir; /dev/shm takes the disk's flush out of each commit,
// see "What limits them" in docs/performance.md), --config FILE (another bench config, for
// experiments such as a variant without some binding; the production-bindings check then only warns).
//
// Steps: build bench/worker.ts with `wrangler deploy --dry-run` (bench/wrangler.bench.toml), serve it
// with bench/server.mjs in a child process on a fresh state directory, seed through the public API
// (users, projects; workspaces when a wanted scenario reads across them, e.g. `--only ws-1,ws-8,ws-64`)
// and the bench-only seed route (tickets, through the store's own createTicket), then run every
// scenario of bench/lib/scenarios.mjs with autocannon from this process. Any non-2xx
// answer, socket error or timeout fails the run (exit code 1); missed targets are reported, not fatal.

// This file is the command line: the options, the settings they make, and the run's order (build,
// one phase per ticket count, the report). What each step does lives in bench/lib/: scenarios.mjs
// (what is measured), serve.mjs (build and server), seed.mjs, measure.mjs (autocannon slices),
// phase.mjs (one phase and its ratios), report.mjs (tables, machine, the results doc) and profile.mjs.

import { writeFileSync } from 'node:fs'
import os from 'node:os'
import { join, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { DEFAULT_CONFIG, log, OUT_DIR, ROOT, round } from './lib/common.mjs'
import { runPhase } from './lib/phase.mjs'
import { profile } from './lib/profile.mjs'
import {
  apiTokenFinding,
  collectTargets,
  concurrencyFinding,
  machine,
  method,
  resultsMarkdown,
  slaFinding,
  updateResultsDoc,
  webhooksFinding,
  workspacesFinding,
} from './lib/report.mjs'
import { build, checkBindingsMatchProduction } from './lib/serve.mjs'

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

/** What the modules under bench/lib/ take from the command line, passed to them explicitly. */
const bench = { settings, configPath: BENCH_CONFIG, only: ONLY, keepState: argv['keep-state'] }

async function main() {
  const started = performance.now()
  const host = machine(settings)
  log(
    `bench (${settings.mode}): ${method(settings)}; ${settings.connections} connections; ${settings.phases.map((n) => n.toLocaleString('en')).join(' and ')} tickets`,
  )
  log(
    `machine: ${host.cpus} × ${host.cpuModel}, ${host.memoryGiB} GiB, node ${host.node}, load ${host.loadAverageAtStart.join(' ')}`,
  )
  await checkBindingsMatchProduction(BENCH_CONFIG)
  const bundle = build(BENCH_CONFIG, { minify: !argv.profile })
  if (argv.profile) return profile(argv.profile.split(','), bench)

  const phases = []
  for (const [index, tickets] of settings.phases.entries()) phases.push(await runPhase(tickets, index, bench))

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

  const targets = collectTargets(phases)
  const concurrency = concurrencyFinding(phases[0])
  const workspaces = workspacesFinding(phases[0])
  const apiToken = apiTokenFinding(phases[0])
  const webhooks = webhooksFinding(phases[0])
  const sla = slaFinding(phases[0])
  const markdown = resultsMarkdown(phases, { settings, host, concurrency, workspaces, apiToken, webhooks, sla })

  const report = {
    generatedAt: new Date().toISOString(),
    settings,
    machine: host,
    bundle,
    ok: failures.length === 0,
    failures,
    targets,
    concurrency,
    workspaces,
    apiToken,
    webhooks,
    sla,
    phases,
    seconds: round((performance.now() - started) / 1000, 1),
  }
  writeFileSync(resultsFile, `${JSON.stringify(report, null, 2)}\n`)
  log(`\n${markdown}\n`)
  for (const target of targets.filter((t) => !t.met))
    log(`target missed: ${target.phase} tickets, ${target.scenario}: ${target.kind}, measured ${target.value}`)
  log(`results: ${relative(ROOT, resultsFile)} (${report.seconds} s in all)`)
  if (argv.readme) updateResultsDoc(markdown)
  if (failures.length > 0) {
    console.error(`\nbench FAILED: every answer must be 2xx.\n${failures.join('\n')}`)
    for (const phase of phases)
      if (phase.workerErrors.length > 0) console.error(`worker errors:\n${phase.workerErrors.join('\n')}`)
    process.exitCode = 1
  }
}

await main()
