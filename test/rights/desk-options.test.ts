/**
 * `rightsDesk()` refuses an option it does not know: a misspelt store (`blocking` for `blockings`) would otherwise
 * leave blockings and objections in memory, lost on restart (LGPD Art. 5 XIII, 18 §2, 18 IV; GDPR Art. 18, 21).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createPurposeful,
  defineSchema,
  memoryBlockingStore,
  memoryObjectionStore,
  memoryRightsStore,
  pd,
  rightsDesk,
} from '../../src/index.js';
import { purposes } from '../helpers/fixtures.js';

const S = defineSchema('s', z.object({ id: pd.none(z.string()) }), { purposes });
const base = { verify: () => true, sources: {} };

function refusal(make: () => unknown): { code?: string; message?: string } {
  try {
    make();
  } catch (err) {
    return err as { code?: string; message?: string };
  }
  return {};
}

describe('rightsDesk() options (LGPD Art. 18 IV, 18 §2; GDPR Art. 18, 21: blockings and objections kept where configured)', () => {
  it('a misspelt option is refused, naming it and the closest known one', () => {
    for (const [typo, meant] of [
      ['blocking', 'blockings'],
      ['objection', 'objections'],
      ['stor', 'store'],
      ['recipient', 'recipients'],
      ['timezone', 'timeZone'],
    ] as const) {
      const r = refusal(() => rightsDesk({ ...base, [typo]: {} } as never));
      expect(r.code).toBe('PF_OPTIONS_INVALID');
      expect(r.message).toContain(`"${typo}"`);
      expect(r.message).toContain(`did you mean "${meant}"`);
    }
    // an option far from every known one lists them instead
    const far = refusal(() => rightsDesk({ ...base, persistence: {} } as never));
    expect(far.code).toBe('PF_OPTIONS_INVALID');
    expect(far.message).toMatch(/"persistence".*blockings/);
    // nothing reaches an engine either
    expect(() => createPurposeful({ purposes, schemas: [S], rights: rightsDesk({ ...base, blocking: {} } as never) })).toThrow(
      expect.objectContaining({ code: 'PF_OPTIONS_INVALID' }),
    );
  });

  it('option values of the wrong kind are refused when the desk is made', () => {
    for (const [key, value] of [
      ['verify', undefined],
      ['verify', 'yes'],
      ['sources', undefined],
      ['sources', []],
      ['store', {}],
      ['store', 'postgres'],
      ['objections', { put: async () => {} }],
      ['blockings', null],
      ['recipients', 'Helpdesk'],
      ['timeZone', 3],
      ['smallAgent', 'yes'],
      ['reviewer', {}],
      ['lgpdDays', 15],
      ['supervisoryAuthority', 'ANPD'],
      ['aboutOthers', 'notes'],
    ] as const) {
      const r = refusal(() => rightsDesk({ ...base, [key]: value } as never));
      expect({ key, value, code: r.code }).toEqual({ key, value, code: 'PF_OPTIONS_INVALID' });
      expect(r.message).toContain(key);
    }
  });

  it('the known options, spelt right, are taken', () => {
    const desk = rightsDesk({
      ...base,
      store: memoryRightsStore(),
      objections: memoryObjectionStore(),
      blockings: memoryBlockingStore(),
      recipients: {},
      timeZone: 'America/Sao_Paulo',
      smallAgent: false,
      reviewer: () => {},
      lgpdDays: {},
      supervisoryAuthority: { name: 'ANPD' },
      aboutOthers: {},
    });
    expect(createPurposeful({ purposes, schemas: [S], rights: desk }).rights.request).toBeTypeOf('function');
  });
});
