/**
 * An in-process LISTEN/NOTIFY: what `cachedConsentLedger` sees of PostgreSQL,
 * without a socket or a server's cost. A `pg_notify` through `client` reaches
 * every listener on the next microtask; `deliver` hands one a payload at once,
 * so a test can count what a single notification costs.
 */
import type { ConsentListenSource, SqlClient } from '../../src/postgres/index.js';

export function memoryBus(): { client: SqlClient; listen: ConsentListenSource; deliver: (payload: string) => void } {
  const listeners = new Set<(payload: string) => void>();
  const deliver = (payload: string) => {
    for (const l of listeners) l(payload);
  };
  const query = async <R>(sql: string, params: readonly unknown[] = []) => {
    if (sql.includes('pg_notify')) queueMicrotask(() => deliver(String(params[1])));
    return { rows: [] as R[] };
  };
  const client: SqlClient = { query, transaction: (fn) => fn(query) };
  const pglite = {
    query,
    transaction: (fn: (tx: unknown) => Promise<unknown>) => fn({ query }),
    listen: async (_channel: string, cb: (payload: string) => void) => {
      listeners.add(cb);
      return async () => {
        listeners.delete(cb);
      };
    },
  };
  return { client, listen: { pglite: pglite as never }, deliver };
}
