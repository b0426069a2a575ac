/**
 * The access level an actor gets to a field for a purpose, from the levels the
 * declaration lists per role and its default.
 *
 * @module
 * @internal
 */

import type { AccessLevel } from '../schema/annotation.js';
import type { FieldAccess } from '../schema/walk.js';

const RANK: Record<AccessLevel | 'none', number> = { none: 0, pseudonymized: 1, masked: 2, clear: 3 };

/**
 * The level an actor with `roles` gets: the widest level among its roles that
 * the declaration lists, or the default when it lists none of them (so a role
 * listed as `none` hides the field even though the default would show it).
 */
export function resolveLevel(access: FieldAccess | undefined, roles: readonly string[]): AccessLevel | 'none' {
  if (!access) return 'none';
  if (!access.roles) return access.level;
  let listed = false;
  let level: AccessLevel | 'none' = 'none';
  for (const r of roles) {
    if (!Object.hasOwn(access.roles, r)) continue;
    listed = true;
    const l = access.roles[r] as AccessLevel | 'none';
    if (RANK[l] > RANK[level]) level = l;
  }
  return listed ? level : access.level;
}
