// Build and serve: the production bundle built with `wrangler deploy --dry-run` from the bench
// config, the check that this config binds what production binds, and the bench server
// (bench/server.mjs) started in a child process on a given state directory.

import { spawn, spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { createInterface } from 'node:readline'
import { DEFAULT_CONFIG, log, OUT_DIR, ROOT } from './common.mjs'

/** Profiles use an unminified build, so that every function keeps its name. */
export function build(configPath, { minify = true } = {}) {
  const wrangler = join(ROOT, 'node_modules', '.bin', 'wrangler')
  const started = performance.now()
  const args = ['deploy', '--dry-run', '--outdir', OUT_DIR, '-c', configPath, ...(minify ? [] : ['--minify=false'])]
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
export async function checkBindingsMatchProduction(configPath) {
  const { unstable_readConfig } = await import('wrangler')
  const production = unstable_readConfig({ config: join(ROOT, 'wrangler.toml'), env: 'production' })
  const bench = unstable_readConfig({ config: configPath })
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
    const message = `${relative(ROOT, configPath)} is missing production bindings or vars: ${missing.join(', ')}`
    if (configPath !== DEFAULT_CONFIG) log(`warning: ${message}`)
    else throw new Error(message)
  }
  if (bench.vars?.ENVIRONMENT !== 'production')
    throw new Error('the bench build must run with ENVIRONMENT = "production"')
}

/** `assetsRouter`: serve behind Miniflare's emulated assets router (see bench/server.mjs). */
export async function startServer(stateDir, { configPath, assetsRouter = false, inspectorPort }) {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bench', 'server.mjs'),
      configPath,
      OUT_DIR,
      stateDir,
      ...(assetsRouter ? ['--assets-router'] : []),
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
    /** CPU seconds the server's workerd processes (and their children) have used so far; null off Linux. */
    cpu: () => workerdCpuSeconds(child.pid),
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.stdin.end()
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`; 100 on Linux). */
const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100

/** `/proc/<pid>/stat`: the command, parent pid and CPU times (after the command's parentheses). */
function stat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const close = text.lastIndexOf(')')
    const fields = text.slice(close + 2).split(' ')
    return {
      pid,
      comm: text.slice(text.indexOf('(') + 1, close),
      ppid: Number(fields[1]),
      // utime, stime, and cutime, cstime of its waited-for children (fields 14–17 of the file).
      ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]),
    }
  } catch {
    return null
  }
}

/**
 * The CPU of every workerd process below the bench server (Miniflare starts one; the Worker and
 * its Durable Objects run in it), in seconds: the server's own Node process and the load generator
 * (this process) are not counted. Null where /proc is missing.
 */
export function workerdCpuSeconds(serverPid) {
  let entries
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name))
  } catch {
    return null
  }
  const all = entries.map(stat).filter(Boolean)
  const children = new Map()
  for (const process of all) children.set(process.ppid, [...(children.get(process.ppid) ?? []), process])
  let ticks = 0
  const walk = (pid, inWorkerd) => {
    for (const process of children.get(pid) ?? []) {
      const counted = inWorkerd || process.comm.includes('workerd')
      if (counted) ticks += process.ticks
      walk(process.pid, counted)
    }
  }
  walk(serverPid, false)
  return ticks / TICKS
}
