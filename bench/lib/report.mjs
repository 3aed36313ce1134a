// Reporting: the Markdown tables (per phase, and where each target stands), the concurrency and
// workspace findings, the description of the method and of the machine (with the commit measured), and the
// rewrite of the results block in docs/performance.md. bench/run.mjs writes results.json from these pieces.

import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import { join } from 'node:path'
import { log, ROOT, round } from './common.mjs'
import { ALONE, SCENARIOS, TARGETS } from './scenarios.mjs'

const require = createRequire(join(ROOT, 'package.json'))

export const fmt = {
  rps: (v) => (typeof v === 'number' ? Math.round(v).toLocaleString('en') : '—'),
  ms: (v) => (typeof v === 'number' ? v.toFixed(v < 10 ? 2 : 1) : '—'),
  ratio: (v) => (typeof v === 'number' ? v.toFixed(2) : '—'),
  cpu: (v) => (typeof v === 'number' ? v.toFixed(2) : '—'),
}

function table(phase, baseline) {
  const rows = [
    `| scenario | CPU ms/req | CPU × store | req/s | p50 ms | p99 ms | errors | vs store | vs runtime | target |${baseline ? ` p99 vs ${baseline.tickets.toLocaleString('en')} |` : ''}`,
    `|---|--:|--:|--:|--:|--:|--:|--:|--:|---|${baseline ? '--:|' : ''}`,
  ]
  const scaleCell = (result) => {
    if (!baseline) return ''
    const ratio = phase.scale?.[result.id]
    return ` ${typeof ratio === 'number' ? `${ratio.toFixed(2)}${ratio <= TARGETS.scaleP99 ? '' : ' ✗'}` : '—'} |`
  }
  for (const result of phase.scenarios) {
    if (result.skipped) {
      rows.push(`| ${result.name} | skipped: ${result.skipped} | | | | | | | | |${baseline ? ' |' : ''}`)
      continue
    }
    if (result.failed) {
      rows.push(`| ${result.name} | FAILED | | | | | | | | |${baseline ? ' |' : ''}`)
      continue
    }
    if (result.runs) {
      for (const run of result.runs) {
        rows.push(
          `| ${result.name}: ${run.id} | ${fmt.cpu(run.cpuMs)} | ${fmt.ratio(run.cpuVsStore)} | ${fmt.rps(run.rps)} | ${fmt.ms(run.p50)} | ${fmt.ms(run.p99)} | ${run.errors} | ${fmt.ratio(run.vsStore)} | ${fmt.ratio(run.vsRuntime)} | |${baseline ? ' |' : ''}`,
        )
      }
      continue
    }
    const target = result.target ? `≥ ${result.target.vsStore} store ${result.target.met ? '✓' : '✗'}` : ''
    const isReference = result.group === 'reference'
    rows.push(
      `| ${result.name} | ${fmt.cpu(result.cpuMs)} | ${fmt.ratio(result.cpuVsStore)} | ${fmt.rps(result.rps)} | ${fmt.ms(result.p50)} | ${fmt.ms(result.p99)} | ${result.errors} | ${isReference && result.id !== 'store' ? '—' : fmt.ratio(result.vsStore)} | ${fmt.ratio(result.vsRuntime)} | ${target} |${scaleCell(result)}`,
    )
  }
  return rows.join('\n')
}

export function concurrencyFinding(phase) {
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

/**
 * The workspace-spread load side by side: per workspace count, total req/s, p99 overall and per
 * workspace (median and worst), errors, directory calls during the run, the store ratio, and the
 * total against the one-workspace run's (the target: at 64 workspaces ≥ 0.9 of it).
 */
export function workspacesFinding(phase) {
  const rows = phase.scenarios.filter((r) => r.group === 'workspaces' && typeof r.rps === 'number')
  if (rows.length === 0) return null
  const one = rows.find((r) => SCENARIOS.find((s) => s.id === r.id)?.workspaces === 1)
  return rows.map((r) => ({
    id: r.id,
    workspaces: SCENARIOS.find((s) => s.id === r.id)?.workspaces ?? null,
    rps: round(r.rps, 0),
    p50: round(r.p50, 1),
    p99: round(r.p99, 1),
    p99PerWorkspaceMedian: typeof r.p99PerKeyMedian === 'number' ? round(r.p99PerKeyMedian, 1) : null,
    p99PerWorkspaceWorst: typeof r.p99PerKeyWorst === 'number' ? round(r.p99PerKeyWorst, 1) : null,
    errors: r.errors,
    directoryCalls: r.directoryCalls ?? null,
    vsStore: r.vsStore,
    vsOneWorkspace:
      typeof one?.vsStore === 'number' && typeof r.vsStore === 'number' ? round(r.vsStore / one.vsStore, 2) : null,
  }))
}

/**
 * A read by id with an API token against the same read with an access token (the issue's target:
 * within 0.9 of it): the token's hash, scope and user are checked on the same store call.
 */
export function apiTokenFinding(phase) {
  const session = phase.scenarios.find((r) => r.id === 'get-by-id')
  const token = phase.scenarios.find((r) => r.id === 'get-by-id-api-token')
  if (typeof session?.vsStore !== 'number' || typeof token?.vsStore !== 'number') return null
  return { accessToken: session.vsStore, apiToken: token.vsStore, ratio: round(token.vsStore / session.vsStore, 2) }
}

/** Writes with three webhooks subscribed against the same writes without (the target: ≥ 0.9). */
export function webhooksFinding(phase) {
  const pairs = [
    ['create', 'create+webhooks'],
    ['transition', 'transition+webhooks'],
  ]
  const rows = pairs.flatMap(([plain, hooked]) => {
    const without = phase.scenarios.find((r) => r.id === plain)
    const withHooks = phase.scenarios.find((r) => r.id === hooked)
    if (typeof without?.vsStore !== 'number' || typeof withHooks?.vsStore !== 'number') return []
    return [
      {
        scenario: plain,
        without: without.vsStore,
        with: withHooks.vsStore,
        ratio: round(withHooks.vsStore / without.vsStore, 2),
        deliveries: withHooks.webhookDeliveries ?? null,
      },
    ]
  })
  return rows.length > 0 ? rows : null
}

/**
 * Writes with SLA policies on against the same writes without (the target: ≥ 0.9), with what the
 * policies did meanwhile (tickets given targets, targets met) and CPU per request on both sides.
 */
export function slaFinding(phase) {
  const pairs = [
    ['create', 'create+sla'],
    ['transition', 'transition+sla'],
  ]
  const rows = pairs.flatMap(([plain, timed]) => {
    const without = phase.scenarios.find((r) => r.id === plain)
    const withSla = phase.scenarios.find((r) => r.id === timed)
    if (typeof without?.vsStore !== 'number' || typeof withSla?.vsStore !== 'number') return []
    return [
      {
        scenario: plain,
        without: without.vsStore,
        with: withSla.vsStore,
        ratio: round(withSla.vsStore / without.vsStore, 2),
        cpuMsWithout: without.cpuMs ?? null,
        cpuMsWith: withSla.cpuMs ?? null,
        ticketsWithTargets: withSla.slaTicketsWithTargets ?? null,
        targetsMet: withSla.slaTargetsMet ?? null,
      },
    ]
  })
  return rows.length > 0 ? rows : null
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

export const method = (settings) =>
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

/** `server`: the running bench server, when there is one (it knows its Miniflare version). */
export function machine(settings, server) {
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

/** Every target in every phase, met or not: the report's `targets`. */
export function collectTargets(phases) {
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
  return targets
}

/**
 * The summary printed at the end of a run, and what `--readme` writes between the bench markers of
 * docs/performance.md.
 */
export function resultsMarkdown(phases, { settings, host, concurrency, workspaces, apiToken, webhooks, sla }) {
  return [
    ...phases.map(
      (phase, i) =>
        `**${phase.tickets.toLocaleString('en')} tickets**: the ceilings measured ${phase.ceilings.runtime.slices.length} times: runtime ${fmt.rps(phase.ceilings.runtime.min)}–${fmt.rps(phase.ceilings.runtime.max)} req/s, store ${fmt.rps(phase.ceilings.store.min)}–${fmt.rps(phase.ceilings.store.max)} req/s.\n\n${table(phase, i > 0 ? phases[0] : null)}`,
    ),
    concurrency
      ? `Concurrency (${phases[0].tickets.toLocaleString('en')} tickets): transitions ${concurrency.transitionsAlone} req/s alone, ${concurrency.transitionsWithLogins} req/s while ${concurrency.loginsWithTransitions} logins/s run (median ratio ${concurrency.throughputRatio}; p99 ${concurrency.p99Alone} → ${concurrency.p99WithLogins} ms).`
      : '',
    webhooks
      ? `Webhooks (3 endpoints subscribed to every event, a receiver in the bench process): ${webhooks.map((w) => `${w.scenario} ${fmt.ratio(w.with)} × store with them, ${fmt.ratio(w.without)} without: ${fmt.ratio(w.ratio)} (target ≥ 0.9), ${w.deliveries ?? '?'} deliveries received`).join('; ')}.`
      : '',
    sla
      ? `SLA policies (first response 60 min, resolution 8 h for every priority, paused while blocked): ${sla.map((w) => `${w.scenario} ${fmt.ratio(w.with)} × store with them, ${fmt.ratio(w.without)} without: ${fmt.ratio(w.ratio)} (target ≥ 0.9), CPU ${fmt.cpu(w.cpuMsWith)} against ${fmt.cpu(w.cpuMsWithout)} ms/req, ${w.ticketsWithTargets ?? '?'} tickets given targets, ${w.targetsMet ?? '?'} targets met`).join('; ')}.`
      : '',
    apiToken
      ? `API tokens: get ticket by id with an API token ${fmt.ratio(apiToken.apiToken)} × store, with an access token ${fmt.ratio(apiToken.accessToken)} × store: ${fmt.ratio(apiToken.ratio)} of it (target ≥ 0.9).`
      : '',
    workspaces
      ? `Workspaces (a mixed load, 3 reads by id : 1 create : 1 transition, round robin over each workspace's own tickets, as its own admin): ${workspaces.map((w) => `${w.workspaces} → ${fmt.rps(w.rps)} req/s${w.workspaces !== 1 && typeof w.vsOneWorkspace === 'number' ? ` (${fmt.ratio(w.vsOneWorkspace)} × one workspace)` : ''}, p99 ${fmt.ms(w.p99)} ms, per workspace median ${fmt.ms(w.p99PerWorkspaceMedian)} / worst ${fmt.ms(w.p99PerWorkspaceWorst)} ms, ${w.errors} errors, ${w.directoryCalls ?? '?'} directory calls`).join('; ')}.`
      : '',
    targetsTable(phases),
    `Machine: ${host.cpus} × ${host.cpuModel}, ${host.memoryGiB} GiB, ${host.os}, Node ${host.node}, wrangler ${host.wrangler}, workerd ${host.workerd}; state in ${host.stateDir}${host.stateFilesystem ? ` (${host.stateFilesystem})` : ''}; ${settings.connections} connections; ${method(settings)}. Code: ${host.commit ? `commit ${host.commit}${host.uncommittedSourceFiles ? ` with ${host.uncommittedSourceFiles} uncommitted file(s) in src/ or wrangler.toml` : ''}` : 'not a git checkout'}.`,
  ]
    .filter(Boolean)
    .join('\n\n')
}

/** Where the latest results live (the README links to it), relative to the repository root. */
export const RESULTS_DOC = 'docs/performance.md'

/** `--readme`: replaces what lies between the bench markers of docs/performance.md with `markdown`. */
export function updateResultsDoc(markdown) {
  const file = RESULTS_DOC
  const path = join(ROOT, file)
  const text = readFileSync(path, 'utf8')
  const start = '<!-- bench:results:start -->'
  const end = '<!-- bench:results:end -->'
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from) throw new Error(`${file} has no ${start} … ${end} block to update`)
  writeFileSync(path, `${text.slice(0, from + start.length)}\n${markdown}\n${text.slice(to)}`)
  // Biome formats Markdown too (`npm run lint`): align the new tables the way it wants them.
  spawnSync(join(ROOT, 'node_modules', '.bin', 'biome'), ['format', '--write', file], { cwd: ROOT })
  log(`${file}: results block updated`)
}
