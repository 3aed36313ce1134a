// What every bench module shares and nothing owns more than another: the repository's paths, the
// log helper and rounding. The command line's settings are not here: bench/run.mjs parses them and
// passes each module what it needs.

import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const DEFAULT_CONFIG = join(ROOT, 'bench', 'wrangler.bench.toml')
export const OUT_DIR = join(ROOT, 'bench', 'out')

export const log = (...parts) => console.log(...parts)
export const round = (value, digits = 2) =>
  value === null || value === undefined ? null : Number(value.toFixed(digits))
