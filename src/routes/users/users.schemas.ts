/**
 * User schemas: the public User (never a hash), and the fields clients send. Emails are trimmed
 * and lower-cased before they are checked; passwords are 8–128 characters.
 */
import { z } from '@hono/zod-openapi'
import { ROLES } from '../../domain/roles'
import { EMAIL_PATTERN, text } from '../../lib/schemas'

export const RoleSchema = z.enum(ROLES).openapi('Role', { description: 'user < manager < admin' })

export const EmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .check(z.email({ pattern: EMAIL_PATTERN, message: 'must be an email address' }))
  .max(254)
  .openapi({
    example: 'ada@example.com',
    description: 'Trimmed and lower-cased; unique',
    pattern: EMAIL_PATTERN.source,
  })

export const PasswordSchema = z.string().min(8).max(128).openapi({ example: 'correct horse battery' })

export const NameSchema = text(200).openapi({ example: 'Ada Lovelace' })

export const UserSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    email: z.string(),
    role: RoleSchema,
    active: z.boolean().openapi({ description: 'Deactivated users cannot log in; their tokens stop working' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('User')

export const UserIdParamSchema = z.object({
  userId: z.uuid().openapi({
    param: { name: 'userId', in: 'path' },
    description: 'The user’s id',
    example: '0b7e4f7c-3d42-4c4f-9a4e-2f1d6c7e8a90',
  }),
})

export const CreateUserSchema = z
  .strictObject({
    name: NameSchema,
    email: EmailSchema,
    password: PasswordSchema,
    role: RoleSchema.default('user'),
  })
  .openapi('CreateUser')

export const UpdateUserSchema = z
  .strictObject({
    name: NameSchema.optional(),
    email: EmailSchema.optional(),
    password: PasswordSchema.optional().openapi({ description: 'New password; ends the user’s other sessions' }),
    currentPassword: z
      .string()
      .max(128)
      .optional()
      .openapi({ description: 'Required when changing one’s own password' }),
    role: RoleSchema.optional().openapi({ description: 'Admins only' }),
    active: z.boolean().optional().openapi({ description: 'Admins only; false ends all the user’s sessions' }),
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    message: 'Send at least one field to change',
  })
  .openapi('UpdateUser', { minProperties: 1 })

export const UserListQuerySchema = z.object({
  role: RoleSchema.optional(),
  active: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional()
    .openapi({ type: 'boolean', description: 'Only active (`true`) or deactivated (`false`) users' }),
})
