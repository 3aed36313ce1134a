/**
 * The docs pages in a real browser: headless Chromium (Debian's `chromium` in CI, or whichever
 * browser.ts finds; driven by playwright-core, no browser download) opens /docs and /redoc from
 * `wrangler dev`. Every request
 * to a host other than localhost is aborted and counted, and any such request fails the test. The
 * API responses the browser receives go through the same conformance check as the rest of the
 * suite. Screenshots go to screenshots/ (git-ignored). The browser is found by browser.ts; on a
 * machine without one the whole file reports itself skipped and prints how to enable it, unless
 * `REQUIRE_BROWSER=1` (CI) makes that a failure.
 */
import { mkdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { findChromium } from './browser'
import { baseUrl, expectConformance, expectConforming, servedDocument } from './client'
import type { OpenApiDocument } from './conformance'

const CHROMIUM = findChromium()
// Skipping is only for a missing browser, and never where a browser is required (CI).
if (!CHROMIUM.path) console.warn(`${CHROMIUM.required ? 'REQUIRE_BROWSER=1: failing.' : 'Skipped.'} ${CHROMIUM.hint}`)
if (process.env.CHROMIUM_PATH && CHROMIUM.path && CHROMIUM.path !== process.env.CHROMIUM_PATH) {
  console.warn(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} is not an executable; using ${CHROMIUM.path}`)
}
const SCREENSHOTS = join(import.meta.dirname, '..', '..', 'screenshots')
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

let browser: Browser
let context: BrowserContext
let doc: OpenApiDocument
/** Requests to any other host: aborted, and listed here. */
let thirdParty: string[] = []
/** Conformance checks of the API responses the browser received. */
let checks: Promise<void>[] = []

const operationIds = (openapi: OpenApiDocument) =>
  Object.values(openapi.paths).flatMap((methods) => Object.values(methods).map((operation) => operation.operationId))

async function open(path: string) {
  const page = await context.newPage()
  page.on('response', (response) => {
    if (new URL(response.url()).origin !== new URL(baseUrl()).origin) return
    checks.push(
      expectConforming({
        method: response.request().method(),
        url: response.url(),
        status: response.status(),
        headers: new Headers(response.headers()),
        text: () => response.text(),
      }),
    )
  })
  await page.goto(`${baseUrl()}${path}`, { waitUntil: 'load' })
  return page
}

async function finish(page: Page, screenshot: string) {
  await page.screenshot({ path: join(SCREENSHOTS, screenshot) })
  await Promise.all(checks)
  await page.close()
  expect(thirdParty, 'requests to hosts other than localhost').toEqual([])
}

if (!CHROMIUM.path && CHROMIUM.required) {
  it('finds a browser, which REQUIRE_BROWSER=1 makes mandatory', () => {
    expect.fail(`REQUIRE_BROWSER=1 and no browser was found. ${CHROMIUM.hint}`)
  })
}

describe.skipIf(!CHROMIUM.path)('the docs pages and CORS in a real browser', () => {
  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true })
    doc = await servedDocument()
    browser = await chromium.launch({
      executablePath: CHROMIUM.path,
      headless: true,
      chromiumSandbox: false,
      // playwright-core starts it with --headless, --no-sandbox and a fresh, empty user-data-dir.
      args: [
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url())
      if (LOCAL_HOSTS.has(url.hostname)) return route.continue()
      thirdParty.push(url.href)
      return route.abort('blockedbyclient')
    })
  })

  afterAll(async () => {
    await browser?.close()
  })

  beforeEach(() => {
    thirdParty = []
    checks = []
  })

  describe('the docs pages in headless Chromium', () => {
    it('Swagger UI at /docs renders every operation and tag, and "Try it out" on GET /health answers 200', async () => {
      const page = await open('/docs')
      // Swagger UI renders the document's webhooks (one per event type) as operations too.
      const webhooks = Object.values((doc as { webhooks?: Record<string, object> }).webhooks ?? {})
      const count = operationIds(doc).length + webhooks.reduce((n, methods) => n + Object.keys(methods).length, 0)
      await page.waitForFunction((n) => document.querySelectorAll('.opblock').length === n, count, { timeout: 30_000 })
      const tags = await page
        .locator('.opblock-tag[data-tag]')
        .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-tag')))
      expect(tags.sort()).toEqual((doc.tags ?? []).map((tag) => tag.name).sort())
      await page.screenshot({ path: join(SCREENSHOTS, 'swagger-ui.png') })

      const health = page.locator('#operations-System-getHealth')
      await health.locator('.opblock-summary').click()
      await health.locator('.try-out__btn').click()
      await health.locator('.execute').click()
      const status = health.locator('.live-responses-table tbody .response-col_status')
      await expect.poll(() => status.first().textContent(), { timeout: 15_000 }).toBe('200')
      await expect
        .poll(() => health.locator('.live-responses-table tbody .microlight').first().textContent())
        .toContain('"status": "ok"')
      await health.scrollIntoViewIfNeeded()
      await finish(page, 'swagger-ui-try-it-out.png')
    })

    it('ReDoc at /redoc renders every operation and lists every tag', async () => {
      const page = await open('/redoc')
      const ids = operationIds(doc).map((id) => `operation/${id}`)
      await page.waitForFunction(
        (expected) => expected.every((id) => document.querySelector(`[data-section-id="${id}"]`)),
        ids,
        { timeout: 30_000 },
      )
      const listed = await page
        .locator('li[data-item-id^="tag/"]:not([data-item-id*="/operation/"])')
        .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-item-id')))
      expect(listed.sort()).toEqual((doc.tags ?? []).map((tag) => `tag/${tag.name}`).sort())
      await finish(page, 'redoc.png')
    })
  })

  describe('a page on another localhost port', () => {
    let server: Server
    let origin = ''

    beforeAll(async () => {
      server = createServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
        res.end(`<!doctype html><html><body><h1>Cross-origin call</h1><pre id="result">pending</pre><script>
        fetch(${JSON.stringify(`${baseUrl()}/health`)})
          .then(async (res) => ({ status: res.status, body: await res.json(), requestId: res.headers.get('X-Request-Id') }))
          .catch((error) => ({ error: String(error) }))
          .then((result) => { document.getElementById('result').textContent = JSON.stringify(result) })
      </script></body></html>`)
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    })

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve))
    })

    it('has its request to another host aborted and counted (what the docs pages are held to)', async () => {
      const page = await context.newPage()
      await page.setContent('<img src="https://third-party.invalid/pixel.png" alt="">', { waitUntil: 'load' })
      await page.close()
      expect(thirdParty).toEqual(['https://third-party.invalid/pixel.png'])
    })

    it('calls the API cross-origin (CORS) and reads the answer and its exposed headers', async () => {
      expect(origin).not.toBe(new URL(baseUrl()).origin)
      const page = await context.newPage()
      const answer = page.waitForResponse((response) => response.url() === `${baseUrl()}/health`)
      await page.goto(origin)
      const cors = await answer
      expect(cors.headers()['access-control-allow-origin']).toBe(origin)
      await expect.poll(() => page.locator('#result').textContent()).not.toBe('pending')
      const result = JSON.parse((await page.locator('#result').textContent()) ?? '{}')
      expect(result).toMatchObject({ status: 200, body: { status: 'ok' } })
      expect(result.requestId).toBeTruthy()
      await expectConformance(
        'GET',
        cors.url(),
        new Response(await cors.text(), { status: 200, headers: cors.headers() }),
      )
      await finish(page, 'cross-origin.png')
    })
  })
})
