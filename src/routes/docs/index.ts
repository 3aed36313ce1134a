/**
 * The documentation pages: Swagger UI at /docs and ReDoc at /redoc. Their scripts and styles are
 * served by the Worker's static assets (copied from the npm packages at build time), so both pages
 * render without reaching any CDN, under a CSP that forbids inline scripts and other origins.
 */
import { swaggerUI } from '@hono/swagger-ui'
import { Hono } from 'hono'
import { html } from 'hono/html'
import type { AppEnv } from '../../lib/app-env'

const VENDOR = '/static/vendor'

export const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Both UIs inject style elements at run time.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ')

export const docsRouter = new Hono<AppEnv>({ strict: false })

docsRouter.use('*', async (c, next) => {
  await next()
  c.header('Content-Security-Policy', DOCS_CSP)
})

docsRouter.get(
  '/docs',
  swaggerUI({
    url: '/openapi.json',
    title: 'Ticketing API — Swagger UI',
    baseUrl: VENDOR,
    manuallySwaggerUIHtml: (asset) => `
      <div id="swagger-ui"></div>
      ${asset.css.map((href) => `<link rel="stylesheet" href="${href}" />`).join('')}
      ${asset.js.map((src) => `<script src="${src}"></script>`).join('')}
      <script src="/static/docs/swagger-init.js"></script>`,
  }),
)

docsRouter.get('/redoc', (c) =>
  c.html(html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Ticketing API — ReDoc</title>
      </head>
      <body>
        <redoc spec-url="/openapi.json"></redoc>
        <script src="${VENDOR}/redoc/redoc.standalone.js"></script>
      </body>
    </html>`),
)
