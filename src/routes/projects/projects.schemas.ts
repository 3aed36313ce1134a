/**
 * Project schemas. The key (`^[A-Z][A-Z0-9]{1,9}$`) prefixes its tickets' keys and is fixed once
 * the project exists.
 */
import { z } from '@hono/zod-openapi'
import { text } from '../../lib/schemas'

export const ProjectKeySchema = z
  .string()
  .regex(/^[A-Z][A-Z0-9]{1,9}$/, 'must be 2–10 capital letters or digits, starting with a letter')
  .openapi({ example: 'OPS', description: 'Prefix of the project’s ticket keys (OPS-1, OPS-2, …); `TSK` is reserved' })

export const ProjectSchema = z
  .object({
    id: z.uuid(),
    key: z.string(),
    name: z.string(),
    description: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Project')

export const ProjectIdParamSchema = z.object({
  projectId: z.uuid().openapi({ param: { name: 'projectId', in: 'path' }, description: 'The project’s id' }),
})

const Name = text(200).openapi({ example: 'Operations' })
const Description = z.string().max(5000).openapi({ example: 'Servers, networks and the coffee machine' })

export const CreateProjectSchema = z
  .strictObject({ key: ProjectKeySchema, name: Name, description: Description.default('') })
  .openapi('CreateProject')

export const UpdateProjectSchema = z
  .strictObject({ name: Name.optional(), description: Description.optional() })
  .refine((patch) => patch.name !== undefined || patch.description !== undefined, {
    message: 'Send name or description (the key cannot change)',
  })
  .openapi('UpdateProject', { minProperties: 1 })
