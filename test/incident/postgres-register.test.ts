/**
 * The incident register on PostgreSQL (or embedded PGlite without DATABASE_URL):
 * five years from the registration, the Art. 10 §1 contents, and entries
 * stored before registration dates were kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, postgresIncidentRegister } from '../../src/postgres/index.js';
import { onServer, type TestDb, testDb } from '../postgres/db.js';

let db: TestDb;
// embedded PGlite can take a while to start on a busy machine
beforeAll(async () => {
  db = await testDb();
  await migrate(db.client);
}, 120_000);
afterAll(async () => {
  await db.close();
});

const entry = {
  id: 'INC-PG-2',
  title: 'Backup tape lost in 2020, found in the register review',
  knownAt: '2020-01-10T12:00:00.000Z',
  circumstances: 'A backup tape was lost in transit between data centres.',
  data: { categories: ['user.name'], sensitiveCategories: [] },
  subjects: 800,
  riskAssessment: 'Encrypted tape, key not exposed (LGPD Art. 48 §3): no relevant risk.',
  notified: false,
  reason: 'Unintelligible to third parties.',
};

describe(`the incident register on PostgreSQL (${onServer ? 'server' : 'PGlite'})`, () => {
  it('Res. CD/ANPD 15/2024 Art. 10: five years from the registration, which an update cannot move', async () => {
    const register = postgresIncidentRegister(db.client);
    await register.add(entry);
    const kept = await register.get(entry.id);
    expect(kept?.registeredAt).toBeDefined();
    await expect(register.remove(entry.id, new Date('2025-06-01T00:00:00Z'))).rejects.toThrow(
      expect.objectContaining({ code: 'PF_RETENTION_ACTIVE', article: expect.stringContaining('Art. 10') }),
    );
    const updated = await register.update(entry.id, { registeredAt: '2000-01-01T00:00:00.000Z', subjects: 801 } as never);
    expect(updated).toMatchObject({ registeredAt: kept?.registeredAt, subjects: 801 });
    const fiveYears = new Date(kept?.registeredAt as string);
    fiveYears.setUTCFullYear(fiveYears.getUTCFullYear() + 5);
    await expect(register.remove(entry.id, new Date(fiveYears.getTime() - 1))).rejects.toThrow(
      expect.objectContaining({ code: 'PF_RETENTION_ACTIVE' }),
    );
    await register.remove(entry.id, fiveYears);
    expect(await register.get(entry.id)).toBeUndefined();
  });

  it('Res. CD/ANPD 15/2024 Art. 10: a caller-given registeredAt cannot backdate the registration on PostgreSQL either', async () => {
    const register = postgresIncidentRegister(db.client);
    const recent = { ...entry, id: 'INC-PG-4', knownAt: '2026-11-29T12:00:00.000Z' };
    await expect(register.add({ ...recent, registeredAt: '2001-01-01T00:00:00.000Z' })).rejects.toThrow(
      expect.objectContaining({ code: 'PF_INPUT_INVALID', paths: ['registeredAt'] }),
    );
    await expect(register.add({ ...recent, registeredAt: '2001-01-01T00:00:00.000Z' }, { carriedOver: true })).rejects.toThrow(
      expect.objectContaining({ code: 'PF_INPUT_INVALID', paths: ['registeredAt'] }),
    );
    expect(await register.get('INC-PG-4')).toBeUndefined();
    await register.add({ ...recent, registeredAt: '2026-11-30T12:00:00.000Z' }, { carriedOver: true });
    await expect(register.remove('INC-PG-4', new Date('2031-11-30T11:59:59Z'))).rejects.toThrow(
      expect.objectContaining({ code: 'PF_RETENTION_ACTIVE' }),
    );
    await register.remove('INC-PG-4', new Date('2031-11-30T12:00:00Z'));
  });

  it('Res. CD/ANPD 15/2024 Art. 10 §1: the minimum contents are required, on PostgreSQL too', async () => {
    const register = postgresIncidentRegister(db.client);
    const { riskAssessment: _r, ...bare } = entry;
    await expect(register.add({ ...bare, id: 'INC-PG-3' } as never)).rejects.toThrow(
      expect.objectContaining({ code: 'PF_INPUT_INVALID', paths: ['riskAssessment'] }),
    );
    expect(await register.get('INC-PG-3')).toBeUndefined();
  });

  it('Res. CD/ANPD 15/2024 Art. 10: an entry stored without a registration date is kept five years from its last change, not from its knowledge', async () => {
    // as an earlier version wrote it: knowledge in 2020, no registration date
    await db.client.query('INSERT INTO purposeful_incidents (id, known_at, entry) VALUES ($1, $2, $3)', [
      'INC-LEGACY',
      '2020-01-10T12:00:00.000Z',
      JSON.stringify({ id: 'INC-LEGACY', title: 'Old entry', knownAt: '2020-01-10T12:00:00.000Z', notified: false, reason: 'x' }),
    ]);
    const register = postgresIncidentRegister(db.client);
    expect((await register.get('INC-LEGACY'))?.registeredAt).toBeUndefined(); // not made up
    await expect(register.remove('INC-LEGACY', new Date())).rejects.toThrow(
      expect.objectContaining({ code: 'PF_RETENTION_ACTIVE' }),
    );
    // an update must bring the minimum contents it lacks
    await expect(register.update('INC-LEGACY', { subjects: 3 })).rejects.toThrow(
      expect.objectContaining({ paths: ['circumstances', 'data', 'riskAssessment'] }),
    );
  });
});
