/**
 * How the Worker reaches the directory: where a workspace lives, asked only by login, register and
 * workspace creation, with the answers cached here (a placement never changes). Ordinary requests
 * address their workspace from the token alone (`lib/workspace-objects.ts`). Worker-only: the
 * Durable Objects never import this module.
 */
import type { Bindings } from '../config'
import { DEFAULT_REF, DEFAULT_WORKSPACE, DIRECTORY_NAME, type WorkspaceRef } from '../domain/workspaces'

export const directory = (env: Bindings) => env.DIRECTORY.getByName(DIRECTORY_NAME)

/** Placements the directory has answered, bounded: the oldest entry goes when it is full. */
const known = new Map<string, WorkspaceRef>()
const KNOWN_LIMIT = 4096

export function remember(ref: WorkspaceRef) {
  if (known.size >= KNOWN_LIMIT) known.delete(known.keys().next().value as string)
  known.set(ref.slug, ref)
}

/**
 * Where a workspace lives, or null when no such workspace exists (or it was deleted). `default`
 * always exists and is never looked up. A cached placement can outlive its workspace's deletion;
 * the deleted workspace's object then refuses every call, so the answer is the same.
 */
export async function findWorkspace(env: Bindings, slug: string): Promise<WorkspaceRef | null> {
  if (slug === DEFAULT_WORKSPACE) return DEFAULT_REF
  const cached = known.get(slug)
  if (cached) return cached
  const found = await directory(env).lookup(slug)
  if (!found) return null
  const ref = { slug, jurisdiction: found.jurisdiction }
  remember(ref)
  return ref
}
