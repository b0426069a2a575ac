/**
 * The incident register on PostgreSQL: every incident, notified or not, kept
 * at least five years (Res. CD/ANPD 15/2024 Art. 10).
 *
 * @module
 */
import {
  assertRetentionOver,
  checkIncidentEntry,
  checkRegisterRetention,
  INCIDENT_RETENTION,
  type IncidentEntry,
  type IncidentRegister,
  PurposefulError,
} from 'purposeful';
import type { SqlClient } from './client.js';

const parse = (v: unknown): IncidentEntry => (typeof v === 'string' ? JSON.parse(v) : v) as IncidentEntry;

/**
 * An incident register on PostgreSQL (run `migrate(client)` first).
 *
 * @example
 * ```ts
 * const register = postgresIncidentRegister(db);
 * await register.add({ id: 'INC-2026-014', title: 'Bulk read by a compromised account', knownAt, notified: true, report: json });
 * ```
 */
export function postgresIncidentRegister(client: SqlClient, options: { readonly retention?: string } = {}): IncidentRegister {
  const retention = checkRegisterRetention(options.retention ?? INCIDENT_RETENTION);
  const get = async (id: string) => {
    const { rows } = await client.query<{ entry: unknown }>('SELECT entry FROM purposeful_incidents WHERE id = $1', [id]);
    return rows[0] ? parse(rows[0].entry) : undefined;
  };
  return {
    async add(entry) {
      checkIncidentEntry(entry);
      const { rows } = await client.query(
        'INSERT INTO purposeful_incidents (id, known_at, entry) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING id',
        [entry.id, entry.knownAt, JSON.stringify(entry)],
      );
      if (rows.length === 0) throw new PurposefulError('PF_INPUT_INVALID', `incident ${entry.id} is already registered`);
    },
    async update(id, patch) {
      return client.transaction(async (q) => {
        const { rows } = await q<{ entry: unknown }>('SELECT entry FROM purposeful_incidents WHERE id = $1 FOR UPDATE', [id]);
        if (!rows[0]) throw new PurposefulError('PF_INPUT_INVALID', `no incident ${id} is registered`);
        const current = parse(rows[0].entry);
        const next = { ...current, ...patch, id: current.id, knownAt: current.knownAt };
        checkIncidentEntry(next);
        await q('UPDATE purposeful_incidents SET entry = $2, updated_at = now() WHERE id = $1', [id, JSON.stringify(next)]);
        return next;
      });
    },
    get,
    async list() {
      const { rows } = await client.query<{ entry: unknown }>('SELECT entry FROM purposeful_incidents ORDER BY known_at, id');
      return rows.map((r) => parse(r.entry));
    },
    async remove(id, now = new Date()) {
      const entry = await get(id);
      if (!entry) return;
      assertRetentionOver(entry, retention, now);
      await client.query('DELETE FROM purposeful_incidents WHERE id = $1', [id]);
    },
  };
}
