/**
 * The incident register on PostgreSQL: every incident, notified or not, kept
 * at least five years from its registration (Res. CD/ANPD 15/2024 Art. 10).
 * The registration date is part of the stored entry. Entries written before it
 * was kept have none: they are held five years from their last change
 * (`updated_at`, never earlier than the registration), and shown without one.
 *
 * @module
 */
import { PurposefulError } from 'purposeful';
import {
  assertRetentionOver,
  checkRegisterRetention,
  INCIDENT_RETENTION,
  type IncidentEntry,
  type IncidentRegister,
  registrationOf,
  updatedEntry,
} from 'purposeful/incident';
import type { SqlClient } from './client.js';

const parse = (v: unknown): IncidentEntry => (typeof v === 'string' ? JSON.parse(v) : v) as IncidentEntry;

/**
 * An incident register on PostgreSQL (run `migrate(client)` first).
 *
 * @example
 * ```ts
 * const register = postgresIncidentRegister(db);
 * const report = incidentReport({ facts, scope, deadlines });
 * await register.add(incidentEntry(report, { notified: true, means: ['ANPD electronic form'] }));
 * ```
 * @category Incidents
 */
export function postgresIncidentRegister(client: SqlClient, options: { readonly retention?: string } = {}): IncidentRegister {
  const retention = checkRegisterRetention(options.retention ?? INCIDENT_RETENTION);
  const get = async (id: string) => {
    const { rows } = await client.query<{ entry: unknown }>('SELECT entry FROM purposeful_incidents WHERE id = $1', [id]);
    return rows[0] ? parse(rows[0].entry) : undefined;
  };
  return {
    async add(entry, options) {
      const stored = registrationOf(entry, new Date(), options);
      const { rows } = await client.query(
        'INSERT INTO purposeful_incidents (id, known_at, entry) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING id',
        [stored.id, stored.knownAt, JSON.stringify(stored)],
      );
      if (rows.length === 0) throw new PurposefulError('PF_INPUT_INVALID', `incident ${entry.id} is already registered`);
    },
    async update(id, patch) {
      return client.transaction(async (q) => {
        const { rows } = await q<{ entry: unknown }>('SELECT entry FROM purposeful_incidents WHERE id = $1 FOR UPDATE', [id]);
        if (!rows[0]) throw new PurposefulError('PF_INPUT_INVALID', `no incident ${id} is registered`);
        const next = updatedEntry(parse(rows[0].entry), patch);
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
      const { rows } = await client.query<{ entry: unknown; updated_at: unknown }>(
        'SELECT entry, updated_at FROM purposeful_incidents WHERE id = $1',
        [id],
      );
      if (!rows[0]) return;
      const entry = parse(rows[0].entry);
      // an entry stored before registration dates were kept: its last change is no earlier than its registration
      const registeredAt = entry.registeredAt ?? new Date(rows[0].updated_at as string | Date).toISOString();
      assertRetentionOver({ ...entry, registeredAt }, retention, now);
      await client.query('DELETE FROM purposeful_incidents WHERE id = $1', [id]);
    },
  };
}
