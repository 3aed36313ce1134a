// Copies the browser bundles of Swagger UI and ReDoc from node_modules into public/static/vendor,
// where the Worker's [assets] binding serves them, so /docs and /redoc need no third-party CDN.
import { copyFileSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(join(root, 'package.json'))
const target = join(root, 'public', 'static', 'vendor')

const files = [
  ['swagger-ui-dist/swagger-ui.css', 'swagger-ui-dist/swagger-ui.css'],
  ['swagger-ui-dist/swagger-ui-bundle.js', 'swagger-ui-dist/swagger-ui-bundle.js'],
  ['redoc/bundles/redoc.standalone.js', 'redoc/redoc.standalone.js'],
]

for (const [from, to] of files) {
  const destination = join(target, to)
  mkdirSync(dirname(destination), { recursive: true })
  copyFileSync(require.resolve(from), destination)
}
console.log(`vendor-assets: copied ${files.length} files to public/static/vendor`)
