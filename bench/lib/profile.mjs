// Profiling (`--profile id,id…`): a V8 CPU profile of the Worker's isolate (the Worker and the
// Durable Object run in the same isolate and, locally, on the same thread) while one scenario runs,
// written to bench/out/profile-<id>.cpuprofile (open it in Chrome DevTools) and summarized through
// the bundle's source map: self time by function and by source file, and how much of the time was
// spent inside the Durable Object's methods (any frame from src/store/) versus outside them.
// bench/run.mjs calls `profile` instead of measuring phases; it prints no table.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { join, relative } from 'node:path'
import { log, OUT_DIR, ROOT, round } from './common.mjs'
import { json, must } from './http.mjs'
import { load, setup } from './measure.mjs'
import { fmt } from './report.mjs'
import { NO_SLA_POLICIES, SCENARIOS } from './scenarios.mjs'
import { seed } from './seed.mjs'
import { startServer } from './serve.mjs'

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

/** `bench`: the run's `settings`, `configPath` and `keepState`, as for runPhase (bench/lib/phase.mjs). */
export async function profile(ids, { settings, configPath, keepState }) {
  const port = 9400 + Math.floor(Math.random() * 500)
  const stateDir = mkdtempSync(join(settings.stateParent, 'ticketing-bench-'))
  const server = await startServer(stateDir, { configPath, assetsRouter: settings.assetsRouter, inspectorPort: port })
  const mapFile = join(OUT_DIR, 'worker.js.map')
  const sourceMap = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')))
  try {
    const workspaces = Math.max(0, ...SCENARIOS.filter((s) => ids.includes(s.id)).map((s) => s.workspaces ?? 0))
    const { state } = await seed(server.url, settings.phases[0], {
      configPath,
      connections: settings.connections,
      workspaces,
    })
    const devtools = await inspector(port)
    await devtools.send('Profiler.enable')
    await devtools.send('Profiler.setSamplingInterval', { interval: 200 })
    for (const id of ids) {
      const scenario = SCENARIOS.find((s) => s.id === id)
      if (!scenario) throw new Error(`no scenario ${id}: ${SCENARIOS.map((s) => s.id).join(', ')}`)
      await state.refreshTokens()
      // As in a measured run: the scenario's SLA policies in force while it runs, and what it prepares.
      const slaPolicies = (policies) =>
        must(server.url, json('PUT', '/api/v1/sla-policies', state.token('admin'), policies))
      if (scenario.sla) await slaPolicies(scenario.sla)
      await scenario.prepare?.(state, settings)
      const nexts = (scenario.runs ?? [scenario]).map((run) => run.next(state))
      const ready = await setup(server.url, scenario, nexts)
      if (ready.skipped || ready.failed) {
        log(`${id}: ${ready.skipped ?? ready.failed}`)
        if (scenario.sla) await slaPolicies(NO_SLA_POLICIES)
        continue
      }
      await Promise.all(nexts.map((next) => load(server.url, next, settings.warmup, settings.connections)))
      await devtools.send('Profiler.start')
      const measured = await Promise.all(
        nexts.map((next) => load(server.url, next, settings.duration, settings.connections)),
      )
      const { profile: cpu } = await devtools.send('Profiler.stop')
      if (scenario.sla) await slaPolicies(NO_SLA_POLICIES)
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
    if (keepState) log(`state kept in ${stateDir}`)
    else rmSync(stateDir, { recursive: true, force: true })
  }
}
