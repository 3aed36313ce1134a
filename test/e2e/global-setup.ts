import type { TestProject } from 'vitest/node'
import { type DevServer, startWranglerDev } from './wrangler-dev'

let server: DevServer | undefined

export async function setup(project: TestProject) {
  server = await startWranglerDev()
  project.provide('baseUrl', server.url)
}

export async function teardown() {
  await server?.stop()
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string
  }
}
