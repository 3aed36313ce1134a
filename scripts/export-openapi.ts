/**
 * `npm run openapi`: writes the OpenAPI document, exactly as the Worker serves it, to `openapi.json`
 * at the repository root, for consumers who want it without running the server. The app needs the
 * Workers runtime (its Durable Object imports `cloudflare:workers`), so this starts `wrangler dev`
 * briefly, fetches `/openapi.json` and stops it. `servers` is replaced by the fixed local address,
 * so the file is the same on every run; `git diff --exit-code openapi.json` after a run shows
 * whether the committed file is up to date (CI checks that).
 *
 * `npm run openapi -- --from http://127.0.0.1:8787` exports from a server that is already running.
 */
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { OpenApiDocument } from '../test/e2e/conformance.ts'
import { startWranglerDev } from '../test/e2e/wrangler-dev.ts'

const ROOT = join(import.meta.dirname, '..')
export const EXPORTED_PATH = join(ROOT, 'openapi.json')
export const EXPORTED_SERVERS = [
  { url: 'http://localhost:8787', description: 'Local development server (`npm run dev`)' },
]

/** The served document as it is written to openapi.json: only `servers` differs. */
export const exportedDocument = (served: OpenApiDocument): OpenApiDocument => ({ ...served, servers: EXPORTED_SERVERS })

async function main() {
  const { values } = parseArgs({ options: { from: { type: 'string' } } })
  const server = values.from ? undefined : await startWranglerDev()
  try {
    const origin = values.from ?? server?.url
    const res = await fetch(`${origin}/openapi.json`)
    if (res.status !== 200) throw new Error(`GET ${origin}/openapi.json answered ${res.status}`)
    writeFileSync(EXPORTED_PATH, JSON.stringify(exportedDocument((await res.json()) as OpenApiDocument)))
    // Laid out the way `npm run lint` wants it, so the file passes lint and diffs stay readable.
    execFileSync(join(ROOT, 'node_modules', '.bin', 'biome'), ['format', '--write', EXPORTED_PATH], { stdio: 'ignore' })
    console.log(`openapi: wrote ${EXPORTED_PATH}`)
  } finally {
    await server?.stop()
  }
}

if (import.meta.filename === process.argv[1]) await main()
