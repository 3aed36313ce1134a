/**
 * Small helpers over the Durable Object's synchronous SQLite API: typed row reads with bound
 * parameters only, and `transact`, which runs a mutation in one `transactionSync` and rolls it
 * back when the mutation returns a failure, so a refused request leaves nothing half-written.
 */
import type { Failure, Result } from '../../lib/result'

export type SqlValue = string | number | null
type Row = Record<string, SqlStorageValue>

export const all = <T extends Row>(sql: SqlStorage, query: string, ...params: SqlValue[]) =>
  sql.exec<T>(query, ...params).toArray()

export const first = <T extends Row>(sql: SqlStorage, query: string, ...params: SqlValue[]) =>
  sql.exec<T>(query, ...params).toArray()[0] ?? null

/** The one row a statement returns (an `INSERT … RETURNING *`, say); throws if there is none. */
export const one = <T extends Row>(sql: SqlStorage, query: string, ...params: SqlValue[]) =>
  sql.exec<T>(query, ...params).one()

export const run = (sql: SqlStorage, query: string, ...params: SqlValue[]) => sql.exec(query, ...params).rowsWritten

export const count = (sql: SqlStorage, query: string, ...params: SqlValue[]) =>
  Number(sql.exec<{ n: number }>(query, ...params).one().n)

class Rollback extends Error {
  constructor(readonly failure: Failure) {
    super(failure.code)
  }
}

/** Runs `mutation` in one transaction; a returned failure (or any throw) rolls all of it back. */
export function transact<T>(storage: DurableObjectStorage, mutation: () => Result<T>): Result<T> {
  try {
    return storage.transactionSync(() => {
      const result = mutation()
      if (!result.ok) throw new Rollback(result)
      return result
    })
  } catch (error) {
    if (error instanceof Rollback) return error.failure
    throw error
  }
}

export const nowIso = () => new Date().toISOString()
export const bool = (value: SqlStorageValue) => value === 1
