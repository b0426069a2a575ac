/**
 * `diffDataMaps()`: what a change to the declarations starts (or stops)
 * doing with personal data, in words a reviewer reads: new fields, new
 * purposes for a field, wider access, protection removed, longer retention,
 * new recipients or transfers, fields becoming sensitive, and the reverse.
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import { parseDuration } from './duration.js';
import {
  DATA_MAP_FORMAT,
  type DataMap,
  type DataMapAccess,
  type DataMapField,
  type DataMapPurpose,
  type DataMapSchema,
} from './map.js';

/**
 * Whether a change widens processing (more data, more uses, wider access,
 * less protection, longer keeping: needs review), narrows it (good news), or
 * changes it in a way that needs a reading but is neither.
 *
 * @example
 * ```ts
 * const widening = changes.filter((c) => c.direction === 'widening');
 * ```
 */
export type MapChangeDirection = 'widening' | 'narrowing' | 'changed';

/**
 * One change between two data maps. `message` is a sentence for a reviewer; it
 * names schemas, fields and purposes, never a personal value (a map holds none).
 *
 * @example
 * ```ts
 * const change: MapChange = {
 *   kind: 'field.added', direction: 'widening', schema: 'customer', path: 'phone',
 *   message: 'starts collecting customer.phone (user.contact.phone) for support.ticket (clear)',
 * };
 * ```
 */
export interface MapChange {
  /** A stable kind, e.g. `field.added`, `field.access_widened`, `purpose.retention_lengthened`. */
  readonly kind: string;
  readonly direction: MapChangeDirection;
  readonly schema?: string;
  readonly path?: string;
  readonly purpose?: string;
  readonly message: string;
}

const LEVEL_RANK: Readonly<Record<string, number>> = { none: 0, pseudonymized: 1, masked: 2, clear: 3 };
const MFA_RANK: Readonly<Record<string, number>> = { never: 0, sensitive: 1, always: 2 };
const MINORS_RANK: Readonly<Record<string, number>> = { never: 0, possible: 1, always: 2 };

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Approximate length in days, for ordering retentions (a month is a twelfth of a year, so P12M equals P1Y). */
function days(iso: string): number | undefined {
  const d = parseDuration(iso);
  if (!d) return undefined;
  return d.years * 365.25 + (d.months * 365.25) / 12 + d.weeks * 7 + d.days + d.hours / 24 + d.minutes / 1440 + d.seconds / 86400;
}

function describeAccess(a: DataMapAccess): string {
  const roles = a.roles ? Object.entries(a.roles).map(([r, l]) => `${r}: ${l}`) : [];
  return roles.length ? `${a.level}; ${roles.join(', ')}` : a.level;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks that a parsed JSON value is a data map this version reads, and
 * returns it typed. The CLI reads baselines through it.
 *
 * @throws PurposefulError `PF_INPUT_INVALID` naming what is wrong.
 *
 * @example
 * ```ts
 * const baseline = parseDataMap(JSON.parse(readFileSync('privacy-map.json', 'utf8')));
 * const changes = diffDataMaps(baseline, dataMap({ purposes, schemas }));
 * ```
 */
export function parseDataMap(value: unknown): DataMap {
  const bad = (what: string): never => {
    throw new PurposefulError('PF_INPUT_INVALID', `not a purposeful data map: ${what}`);
  };
  if (!isObject(value)) return bad('expected a JSON object');
  if (value.format !== DATA_MAP_FORMAT) return bad(`"format" must be "${DATA_MAP_FORMAT}"`);
  if (!Array.isArray(value.purposes)) return bad('"purposes" must be an array');
  if (!Array.isArray(value.schemas)) return bad('"schemas" must be an array');
  for (const [i, p] of value.purposes.entries()) {
    if (!isObject(p) || typeof p.id !== 'string') bad(`purposes[${i}] needs an id`);
    const q = p as Record<string, unknown>;
    if (!isObject(q.legalBasis) || !isObject(q.retention) || typeof q.retention.duration !== 'string') {
      bad(`purposes[${i}] needs legalBasis and retention.duration`);
    }
    if (!Array.isArray(q.recipients)) bad(`purposes[${i}].recipients must be an array`);
  }
  for (const [i, s] of value.schemas.entries()) {
    if (!isObject(s) || typeof s.id !== 'string' || !Array.isArray(s.fields)) bad(`schemas[${i}] needs an id and fields`);
    for (const [j, f] of (s as { fields: unknown[] }).fields.entries()) {
      if (!isObject(f) || typeof f.path !== 'string' || typeof f.category !== 'string' || !isObject(f.access)) {
        bad(`schemas[${i}].fields[${j}] needs path, category and access`);
      }
    }
  }
  return value as unknown as DataMap;
}

/**
 * Compares a baseline data map with the current one and lists every change,
 * widening first, then by schema, path and purpose: the same order every run.
 *
 * @example
 * ```ts
 * const changes = diffDataMaps(baseline, dataMap({ purposes, schemas: [Customer] }));
 * for (const c of changes) console.log(c.direction === 'widening' ? '⚠' : '✓', c.message);
 * if (changes.some((c) => c.direction === 'widening')) process.exitCode = 1;
 * ```
 */
export function diffDataMaps(base: DataMap, current: DataMap): MapChange[] {
  const out: MapChange[] = [];
  const add = (c: MapChange) => out.push(c);
  diffController(base, current, add);
  const basePurposes = new Map(base.purposes.map((p) => [p.id, p]));
  const curPurposes = new Map(current.purposes.map((p) => [p.id, p]));
  for (const [id, p] of curPurposes) {
    const before = basePurposes.get(id);
    if (!before) {
      add({
        kind: 'purpose.added',
        direction: 'widening',
        purpose: id,
        message: `new purpose ${id} (${bases(p)}, kept ${p.retention.duration}): "${p.description}"`,
      });
    } else diffPurpose(before, p, add);
  }
  for (const id of basePurposes.keys()) {
    if (!curPurposes.has(id))
      add({ kind: 'purpose.removed', direction: 'narrowing', purpose: id, message: `purpose ${id} is gone` });
  }
  const baseSchemas = new Map(base.schemas.map((s) => [s.id, s]));
  const curSchemas = new Map(current.schemas.map((s) => [s.id, s]));
  for (const [id, s] of curSchemas) diffSchema(baseSchemas.get(id), s, add);
  for (const [id, s] of baseSchemas) {
    if (!curSchemas.has(id)) {
      for (const f of s.fields) {
        add({
          kind: 'field.removed',
          direction: 'narrowing',
          schema: id,
          path: f.path,
          message: `stops collecting ${id}.${f.path} (${f.category}): the schema is gone`,
        });
      }
    }
  }
  const rank: Record<MapChangeDirection, number> = { widening: 0, changed: 1, narrowing: 2 };
  return out.sort(
    (a, b) =>
      rank[a.direction] - rank[b.direction] ||
      byKey(a.schema ?? '', b.schema ?? '') ||
      byKey(a.path ?? '', b.path ?? '') ||
      byKey(a.purpose ?? '', b.purpose ?? '') ||
      byKey(a.kind, b.kind) ||
      byKey(a.message, b.message),
  );
}

function bases(p: DataMapPurpose): string {
  return Object.entries(p.legalBasis)
    .map(([law, basis]) => `${law.toUpperCase()}: ${basis}`)
    .join(', ');
}

type Add = (c: MapChange) => void;

function diffController(base: DataMap, current: DataMap, add: Add): void {
  if (JSON.stringify(base.controller ?? null) !== JSON.stringify(current.controller ?? null)) {
    add({ kind: 'controller.changed', direction: 'changed', message: 'the controller or its DPO contact changed' });
  }
}

function diffPurpose(a: DataMapPurpose, b: DataMapPurpose, add: Add): void {
  const purpose = b.id;
  const say = (kind: string, direction: MapChangeDirection, message: string) => add({ kind, direction, purpose, message });
  if (JSON.stringify(a.legalBasis) !== JSON.stringify(b.legalBasis)) {
    say('purpose.basis_changed', 'changed', `${purpose}: legal basis changed from ${bases(a)} to ${bases(b)}`);
  }
  if (JSON.stringify(a.sensitiveBasis ?? null) !== JSON.stringify(b.sensitiveBasis ?? null)) {
    say('purpose.sensitive_basis_changed', 'changed', `${purpose}: the basis for sensitive data changed`);
  }
  const da = days(a.retention.duration);
  const db = days(b.retention.duration);
  if (da !== undefined && db !== undefined && Math.abs(da - db) > 1e-6) {
    const longer = db > da;
    say(
      longer ? 'purpose.retention_lengthened' : 'purpose.retention_shortened',
      longer ? 'widening' : 'narrowing',
      `${purpose}: data is kept ${longer ? 'longer' : 'for less time'}, ${a.retention.duration} → ${b.retention.duration}`,
    );
  } else if (da === undefined || db === undefined ? a.retention.duration !== b.retention.duration : false) {
    say(
      'purpose.retention_changed',
      'changed',
      `${purpose}: retention changed, ${a.retention.duration} → ${b.retention.duration}`,
    );
  }
  if ((a.retention.from ?? '') !== (b.retention.from ?? '')) {
    say(
      'purpose.retention_changed',
      'changed',
      `${purpose}: retention now counts from ${b.retention.from ?? 'collection'} (was ${a.retention.from ?? 'collection'})`,
    );
  }
  const ra = new Map(a.recipients.map((r) => [r.name, r]));
  const rb = new Map(b.recipients.map((r) => [r.name, r]));
  for (const [name, r] of rb) {
    const before = ra.get(name);
    if (!before) {
      say(
        'purpose.recipient_added',
        'widening',
        `${purpose}: data is now shared with ${name} (${r.role}${r.country ? `, ${r.country}` : ''})`,
      );
    } else if (before.role !== r.role || (before.country ?? '') !== (r.country ?? '')) {
      say(
        'purpose.recipient_changed',
        'changed',
        `${purpose}: recipient ${name} is now ${r.role}${r.country ? ` in ${r.country}` : ''} (was ${before.role}${before.country ? ` in ${before.country}` : ''})`,
      );
    }
  }
  for (const name of ra.keys()) {
    if (!rb.has(name)) say('purpose.recipient_removed', 'narrowing', `${purpose}: data is no longer shared with ${name}`);
  }
  const ca = new Set(a.transfer?.countries ?? []);
  const cb = new Set(b.transfer?.countries ?? []);
  const newCountries = [...cb].filter((c) => !ca.has(c));
  const goneCountries = [...ca].filter((c) => !cb.has(c));
  if (newCountries.length) {
    say(
      'purpose.transfer_added',
      'widening',
      `${purpose}: data now goes abroad to ${newCountries.join(', ')} (${b.transfer?.mechanism ?? 'no mechanism'})`,
    );
  }
  if (goneCountries.length) {
    say('purpose.transfer_removed', 'narrowing', `${purpose}: data no longer goes to ${goneCountries.join(', ')}`);
  }
  if (a.transfer && b.transfer && a.transfer.mechanism !== b.transfer.mechanism) {
    say(
      'purpose.transfer_changed',
      'changed',
      `${purpose}: the transfer mechanism changed from ${a.transfer.mechanism} to ${b.transfer.mechanism}`,
    );
  }
  // who may act: no list means anyone may
  const rolesA = a.roles;
  const rolesB = b.roles;
  if (rolesA && !rolesB)
    say('purpose.roles_widened', 'widening', `${purpose}: any role may now act for it (was ${rolesA.join(', ')})`);
  else if (!rolesA && rolesB)
    say('purpose.roles_narrowed', 'narrowing', `${purpose}: only ${rolesB.join(', ')} may act for it now`);
  else if (rolesA && rolesB) {
    const added = rolesB.filter((r) => !rolesA.includes(r));
    const removed = rolesA.filter((r) => !rolesB.includes(r));
    if (added.length) say('purpose.roles_widened', 'widening', `${purpose}: role(s) ${added.join(', ')} may now act for it`);
    if (removed.length)
      say('purpose.roles_narrowed', 'narrowing', `${purpose}: role(s) ${removed.join(', ')} may no longer act for it`);
  }
  const ma = MFA_RANK[a.mfa ?? 'never'] ?? 0;
  const mb = MFA_RANK[b.mfa ?? 'never'] ?? 0;
  if (mb < ma)
    say(
      'purpose.mfa_weakened',
      'widening',
      `${purpose}: a second factor is required less often (${a.mfa} → ${b.mfa ?? 'never'})`,
    );
  if (mb > ma)
    say(
      'purpose.mfa_strengthened',
      'narrowing',
      `${purpose}: a second factor is required more often (${a.mfa ?? 'never'} → ${b.mfa})`,
    );
  if ((a.notice?.version ?? '') !== (b.notice?.version ?? '')) {
    say('purpose.notice_changed', 'changed', `${purpose}: the notice is now version ${b.notice?.version ?? '(none)'}`);
  }
}

function diffSchema(a: DataMapSchema | undefined, b: DataMapSchema, add: Add): void {
  const schema = b.id;
  if (a?.subject && b.subject && (MINORS_RANK[b.subject.minors] ?? 0) !== (MINORS_RANK[a.subject.minors] ?? 0)) {
    const wider = (MINORS_RANK[b.subject.minors] ?? 0) > (MINORS_RANK[a.subject.minors] ?? 0);
    add({
      kind: wider ? 'schema.minors_widened' : 'schema.minors_narrowed',
      direction: wider ? 'widening' : 'narrowing',
      schema,
      message: `${schema}: minors among its subjects is now "${b.subject.minors}" (was "${a.subject.minors}")`,
    });
  }
  const before = new Map((a?.fields ?? []).map((f) => [f.path, f]));
  const after = new Map(b.fields.map((f) => [f.path, f]));
  for (const [path, f] of after) {
    const old = before.get(path);
    if (!old) {
      const uses = Object.entries(f.access)
        .map(([p, acc]) => `${p} (${describeAccess(acc)})`)
        .join(', ');
      add({
        kind: 'field.added',
        direction: 'widening',
        schema,
        path,
        message: `starts collecting ${schema}.${path} (${f.category}${f.sensitive ? ', sensitive' : ''}) for ${uses || 'no purpose'}`,
      });
    } else diffField(schema, old, f, add);
  }
  for (const [path, f] of before) {
    if (!after.has(path)) {
      add({
        kind: 'field.removed',
        direction: 'narrowing',
        schema,
        path,
        message: `stops collecting ${schema}.${path} (${f.category})`,
      });
    }
  }
}

function diffField(schema: string, a: DataMapField, b: DataMapField, add: Add): void {
  const path = b.path;
  const where = `${schema}.${path}`;
  const say = (kind: string, direction: MapChangeDirection, message: string, purpose?: string) =>
    add(purpose === undefined ? { kind, direction, schema, path, message } : { kind, direction, schema, path, purpose, message });
  if (!a.sensitive && b.sensitive) say('field.sensitive', 'widening', `${where} becomes sensitive data (${b.category})`);
  else if (a.sensitive && !b.sensitive)
    say('field.no_longer_sensitive', 'narrowing', `${where} is no longer sensitive data (${b.category})`);
  else if (a.category !== b.category)
    say('field.category_changed', 'changed', `${where}: category ${a.category} → ${b.category}`);
  if (a.encrypted && !b.encrypted) say('field.encryption_removed', 'widening', `${where} is no longer encrypted`);
  if (!a.encrypted && b.encrypted) say('field.encryption_added', 'narrowing', `${where} is now encrypted`);
  if (a.redaction && !b.redaction) say('field.redaction_removed', 'widening', `${where}: free text is no longer redacted`);
  if (!a.redaction && b.redaction) say('field.redaction_added', 'narrowing', `${where}: free text is now redacted`);
  if ((a.index ?? '') !== (b.index ?? '')) {
    say(
      'field.index_changed',
      'changed',
      b.index ? `${where} can be looked up by blind index ${b.index}` : `${where} has no blind index now`,
    );
  }
  if ((a.mask ?? '') !== (b.mask ?? '') && a.mask !== undefined && b.mask !== undefined) {
    say('field.mask_changed', 'changed', `${where}: mask ${a.mask} → ${b.mask}`);
  }
  const purposes = [...new Set([...Object.keys(a.access), ...Object.keys(b.access)])].sort(byKey);
  for (const p of purposes) {
    const before = a.access[p];
    const after = b.access[p];
    const rankOf = (acc: DataMapAccess | undefined, role?: string) =>
      LEVEL_RANK[(role === undefined ? acc?.level : (acc?.roles?.[role] ?? acc?.level)) ?? 'none'] ?? 0;
    if (!before || (rankOf(before) === 0 && !before.roles)) {
      if (after && (rankOf(after) > 0 || after.roles)) {
        say('field.purpose_added', 'widening', `${where} is now used for ${p} (${describeAccess(after)})`, p);
      }
      continue;
    }
    if (!after || (rankOf(after) === 0 && !after.roles)) {
      say('field.purpose_removed', 'narrowing', `${where} is no longer used for ${p}`, p);
      continue;
    }
    const roles = [...new Set([...Object.keys(before.roles ?? {}), ...Object.keys(after.roles ?? {})])].sort(byKey);
    for (const role of [undefined, ...roles]) {
      const x = rankOf(before, role);
      const y = rankOf(after, role);
      if (x === y) continue;
      const who = role === undefined ? '' : ` for role ${role}`;
      const from = role === undefined ? before.level : (before.roles?.[role] ?? before.level);
      const to = role === undefined ? after.level : (after.roles?.[role] ?? after.level);
      say(
        y > x ? 'field.access_widened' : 'field.access_narrowed',
        y > x ? 'widening' : 'narrowing',
        `${where}: ${p}${who} now sees it ${to} (was ${from})`,
        p,
      );
    }
  }
}
