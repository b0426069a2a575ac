/**
 * The request store of the rights desk: the one in memory, and how a request
 * is read back before it is answered.
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import { byKey } from '../util/text.js';
import type { RightsKind } from './deadlines.js';
import { unverified } from './intake.js';
import type { RightsRequest, RightsRequestStore } from './types.js';

/**
 * A request store in memory.
 *
 * @example
 * ```ts
 * const pf = createPurposeful({ purposes, schemas, rights: rightsDesk({ verify, sources, store: memoryRightsStore() }) });
 * ```
 * @category Rights and retention
 */
export function memoryRightsStore(): RightsRequestStore {
  const m = new Map<string, RightsRequest>();
  return {
    put: async (r) => {
      m.set(r.id, Object.freeze({ ...r }));
    },
    get: async (id) => m.get(id),
    list: async () => [...m.values()].sort((a, b) => byKey(a.receivedAt, b.receivedAt)),
  };
}

/**
 * A stored request. Given `kinds`, it must be of one of them and its requester's identity proven: nothing is
 * answered for a requester whose identity is not (GDPR Art. 12(6); LGPD Art. 18 §3).
 */
export async function openRequest(store: RightsRequestStore, id: string, kinds?: readonly RightsKind[]): Promise<RightsRequest> {
  const r = await store.get(id);
  if (!r) throw new PurposefulError('PF_INPUT_INVALID', `no request ${id}`);
  if (kinds && !kinds.includes(r.kind)) throw new PurposefulError('PF_INPUT_INVALID', `request ${id} is a ${r.kind} request`);
  // nothing is answered for a requester whose identity is not proven (GDPR Art. 12(6); LGPD Art. 18 §3)
  if (kinds && r.status === 'unverified') throw unverified(r);
  return r;
}
