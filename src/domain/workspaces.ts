/**
 * Workspaces by name. `default` is the home workspace: every request that names no other works in
 * it, so single-workspace clients never need to know workspaces exist. Pure.
 */

export const DEFAULT_WORKSPACE = 'default'
