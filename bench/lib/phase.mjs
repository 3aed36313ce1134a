// One phase: fresh state, seed, every scenario, each against the two ceilings. Owns the order of
// the measurements (interleaved rounds in full runs, ceilings at the start and the end in smoke
// runs), the ratios to the ceilings and the progress lines; bench/run.mjs runs one phase per ticket
// count and reports on them all.

import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { log, round } from './common.mjs'
import { call, json, must } from './http.mjs'
import { median, setup, slice, summarize } from './measure.mjs'
import { fmt } from './report.mjs'
import { ALONE, NO_SLA_POLICIES, REFERENCES, SCENARIOS, targetFor } from './scenarios.mjs'
import { seed } from './seed.mjs'
import { startServer } from './serve.mjs'

function say(result) {
  if (result.skipped) return log(`  ${result.name}: skipped: ${result.skipped}`)
  if (result.failed) return log(`  ${result.name}: FAILED ${result.failed}`)
  const ratios = typeof result.vsStore === 'number' ? `, ${result.vsStore} × store, ${result.vsRuntime} × runtime` : ''
  const line = (r) =>
    `${typeof r.cpuMs === 'number' ? `${r.cpuMs.toFixed(2)} CPU ms/req, ` : ''}${fmt.rps(r.rps)} req/s, p50 ${fmt.ms(r.p50)} ms, p99 ${fmt.ms(r.p99)} ms`
  if (result.runs) {
    const runs = result.runs.map((run) => `${run.id}: ${line(run)}`).join('; ')
    return log(
      `  ${result.name}: ${runs}; errors ${result.errors}${result.throughputRatio ? `; ${result.throughputRatio} × transitions alone` : ''}`,
    )
  }
  log(`  ${result.name}: ${line(result)}, errors ${result.errors}${ratios}`)
}

/**
 * `bench`: the run's `settings` (bench/run.mjs), `configPath` (the bench wrangler config), `only`
 * (a set of scenario ids, or null for all) and `keepState` (keep the state directory afterwards).
 */
export async function runPhase(tickets, phaseIndex, { settings, configPath, only, keepState }) {
  const stateDir = mkdtempSync(join(settings.stateParent, 'ticketing-bench-'))
  const server = await startServer(stateDir, { configPath, assetsRouter: settings.assetsRouter })
  log(
    `\n## ${tickets.toLocaleString('en')} tickets: serving bench/out with Miniflare ${server.miniflare} on ${server.url} (state ${stateDir})`,
  )
  try {
    const wanted = (s) => s.group !== 'reference' && (!only || only.has(s.id)) && !(s.firstPhaseOnly && phaseIndex > 0)
    const {
      state,
      seconds: seedSeconds,
      total,
    } = await seed(server.url, tickets, {
      configPath,
      connections: settings.connections,
      workspaces: Math.max(0, ...SCENARIOS.filter(wanted).map((s) => s.workspaces ?? 0)),
    })
    const base = server.url
    const cpu = server.cpu
    const timing = { ...settings, cpu }
    const ceilingTiming = {
      cpu,
      duration: settings.duration,
      warmup: Math.min(settings.warmup, 0.5),
      connections: settings.connections,
    }
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
    // How often the directory is asked: by logins and creations only, so never during a scenario.
    const directoryCalls = async () => {
      const stats = await call(base, json('GET', '/__bench/directory'))
      return Object.values(stats.body ?? {}).reduce((sum, n) => sum + Number(n), 0)
    }
    const receiver = await startReceiver()
    const subscribe = async (n) => {
      const urls = Array.from({ length: n }, (_, i) => `${receiver.url}/hook-${i}`)
      const answer = await call(base, json('POST', '/__bench/webhooks', state.token('admin'), { urls }))
      if (answer.status !== 200) throw new Error(`bench webhooks: ${answer.status} ${JSON.stringify(answer.body)}`)
    }
    const setSlaPolicies = (policies) => must(base, json('PUT', '/api/v1/sla-policies', state.token('admin'), policies))
    // The SLA report's totals (today and yesterday, UTC): tickets given targets, targets met.
    const slaCounts = async () => {
      const report = await must(base, json('GET', '/api/v1/reports/sla?days=2', state.token('manager')))
      const sum = (field) => report.data.reduce((total, row) => total + row[field], 0)
      return { ticketsWithTargets: sum('ticketsWithTargets'), met: sum('met') }
    }
    for (const scenario of SCENARIOS.filter(wanted)) {
      await state.refreshTokens()
      if (scenario.webhooks) await subscribe(scenario.webhooks)
      if (scenario.sla) await setSlaPolicies(scenario.sla)
      await scenario.prepare?.(state, settings)
      const slaBefore = scenario.sla ? await slaCounts() : null
      const deliveredBefore = receiver.count()
      const directoryBefore = await directoryCalls()
      const runs = scenario.runs ?? [{ id: scenario.id, next: scenario.next }]
      const nexts = runs.map((run) => run.next(state))
      const outcome = { id: scenario.id, name: scenario.name, group: scenario.group }
      const ready = await setup(base, scenario, nexts)
      if (ready.skipped || ready.failed) {
        if (scenario.sla) await setSlaPolicies(NO_SLA_POLICIES)
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
        const baseline = alone ? (await slice(base, [alone], timing))[0] : null
        const measured = await slice(base, nexts, timing)
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
      outcome.directoryCalls = (await directoryCalls()) - directoryBefore
      if (scenario.webhooks) {
        // Deliveries run after their commits: count what arrived a moment after the last slice.
        await new Promise((resolve) => setTimeout(resolve, 2000))
        outcome.webhookDeliveries = receiver.count() - deliveredBefore
        await subscribe(0)
      }
      if (scenario.sla) {
        // What the policies did during the scenario (warm-ups and the setup request included).
        const slaAfter = await slaCounts()
        outcome.slaTicketsWithTargets = slaAfter.ticketsWithTargets - slaBefore.ticketsWithTargets
        outcome.slaTargetsMet = slaAfter.met - slaBefore.met
        await setSlaPolicies(NO_SLA_POLICIES)
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
    // CPU per request against the store no-op route's (the least a store call can cost).
    const storeCpu = referenceRows.find((row) => row.id === 'store')?.cpuMs
    for (const row of [...referenceRows, ...results, ...results.flatMap((r) => r.runs ?? [])]) {
      if (typeof row.cpuMs === 'number' && typeof storeCpu === 'number' && storeCpu > 0)
        row.cpuVsStore = round(row.cpuMs / storeCpu, 2)
    }
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
    await stopReceiver()
    if (keepState) log(`  state kept in ${stateDir}`)
    else rmSync(stateDir, { recursive: true, force: true })
  }
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

let receiverServer = null

/** A webhook receiver in this process (not the server's): answers 200 to every POST and counts them. */
async function startReceiver() {
  let count = 0
  receiverServer = createServer((request, response) => {
    request.resume()
    request.on('end', () => {
      count++
      response.writeHead(200).end('ok')
    })
  })
  await new Promise((resolve) => receiverServer.listen(0, '127.0.0.1', resolve))
  const { port } = receiverServer.address()
  return { url: `http://127.0.0.1:${port}`, count: () => count }
}

async function stopReceiver() {
  if (!receiverServer) return
  await new Promise((resolve) => receiverServer.close(resolve))
  receiverServer = null
}
