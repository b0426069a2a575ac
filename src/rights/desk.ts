/**
 * `rightsDesk()`: the data-subject request desk, registered with
 * `createPurposeful({ rights: rightsDesk({ verify, sources }) })`. The desk's
 * code is reached only through this function, so an application that never
 * answers data-subject requests (a single route, an Edge function) does not
 * ship it.
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import { refuseUnknownOptions } from '../util/closest.js';
import { assertBlockingStore } from './blocking.js';
import { assertObjectionStore } from './opposition.js';
import { createRights, type Rights, type RightsInternals, type RightsOptions } from './rights.js';

/**
 * The data-subject request desk, as {@link rightsDesk} makes it: give it to
 * `createPurposeful({ rights })`, then use `pf.rights`.
 *
 * @example
 * ```ts
 * const desk: RightsDesk = rightsDesk({ verify: async () => ({ verified: true }), sources: {} });
 * const pf = createPurposeful({ purposes, schemas: [Customer], rights: desk });
 * ```
 * @category Rights and retention
 */
export interface RightsDesk {
  /** The options the desk was made with. */
  readonly options: RightsOptions;
}

/**
 * How a desk builds `pf.rights`, under a registry symbol: shared by the ESM and CJS copies of the package, so that a
 * desk made by one is taken by the engine of the other.
 */
const BUILD = Symbol.for('purposeful.rightsDesk.v1');
type Built = RightsDesk & { readonly [BUILD]?: unknown };

/**
 * Every option of the desk, with the kind its value must have (`undefined` aside for the optional ones), so that a
 * misspelt one (`blocking` for `blockings`, which would keep blockings in memory, lost on restart) is refused, not
 * ignored. What needs the engine (the schemas, the purposes) is checked when the engine is created.
 */
const DESK_OPTIONS: { readonly [K in keyof Required<RightsOptions>]: (value: unknown) => string | undefined } = {
  verify: (v) => (typeof v === 'function' ? undefined : 'a function that proves the requester’s identity'),
  sources: (v) => (isRecord(v) ? undefined : 'an object: per schema id, { find, update? }'),
  lgpdDays: (v) => (isRecord(v) ? undefined : 'an object: per request kind, a number of days'),
  recipients: (v) => (isRecord(v) ? undefined : 'an object: per recipient, its hook or { unreachable: reason }'),
  store: (v) =>
    isRecord(v) && ['put', 'get', 'list'].every((k) => typeof v[k] === 'function')
      ? undefined
      : 'a request store: { put, get, list }',
  timeZone: (v) => (typeof v === 'string' ? undefined : 'an IANA time zone name'),
  smallAgent: (v) => (typeof v === 'boolean' ? undefined : 'true or false'),
  aboutOthers: (v) => (isRecord(v) ? undefined : 'an object: per schema id, the fields that hold other people’s data'),
  reviewer: (v) => (typeof v === 'function' ? undefined : 'a function that hands a review to a person'),
  objections: (v) => kindOf(() => assertObjectionStore(v)),
  blockings: (v) => kindOf(() => assertBlockingStore(v)),
  supervisoryAuthority: (v) => (isRecord(v) ? undefined : '{ name, url? }'),
};
const REQUIRED: ReadonlySet<string> = new Set(['verify', 'sources']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The message of a store check that refuses, or `undefined`. */
function kindOf(check: () => void): string | undefined {
  try {
    check();
    return undefined;
  } catch (err) {
    if (err instanceof PurposefulError) return err.message.replace(/^rights\.\w+ must be /, '');
    throw err;
  }
}

/** `PF_OPTIONS_INVALID` for an unknown option (named, with the closest known one) or a value of the wrong kind. */
function assertDeskOptions(options: object): void {
  refuseUnknownOptions(options, DESK_OPTIONS, 'rightsDesk()');
  for (const [key, kind] of Object.entries(DESK_OPTIONS)) {
    const value = (options as Record<string, unknown>)[key];
    if (value === undefined && !REQUIRED.has(key)) continue;
    const expected = kind(value);
    if (expected !== undefined) {
      throw new PurposefulError('PF_OPTIONS_INVALID', `rightsDesk() option ${key} must be ${expected}`);
    }
  }
}

/**
 * Makes the data-subject request desk (LGPD Art. 18–19; GDPR Art. 12–22) for
 * `createPurposeful({ rights })`: identity verification, the requests and
 * their deadlines, access and portability answers, correction, erasure,
 * objection, blocking and review, each answered from your `sources`. An
 * unknown option (a misspelt `blockings`, say) or a value of the wrong kind is
 * refused here (`PF_OPTIONS_INVALID`, naming it); what depends on the engine's
 * schemas and purposes is checked when the engine is created.
 *
 * @example
 * ```ts
 * import { createPurposeful, rightsDesk } from 'purposeful';
 *
 * const pf = createPurposeful({
 *   purposes,
 *   schemas: [Customer],
 *   rights: rightsDesk({
 *     verify: async ({ subjectId, verification }) => ({ verified: await codes.check(subjectId, verification) }),
 *     sources: { customer: { find: (id) => db.customers.findBySubject(id), update: (id, row) => db.customers.save(row) } },
 *   }),
 * });
 * const request = await pf.rights.request({ subjectId, kind: 'access', verification: { code } });
 * ```
 * @category Rights and retention
 */
export function rightsDesk(options: RightsOptions): RightsDesk {
  if (typeof options !== 'object' || options === null) {
    throw new PurposefulError('PF_OPTIONS_INVALID', 'rightsDesk() takes the desk options { verify, sources }');
  }
  assertDeskOptions(options);
  const build = (internals: RightsInternals): Rights => createRights(internals, options);
  return Object.freeze({ options, [BUILD]: build });
}

/**
 * How the engine builds `pf.rights` from `createPurposeful({ rights })`: the
 * desk's builder, or an error naming the migration when the option is not a
 * desk.
 *
 * @internal
 */
export function deskBuilder(rights: unknown): ((internals: RightsInternals) => Rights) | undefined {
  if (rights === undefined) return undefined;
  const build = typeof rights === 'object' && rights !== null ? (rights as Built)[BUILD] : undefined;
  if (typeof build !== 'function') {
    throw new PurposefulError(
      'PF_OPTIONS_INVALID',
      'rights must be a desk: createPurposeful({ rights: rightsDesk({ verify, sources }) })',
    );
  }
  return build as (internals: RightsInternals) => Rights;
}

const RIGHTS_METHODS = [
  'request',
  'extend',
  'complete',
  'get',
  'list',
  'confirmation',
  'access',
  'portability',
  'correct',
  'sharingInfo',
  'consentInfo',
  'verify',
  'oppose',
  'dismissOpposition',
  'objections',
  'review',
  'erase',
  'revoke',
  'eraseConsentData',
  'block',
  'unblock',
] as const satisfies readonly (keyof Rights)[];

/**
 * `pf.rights` of an engine created without a desk: every method refuses.
 *
 * @internal
 */
export function rightsOff(): Rights {
  const off = (): never => {
    throw new PurposefulError(
      'PF_OPTIONS_INVALID',
      'data-subject requests need createPurposeful({ rights: rightsDesk({ verify, sources }) })',
    );
  };
  return Object.fromEntries(RIGHTS_METHODS.map((m) => [m, off])) as unknown as Rights;
}
