/**
 * `minimize()`: data minimization (LGPD Art. 6 III, necessidade; GDPR Art. 5(1)(c))
 * for one purpose, in either direction.
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import type { PurposefulSchema } from '../schema/define.js';
import type { Outbound } from '../schema/types.js';
import { assertPurpose } from './cache.js';
import type { Direction, Limits } from './plan.js';
import { checkLimits, runMinimize } from './run.js';

/**
 * Options of {@link minimize}.
 *
 * @example
 * ```ts
 * const options: MinimizeOptions = { direction: 'outbound', roles: ['supervisor'], maxDepth: 16 };
 * const view = minimize(Customer, 'support.ticket', record, options); // phone in clear: supervisors may see it
 * minimize(Customer, 'support.survey', body, { direction: 'inbound', undeclared: 'strip' }); // only what the survey collects
 * ```
 * @category Minimization
 */
export interface MinimizeOptions extends Limits {
  /** `inbound` rejects (or strips) fields not declared for the purpose; `outbound` projects and masks. */
  readonly direction: Direction;
  /** The actor's role, for role-dependent levels. */
  readonly role?: string;
  /** The actor's roles; an actor with several gets the widest level. */
  readonly roles?: readonly string[];
  /** Inbound only: `reject` (default) throws `PF_UNDECLARED_FIELD` listing every path; `strip` drops them. */
  readonly undeclared?: 'reject' | 'strip';
  /** Root key for pseudonymized fields (at least 32 random bytes). Required when the purpose sees any. */
  readonly pseudonymKey?: Uint8Array;
}

const NO_ROLES: readonly string[] = Object.freeze([]);

/**
 * Minimizes `data` for one purpose. The plan is compiled once per (schema,
 * purpose, direction, relevant roles) and cached.
 *
 * - `inbound`: every field not declared for the purpose is rejected with
 *   `PF_UNDECLARED_FIELD`, every offending path listed (or dropped with
 *   `undeclared: 'strip'`). Values are not validated here: the engine's
 *   `inbound` also runs zod.
 * - `outbound`: fields the purpose may not see are projected away; masked
 *   ones are masked, pseudonymized ones replaced by a keyed token.
 * - A field declared neither with `pd()` nor with `pd.none()` is declared for
 *   no purpose (rejected inbound, projected away outbound) unless the schema
 *   was defined with `unannotated: 'allow'`.
 *
 * Output objects are built only from declared keys (`__proto__` and friends are
 * never copied); depth and size limits apply; nothing recurses deeper than
 * `maxDepth`. Any failure is a `PurposefulError`.
 *
 * @example
 * ```ts
 * const view = minimize(Customer, 'support.ticket', record, { direction: 'outbound' });
 * // view.cpf === '***.***.**7-25'; no `accessibility` key
 *
 * minimize(Customer, 'support.survey', { email: 'a@b.co', cpf: '529.982.247-25' }, { direction: 'inbound' });
 * // throws PurposefulError PF_UNDECLARED_FIELD, paths: ['cpf']
 * ```
 * @category Minimization
 */
export function minimize<S extends PurposefulSchema, P extends string>(
  schema: S,
  purpose: P,
  data: unknown,
  options: MinimizeOptions & { direction: 'outbound' },
): Outbound<S, P>;
export function minimize<S extends PurposefulSchema, P extends string>(
  schema: S,
  purpose: P,
  data: unknown,
  options: MinimizeOptions,
): Record<string, unknown>;
export function minimize(schema: PurposefulSchema, purpose: string, data: unknown, options: MinimizeOptions): unknown {
  assertPurpose(schema, purpose);
  const direction = options?.direction;
  if (direction !== 'inbound' && direction !== 'outbound') {
    throw new PurposefulError('PF_OPTIONS_INVALID', "minimize(): direction must be 'inbound' or 'outbound'");
  }
  if (options.undeclared !== undefined && options.undeclared !== 'reject' && options.undeclared !== 'strip') {
    throw new PurposefulError('PF_OPTIONS_INVALID', "minimize(): undeclared must be 'reject' or 'strip'");
  }
  const roles = options.roles ?? (options.role !== undefined ? [options.role] : NO_ROLES);
  return runMinimize(
    schema,
    purpose,
    data,
    direction,
    roles,
    options.undeclared === 'strip',
    checkLimits(options),
    options.pseudonymKey,
    false,
    schema.unannotated ?? 'deny',
  );
}
