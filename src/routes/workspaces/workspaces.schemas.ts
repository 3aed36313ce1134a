/**
 * Workspace schemas: the slug (also taken by login and register), placement, the workspace as
 * members read it, and the bodies of creation, rename and deletion.
 */
import { z } from '@hono/zod-openapi'
import { JURISDICTIONS, LOCATION_HINTS } from '../../domain/workspaces'
import { text, WorkspaceSlugSchema } from '../../lib/schemas'
import { TokenPairSchema } from '../auth/auth.schemas'
import { EmailSchema, NameSchema, PasswordSchema, UserSchema } from '../users/users.schemas'

// Not named components: every use is nullable, and a named component would carry the null itself.
export const JurisdictionSchema = z.enum(JURISDICTIONS).openapi({
  description: 'A hard guarantee: the workspace’s data and files stay in this jurisdiction',
})

export const LocationHintSchema = z.enum(LOCATION_HINTS).openapi({
  description: 'Where the workspace is first placed, near its team: a preference, not a guarantee',
})

export const WorkspaceSchema = z
  .object({
    slug: WorkspaceSlugSchema,
    name: z.string(),
    jurisdiction: JurisdictionSchema.nullable(),
    locationHint: LocationHintSchema.nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi('Workspace')

export const WorkspaceWithCountsSchema = WorkspaceSchema.extend({
  counts: z.object({ users: z.number().int(), tickets: z.number().int(), projects: z.number().int() }),
}).openapi('WorkspaceWithCounts')

const WorkspaceNameSchema = text(200).openapi({ example: 'Acme Support' })

export const CreateWorkspaceSchema = z
  .strictObject({
    slug: WorkspaceSlugSchema,
    name: WorkspaceNameSchema,
    jurisdiction: JurisdictionSchema.nullable().optional(),
    locationHint: LocationHintSchema.nullable().optional(),
    admin: z
      .strictObject({ name: NameSchema, email: EmailSchema, password: PasswordSchema })
      .openapi({ description: 'The workspace’s first admin, logged in by the answer' }),
  })
  .openapi('CreateWorkspace')

export const CreatedWorkspaceSchema = TokenPairSchema.extend({
  workspace: WorkspaceSchema,
  user: UserSchema,
}).openapi('CreatedWorkspace')

export const UpdateWorkspaceSchema = z.strictObject({ name: WorkspaceNameSchema }).openapi('UpdateWorkspace')

export const DeleteWorkspaceSchema = z
  .strictObject({ confirm: z.string().max(40).openapi({ description: 'The workspace’s slug, as a safeguard' }) })
  .openapi('DeleteWorkspace')
