/**
 * Finding a Chromium for the browser test (docs.e2e.test.ts) the usual ways: `CHROMIUM_PATH`
 * first, then the conventional install paths (Debian and Ubuntu packages, Google Chrome, snap,
 * Homebrew and /Applications on macOS, Program Files on Windows), then the same names on `PATH`,
 * then a browser that `npx playwright install chromium` put in playwright's cache.
 * `CHROMIUM_SEARCH_PATHS` (paths separated by the platform's delimiter, `:` on Linux) replaces
 * everything after `CHROMIUM_PATH`, so a machine without a browser can be simulated
 * (`CHROMIUM_SEARCH_PATHS=` searches nothing). `REQUIRE_BROWSER=1` (set by .ci/run) turns a
 * missing browser from a skip into a failure.
 */
import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { chromium } from 'playwright-core'

const STANDARD_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/usr/lib/chromium/chromium',
  '/usr/local/bin/chromium',
  '/usr/local/bin/chromium-browser',
  '/usr/local/bin/google-chrome',
  '/opt/google/chrome/chrome',
  '/snap/bin/chromium',
  '/opt/homebrew/bin/chromium',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
]
const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome']

function isExecutable(path: string) {
  try {
    accessSync(path, constants.X_OK)
    return statSync(path).isFile()
  } catch {
    return false
  }
}

function playwrightCache(): string[] {
  try {
    return [chromium.executablePath()]
  } catch {
    return []
  }
}

export interface BrowserSearch {
  /** The browser to launch; undefined when none was found. */
  path?: string
  /** Every place looked at, in order. */
  searched: string[]
  /** A browser is required here (`REQUIRE_BROWSER=1`): a missing one fails instead of skipping. */
  required: boolean
  /** What to print when none was found. */
  hint: string
}

export function findChromium(env: NodeJS.ProcessEnv = process.env): BrowserSearch {
  const override = env.CHROMIUM_SEARCH_PATHS
  const rest =
    override !== undefined
      ? override.split(delimiter).filter(Boolean)
      : [
          ...STANDARD_PATHS,
          ...(env.PATH ?? '')
            .split(delimiter)
            .filter(Boolean)
            .flatMap((dir) => NAMES.map((name) => join(dir, name))),
          ...playwrightCache(),
        ]
  const searched = [...(env.CHROMIUM_PATH ? [env.CHROMIUM_PATH] : []), ...rest]
  const path = searched.find(isExecutable)
  const required = env.REQUIRE_BROWSER === '1' || env.REQUIRE_BROWSER === 'true'
  const looked = env.CHROMIUM_PATH
    ? `CHROMIUM_PATH=${env.CHROMIUM_PATH} and ${rest.length} other paths`
    : `${rest.length} paths`
  const hint =
    `No Chromium found for the docs browser test (looked at ${looked}). To run it, install Chromium ` +
    '(Debian/Ubuntu: `apt-get install chromium`) or set CHROMIUM_PATH to a Chromium or Chrome executable.'
  return { path, searched, required, hint }
}
