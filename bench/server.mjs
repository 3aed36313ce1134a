// Serves the bench build (bench/out) with the Miniflare 5 API: the same runtime (workerd) as
// `wrangler dev`, without wrangler's dev proxy. Started by bench/run.mjs as a child process, so the
// work of pumping the Worker's logs never competes with the load generator's event loop.
//
// Usage: node bench/server.mjs <bench-config.toml> <built-bundle-dir> <state-dir> [--assets-router] [--inspector-port=N]
// Prints one JSON line `{"url": "..."}` when ready; stops when stdin closes or on SIGTERM.
// Worker logs are discarded (their cost inside the Worker is still paid); error-level lines are
// forwarded to stderr, so a failing run shows why.

import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, extname, join, resolve } from 'node:path'

const [configPath, bundleDir, stateDir, ...flags] = process.argv.slice(2)
/**
 * By default the Worker gets requests directly and its ASSETS binding points at a separate
 * assets-only worker serving the same directory: Cloudflare matches static assets on its own
 * infrastructure before a Worker runs, while Miniflare's emulation of that router runs in the same
 * workerd thread as the Worker and, measured, more than halves the throughput of every route (see
 * docs/performance.md). `--assets-router` serves with Miniflare's assets router in front, as configured.
 */
const assetsRouter = flags.includes('--assets-router')
/** `--inspector-port=N`: the DevTools protocol, for CPU profiles (`npm run bench -- --profile …`). */
const inspectorPort = Number(flags.find((flag) => flag.startsWith('--inspector-port='))?.split('=')[1] ?? 0)
if (!configPath || !bundleDir || !stateDir) {
  console.error('usage: node bench/server.mjs <config.toml> <bundle-dir> <state-dir>')
  process.exit(2)
}

// wrangler's own Miniflare: a bare `import 'miniflare'` may resolve to an older copy (another
// package's dependency) that still expects the legacy flat options.
const requireFromWrangler = createRequire(createRequire(import.meta.url).resolve('wrangler/package.json'))
const { Miniflare } = await import(requireFromWrangler.resolve('miniflare'))
const { unstable_readConfig } = await import('wrangler')

const config = unstable_readConfig({ config: configPath })
const WORKER = 'app'
const ASSETS_WORKER = 'static-assets'
const assetsDirectory = config.assets?.directory && resolve(dirname(config.configPath), config.assets.directory)

/** The bundle's modules: the entry first, then any other module wrangler wrote next to it. */
function manifest() {
  const files = readdirSync(bundleDir).filter((file) =>
    ['.js', '.mjs', '.wasm', '.bin', '.txt'].includes(extname(file)),
  )
  const entry = files.find((file) => file === 'worker.js' || file === 'index.js')
  if (!entry) throw new Error(`no worker.js or index.js in ${bundleDir}: did the build fail?`)
  const type = (file) => ({ '.wasm': 'wasm', '.bin': 'data', '.txt': 'text' })[extname(file)] ?? 'esm'
  const modules = {}
  for (const file of files) {
    const contents =
      type(file) === 'esm' || type(file) === 'text'
        ? readFileSync(join(bundleDir, file), 'utf8')
        : new Uint8Array(readFileSync(join(bundleDir, file)))
    modules[file] = { type: type(file), contents }
  }
  return { mainModule: entry, modules }
}

/** The bindings of the bench config, in Miniflare 5's options schema. */
function bindings() {
  const env = {}
  for (const [name, value] of Object.entries(config.vars ?? {})) {
    env[name] = typeof value === 'string' ? { type: 'text', value } : { type: 'json', value }
  }
  for (const binding of config.durable_objects?.bindings ?? []) {
    env[binding.name] = { type: 'durable-object', worker: WORKER, exportName: binding.class_name }
  }
  // A bucket's `jurisdiction` (ATTACHMENTS_EU, ATTACHMENTS_FEDRAMP) is left out: locally every
  // bucket is a directory of the state, told apart by its name.
  for (const bucket of config.r2_buckets ?? []) env[bucket.binding] = { type: 'r2', name: bucket.bucket_name }
  for (const limiter of config.ratelimits ?? []) {
    env[limiter.name] = { type: 'rate-limit', namespace: String(limiter.namespace_id), simple: limiter.simple }
  }
  for (const producer of config.queues?.producers ?? []) env[producer.binding] = { type: 'queue', name: producer.queue }
  for (const email of config.send_email ?? []) env[email.name] = { type: 'send-email' }
  if (config.assets?.binding) {
    env[config.assets.binding] = assetsRouter ? { type: 'assets' } : { type: 'worker', worker: ASSETS_WORKER }
  }
  return env
}

// Every Durable Object class bound (Workspace, Directory), with SQLite storage when a migration says so.
const sqliteClasses = new Set(config.migrations.flatMap((migration) => migration.new_sqlite_classes ?? []))
const exports = {}
for (const binding of config.durable_objects?.bindings ?? []) {
  exports[binding.class_name] = {
    type: 'durable-object',
    storage: sqliteClasses.has(binding.class_name) ? 'sqlite' : 'legacy-kv',
  }
}

const triggers = (config.queues?.consumers ?? []).map((consumer) => ({
  type: 'queue',
  name: consumer.queue,
  ...(consumer.max_batch_size !== undefined && { maxBatchSize: consumer.max_batch_size }),
  ...(consumer.max_batch_timeout !== undefined && { maxBatchTimeout: consumer.max_batch_timeout }),
  ...(consumer.max_retries !== undefined && { maxRetries: consumer.max_retries }),
}))

const mf = new Miniflare({
  host: '127.0.0.1',
  port: 0,
  logRequests: false,
  ...(inspectorPort > 0 && { inspectorPort }),
  resourcePersistencePath: resolve(stateDir),
  // Temporary files (e.g. the emails the send_email simulator writes) go with the state, deleted after.
  resourceTmpPath: resolve(stateDir, 'tmp'),
  handleStructuredLogs: (log) => {
    if (log.level === 'error') process.stderr.write(`[worker] ${log.message}\n`)
  },
  workers: [
    {
      config: {
        name: WORKER,
        compatibilityDate: config.compatibility_date,
        compatibilityFlags: config.compatibility_flags ?? [],
        manifest: manifest(),
        env: bindings(),
        exports,
        ...(triggers.length > 0 && { triggers }),
        ...(assetsDirectory &&
          assetsRouter && {
            assets: {
              directory: assetsDirectory,
              hasUserWorker: true,
              ...(config.assets.run_worker_first !== undefined && { runWorkerFirst: config.assets.run_worker_first }),
            },
          }),
      },
    },
    ...(assetsDirectory && !assetsRouter
      ? [
          {
            config: {
              name: ASSETS_WORKER,
              compatibilityDate: config.compatibility_date,
              manifest: {
                mainModule: 'assets.js',
                modules: {
                  'assets.js': {
                    type: 'esm',
                    contents: 'export default { fetch: (request, env) => env.ASSETS.fetch(request) }',
                  },
                },
              },
              env: { ASSETS: { type: 'assets' } },
              assets: { directory: assetsDirectory, hasUserWorker: true },
            },
          },
        ]
      : []),
  ],
})

const url = await mf.ready
process.stdout.write(
  `${JSON.stringify({ url: url.toString(), miniflare: requireFromWrangler('miniflare/package.json').version })}\n`,
)

let stopping = false
async function stop() {
  if (stopping) return
  stopping = true
  await mf.dispose().catch(() => {})
  process.exit(0)
}
process.stdin.on('end', stop)
process.stdin.on('close', stop)
process.stdin.resume()
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
