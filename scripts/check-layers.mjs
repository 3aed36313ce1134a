/**
 * Checks the floors of src/ (run by `npm run lint`): entry → app → routes → store → auth and
 * attachments → lib and config → domain. A module may import its own floor or a lower one, never a
 * higher one (type-only imports are exempt: they leave nothing behind at run time, and the Hono
 * environment must name the store's stub type). And the Durable Objects' module graphs, from
 * src/store/workspace.ts and src/store/directory.ts, must not reach Worker-only code (routes, the app, the Worker's store
 * client, auth, signed URLs, the email consumer), so nothing the Worker does can run in the object.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..')
const SRC = join(ROOT, 'src')

/** The floor of a module, from its path under src/ (lower numbers are higher floors). */
const FLOORS = [
  [/^index\.ts$/, 0, 'entry'],
  [/^app\.ts$/, 1, 'app'],
  [/^(routes|notifications)\//, 2, 'routes'],
  [/^store\//, 3, 'store'],
  [/^(auth|attachments)\//, 4, 'auth/attachments'],
  [/^(lib\/|config\.ts$)/, 5, 'lib'],
  [/^domain\//, 6, 'domain'],
]
const WORKER_ONLY = [
  /^index\.ts$/,
  /^app\.ts$/,
  /^routes\//,
  /^notifications\//,
  /^store\/client\.ts$/,
  /^lib\/workspace-objects\.ts$/,
  /^auth\//,
  /^attachments\//,
]

const floorOf = (path) => FLOORS.find(([pattern]) => pattern.test(path)) ?? [null, -1, 'unknown']

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sources(path)
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : []
  })
}

/** The runtime imports of a module: relative specifiers of `import`/`export … from` that are not type-only. */
function runtimeImports(file) {
  const text = readFileSync(file, 'utf8')
  const found = []
  for (const match of text.matchAll(/^(import|export)\s+(type\s+)?([^'";]*?)\s*from\s+'(\.[^']+)'/gm)) {
    if (match[2]) continue
    const names = match[3]
      .replace(/^\{|\}$/g, '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean)
    if (match[1] === 'import' && names.length > 0 && names.every((name) => name.startsWith('type '))) continue
    const target = resolve(dirname(file), `${match[4]}.ts`)
    if (existsSync(target)) found.push(target)
  }
  for (const match of text.matchAll(/^import\s+'(\.[^']+)'/gm)) found.push(resolve(dirname(file), `${match[1]}.ts`))
  return found
}

const problems = []
const graph = new Map(sources(SRC).map((file) => [file, runtimeImports(file)]))
for (const [file, imports] of graph) {
  const from = relative(SRC, file)
  const [, fromFloor, fromName] = floorOf(from)
  if (fromFloor < 0) problems.push(`${from}: on no floor (add it to scripts/check-layers.mjs)`)
  for (const target of imports) {
    const to = relative(SRC, target)
    const [, toFloor, toName] = floorOf(to)
    if (toFloor < fromFloor) problems.push(`${from} (${fromName}) imports ${to} (${toName}), a higher floor`)
  }
}

const reached = new Set()
const visit = (file, via) => {
  if (reached.has(file)) return
  reached.add(file)
  const path = relative(SRC, file)
  if (WORKER_ONLY.some((pattern) => pattern.test(path))) {
    problems.push(`the Durable Object reaches Worker-only ${path} (through ${via})`)
  }
  for (const target of graph.get(file) ?? []) visit(target, path)
}
visit(join(SRC, 'store', 'workspace.ts'), 'store/workspace.ts')
visit(join(SRC, 'store', 'directory.ts'), 'store/directory.ts')

if (problems.length > 0) {
  console.error(`check-layers: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`)
  process.exit(1)
}
console.log(
  `check-layers: ${graph.size} modules, floors respected; the Durable Objects reach ${reached.size} modules, none Worker-only`,
)
