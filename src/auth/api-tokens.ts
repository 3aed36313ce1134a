/**
 * API token strings: `tkt_<workspace>[.<jurisdiction>].<tokenId>.<secret>`. The fixed `tkt_` prefix
 * lets secret scanners find a leaked one; the workspace and token id let the Worker route it to its
 * workspace's object with no lookup; the secret is 32 random bytes. Only the SHA-256 of the whole
 * string is stored, and the object compares it in constant time. Nothing here is ever logged.
 */
import { base64url } from 'jose'
import { isJurisdiction, isSlug, type WorkspaceRef } from '../domain/workspaces'

export const API_TOKEN_PREFIX = 'tkt_'
/** How much of a token's id is shown again (in lists): enough to tell tokens apart, never enough to use one. */
const SHOWN_ID_LENGTH = 8

const TOKEN_ID = /^[0-9a-f]{32}$/
const SECRET = /^[A-Za-z0-9_-]{43}$/

export interface ParsedApiToken {
  workspace: WorkspaceRef
  tokenId: string
}

export const isApiToken = (bearer: string) => bearer.startsWith(API_TOKEN_PREFIX)

/** A new token for a workspace: its id, the string to hand out once, and what is stored of it. */
export async function newApiToken(workspace: WorkspaceRef) {
  const tokenId = crypto.randomUUID().replaceAll('-', '')
  const secret = base64url.encode(crypto.getRandomValues(new Uint8Array(32)))
  const place = workspace.jurisdiction ? `${workspace.slug}.${workspace.jurisdiction}` : workspace.slug
  const token = `${API_TOKEN_PREFIX}${place}.${tokenId}.${secret}`
  const shown = `${API_TOKEN_PREFIX}${place}.${tokenId.slice(0, SHOWN_ID_LENGTH)}`
  return { tokenId, token, hash: await hashApiToken(token), shown }
}

/** Where a token belongs, read from the string alone; null when it is not a well-formed token. */
export function parseApiToken(token: string): ParsedApiToken | null {
  if (!isApiToken(token)) return null
  const parts = token.slice(API_TOKEN_PREFIX.length).split('.')
  const [slug, ...rest] = parts
  const jurisdiction = rest.length === 3 ? rest.shift() : undefined
  const [tokenId, secret] = rest
  if (!slug || !isSlug(slug) || !tokenId || !TOKEN_ID.test(tokenId) || !secret || !SECRET.test(secret)) return null
  if (jurisdiction !== undefined && !isJurisdiction(jurisdiction)) return null
  return { workspace: { slug, jurisdiction: jurisdiction ?? null }, tokenId }
}

export async function hashApiToken(token: string) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))
  return base64url.encode(new Uint8Array(digest))
}
