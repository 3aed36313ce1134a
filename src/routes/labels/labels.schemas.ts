/** Label schemas: the catalog's entries and what creating or changing one takes. */
import { z } from '@hono/zod-openapi'
import { LabelNameSchema } from '../tickets/tickets.schemas'

const Color = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, 'must be #rrggbb')
  .openapi({ example: '#d73a4a', description: '`#rrggbb` (stored in lower case)' })
const Description = z.string().max(200).openapi({ example: 'Something is not working' })

export const LabelSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    color: z.string().openapi({ example: '#d73a4a' }),
    description: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('Label')

export const CreateLabelSchema = z
  .strictObject({ name: LabelNameSchema, color: Color, description: Description.default('') })
  .openapi('CreateLabel')

export const UpdateLabelSchema = z
  .strictObject({ name: LabelNameSchema.optional(), color: Color.optional(), description: Description.optional() })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    message: 'Send at least one field to change',
  })
  .openapi('UpdateLabel', { minProperties: 1 })

export const LabelIdParamSchema = z.object({
  labelId: z.uuid().openapi({ param: { name: 'labelId', in: 'path' }, description: 'The label’s id' }),
})
