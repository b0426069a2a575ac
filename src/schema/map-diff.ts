/**
 * `diffDataMaps()`: what a change to the declarations starts (or stops)
 * doing with personal data, in words a reviewer reads: new fields, new
 * purposes for a field, wider access, protection removed, longer retention,
 * new recipients or transfers, fields becoming sensitive, and the reverse.
 *
 * @module
 */
import { PurposefulError } from '../errors.js';
import { byKey } from '../util/text.js';
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
 * @category Data map
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
 * @category Data map
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
const ROLE_RANK: Readonly<Record<string, number>> = { processor: 0, joint_controller: 1, controller: 2 };
/** How much of a free-text value a redaction style leaves: a label nothing, a token a linkable pseudonym, a mask a part. */
const STYLE_RANK: Readonly<Record<string, number>> = { label: 0, token: 1, mask: 2 };
/** The lowest confidence redacted: `low` redacts the most. */
const THRESHOLD_RANK: Readonly<Record<string, number>> = { low: 0, medium: 1, high: 2 };

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
 * @category Data map
 */
export function parseDataMap(value: unknown): DataMap {
  const bad = (what: string): never => {
    throw new PurposefulError('PF_INPUT_INVALID', `not a purposeful data map: ${what}`);
  };
  const str = (v: unknown, at: string) => typeof v === 'string' || bad(`${at} must be a string`);
  const optStr = (v: unknown, at: string) => v === undefined || str(v, at);
  const strs = (v: unknown, at: string) =>
    (Array.isArray(v) && v.every((x) => typeof x === 'string')) || bad(`${at} must be a list of strings`);
  const optStrs = (v: unknown, at: string) => v === undefined || strs(v, at);
  const record = (v: unknown, at: string) =>
    (isObject(v) && Object.values(v).every((x) => typeof x === 'string')) || bad(`${at} must map names to strings`);
  const obj = (v: unknown, at: string): Record<string, unknown> => (isObject(v) ? v : bad(`${at} must be an object`));
  const list = (v: unknown, at: string): unknown[] => (Array.isArray(v) ? v : bad(`${at} must be a list`));

  const map = obj(value, 'the document');
  if (map.format !== DATA_MAP_FORMAT) bad(`"format" must be "${DATA_MAP_FORMAT}"`);
  if (map.controller !== undefined) {
    const c = obj(map.controller, 'controller');
    str(c.name, 'controller.name');
    str(c.contact, 'controller.contact');
    if (c.dpo !== undefined) str(obj(c.dpo, 'controller.dpo').contact, 'controller.dpo.contact');
  }
  for (const [i, item] of list(map.purposes, '"purposes"').entries()) {
    const at = `purposes[${i}]`;
    const p = obj(item, at);
    str(p.id, `${at}.id`);
    str(p.description, `${at}.description`);
    record(p.legalBasis, `${at}.legalBasis`);
    if (p.sensitiveBasis !== undefined) record(p.sensitiveBasis, `${at}.sensitiveBasis`);
    strs(p.consentUnder, `${at}.consentUnder`);
    const r = obj(p.retention, `${at}.retention`);
    str(r.duration, `${at}.retention.duration`);
    optStr(r.from, `${at}.retention.from`);
    for (const [j, rec] of list(p.recipients, `${at}.recipients`).entries()) {
      const x = obj(rec, `${at}.recipients[${j}]`);
      str(x.name, `${at}.recipients[${j}].name`);
      str(x.role, `${at}.recipients[${j}].role`);
      optStr(x.country, `${at}.recipients[${j}].country`);
    }
    if (p.transfer !== undefined) {
      const t = obj(p.transfer, `${at}.transfer`);
      strs(t.countries, `${at}.transfer.countries`);
      str(t.mechanism, `${at}.transfer.mechanism`);
    }
    if (p.notice !== undefined) str(obj(p.notice, `${at}.notice`).version, `${at}.notice.version`);
    optStrs(p.roles, `${at}.roles`);
    optStr(p.mfa, `${at}.mfa`);
    optStr(p.dataUse, `${at}.dataUse`);
    optStr(p.obligation, `${at}.obligation`);
    strs(p.dataCategories, `${at}.dataCategories`);
    strs(p.subjectCategories, `${at}.subjectCategories`);
    strs(p.fields, `${at}.fields`);
    if (typeof p.sensitive !== 'boolean') bad(`${at}.sensitive must be true or false`);
  }
  for (const [i, item] of list(map.schemas, '"schemas"').entries()) {
    const at = `schemas[${i}]`;
    const sc = obj(item, at);
    str(sc.id, `${at}.id`);
    if (sc.subject !== undefined) {
      const sub = obj(sc.subject, `${at}.subject`);
      str(sub.kind, `${at}.subject.kind`);
      str(sub.minors, `${at}.subject.minors`);
    }
    for (const [j, field] of list(sc.fields, `${at}.fields`).entries()) {
      const fat = `${at}.fields[${j}]`;
      const f = obj(field, fat);
      if (typeof f.path !== 'string' || typeof f.category !== 'string' || !isObject(f.access)) {
        bad(`${fat} needs path, category and access`);
      }
      optStr(f.id, `${fat}.id`);
      if (typeof f.sensitive !== 'boolean' || typeof f.encrypted !== 'boolean')
        bad(`${fat}.sensitive and .encrypted must be true or false`);
      for (const [purpose, acc] of Object.entries(f.access as Record<string, unknown>)) {
        const a = obj(acc, `${fat}.access.${purpose}`);
        str(a.level, `${fat}.access.${purpose}.level`);
        if (a.roles !== undefined) record(a.roles, `${fat}.access.${purpose}.roles`);
      }
      optStr(f.index, `${fat}.index`);
      optStr(f.mask, `${fat}.mask`);
      optStr(f.anonymize, `${fat}.anonymize`);
      if (f.anonymizeText !== undefined) {
        const t = obj(f.anonymizeText, `${fat}.anonymizeText`);
        strs(t.vocabulary, `${fat}.anonymizeText.vocabulary`);
        str(t.residualRisk, `${fat}.anonymizeText.residualRisk`);
      }
      if (f.redaction !== undefined) {
        const r = obj(f.redaction, `${fat}.redaction`);
        str(r.style, `${fat}.redaction.style`);
        str(r.threshold, `${fat}.redaction.threshold`);
        optStrs(r.types, `${fat}.redaction.types`);
      }
    }
  }
  return value as DataMap;
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
 * @category Data map
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

/** One purpose's changes, each reported through `say`, which names the purpose. */
function diffPurpose(a: DataMapPurpose, b: DataMapPurpose, add: Add): void {
  const purpose = b.id;
  const say: Say = (kind, direction, message) => add({ kind, direction, purpose, message });
  if (JSON.stringify(a.legalBasis) !== JSON.stringify(b.legalBasis)) {
    say('purpose.basis_changed', 'changed', `${purpose}: legal basis changed from ${bases(a)} to ${bases(b)}`);
  }
  if (JSON.stringify(a.sensitiveBasis ?? null) !== JSON.stringify(b.sensitiveBasis ?? null)) {
    say('purpose.sensitive_basis_changed', 'changed', `${purpose}: the basis for sensitive data changed`);
  }
  diffRetention(a, b, say);
  diffRecipients(a, b, say);
  diffTransfer(a, b, say);
  diffWhoMayAct(a, b, say);
  if ((a.obligation ?? '') !== (b.obligation ?? '')) {
    say(
      'purpose.obligation_changed',
      'changed',
      `${purpose}: legal obligation ${a.obligation ?? '(none)'} → ${b.obligation ?? '(none)'}`,
    );
  }
  if ((a.dataUse ?? '') !== (b.dataUse ?? '')) {
    say('purpose.data_use_changed', 'changed', `${purpose}: data use ${a.dataUse ?? '(none)'} → ${b.dataUse ?? '(none)'}`);
  }
  if ((a.notice?.version ?? '') !== (b.notice?.version ?? '')) {
    say('purpose.notice_changed', 'changed', `${purpose}: the notice is now version ${b.notice?.version ?? '(none)'}`);
  }
}

/** How long data is kept, and from when. */
function diffRetention(a: DataMapPurpose, b: DataMapPurpose, say: Say): void {
  const da = days(a.retention.duration);
  const db = days(b.retention.duration);
  if (da !== undefined && db !== undefined && Math.abs(da - db) > 1e-6) {
    const longer = db > da;
    say(
      longer ? 'purpose.retention_lengthened' : 'purpose.retention_shortened',
      longer ? 'widening' : 'narrowing',
      `${b.id}: data is kept ${longer ? 'longer' : 'for less time'}, ${a.retention.duration} → ${b.retention.duration}`,
    );
  } else if (da === undefined || db === undefined ? a.retention.duration !== b.retention.duration : false) {
    say('purpose.retention_changed', 'changed', `${b.id}: retention changed, ${a.retention.duration} → ${b.retention.duration}`);
  }
  if ((a.retention.from ?? '') !== (b.retention.from ?? '')) {
    say(
      'purpose.retention_changed',
      'changed',
      `${b.id}: retention now counts from ${b.retention.from ?? 'collection'} (was ${a.retention.from ?? 'collection'})`,
    );
  }
}

/** Recipients added, removed, or with a new role or country. */
function diffRecipients(a: DataMapPurpose, b: DataMapPurpose, say: Say): void {
  const ra = new Map(a.recipients.map((r) => [r.name, r]));
  const rb = new Map(b.recipients.map((r) => [r.name, r]));
  for (const [name, r] of rb) {
    const before = ra.get(name);
    if (!before) {
      say(
        'purpose.recipient_added',
        'widening',
        `${b.id}: data is now shared with ${name} (${r.role}${r.country ? `, ${r.country}` : ''})`,
      );
    } else if (before.role !== r.role || (before.country ?? '') !== (r.country ?? '')) {
      // a recipient that decides on its own, or that processes in a new country, widens; the reverse narrows
      const up = (ROLE_RANK[r.role] ?? 0) - (ROLE_RANK[before.role] ?? 0);
      const movedAbroad = r.country !== undefined && r.country !== before.country;
      const direction: MapChangeDirection =
        up > 0 || movedAbroad ? 'widening' : up < 0 && r.country === before.country ? 'narrowing' : 'changed';
      say(
        direction === 'widening'
          ? 'purpose.recipient_widened'
          : direction === 'narrowing'
            ? 'purpose.recipient_narrowed'
            : 'purpose.recipient_changed',
        direction,
        `${b.id}: recipient ${name} is now ${r.role}${r.country ? ` in ${r.country}` : ''} (was ${before.role}${before.country ? ` in ${before.country}` : ''})`,
      );
    }
  }
  for (const name of ra.keys()) {
    if (!rb.has(name)) say('purpose.recipient_removed', 'narrowing', `${b.id}: data is no longer shared with ${name}`);
  }
}

/** Countries data goes to, and the transfer mechanism. */
function diffTransfer(a: DataMapPurpose, b: DataMapPurpose, say: Say): void {
  const ca = new Set(a.transfer?.countries ?? []);
  const cb = new Set(b.transfer?.countries ?? []);
  const newCountries = [...cb].filter((c) => !ca.has(c));
  const goneCountries = [...ca].filter((c) => !cb.has(c));
  if (newCountries.length) {
    say(
      'purpose.transfer_added',
      'widening',
      `${b.id}: data now goes abroad to ${newCountries.join(', ')} (${b.transfer?.mechanism ?? 'no mechanism'})`,
    );
  }
  if (goneCountries.length) {
    say('purpose.transfer_removed', 'narrowing', `${b.id}: data no longer goes to ${goneCountries.join(', ')}`);
  }
  if (a.transfer && b.transfer && a.transfer.mechanism !== b.transfer.mechanism) {
    say(
      'purpose.transfer_changed',
      'changed',
      `${b.id}: the transfer mechanism changed from ${a.transfer.mechanism} to ${b.transfer.mechanism}`,
    );
  }
}

/** The roles that may act for the purpose, and how often a second factor is required. */
function diffWhoMayAct(a: DataMapPurpose, b: DataMapPurpose, say: Say): void {
  // who may act: no list means anyone may
  const rolesA = a.roles;
  const rolesB = b.roles;
  if (rolesA && !rolesB)
    say('purpose.roles_widened', 'widening', `${b.id}: any role may now act for it (was ${rolesA.join(', ')})`);
  else if (!rolesA && rolesB) say('purpose.roles_narrowed', 'narrowing', `${b.id}: only ${rolesB.join(', ')} may act for it now`);
  else if (rolesA && rolesB) {
    const added = rolesB.filter((r) => !rolesA.includes(r));
    const removed = rolesA.filter((r) => !rolesB.includes(r));
    if (added.length) say('purpose.roles_widened', 'widening', `${b.id}: role(s) ${added.join(', ')} may now act for it`);
    if (removed.length)
      say('purpose.roles_narrowed', 'narrowing', `${b.id}: role(s) ${removed.join(', ')} may no longer act for it`);
  }
  const ma = MFA_RANK[a.mfa ?? 'never'] ?? 0;
  const mb = MFA_RANK[b.mfa ?? 'never'] ?? 0;
  if (mb < ma)
    say('purpose.mfa_weakened', 'widening', `${b.id}: a second factor is required less often (${a.mfa} → ${b.mfa ?? 'never'})`);
  if (mb > ma)
    say(
      'purpose.mfa_strengthened',
      'narrowing',
      `${b.id}: a second factor is required more often (${a.mfa ?? 'never'} → ${b.mfa})`,
    );
}

function diffSchema(a: DataMapSchema | undefined, b: DataMapSchema, add: Add): void {
  const schema = b.id;
  if (a) {
    const minorsA = a.subject ? (MINORS_RANK[a.subject.minors] ?? 0) : 0;
    const minorsB = b.subject ? (MINORS_RANK[b.subject.minors] ?? 0) : 0;
    if (minorsA !== minorsB) {
      const wider = minorsB > minorsA;
      add({
        kind: wider ? 'schema.minors_widened' : 'schema.minors_narrowed',
        direction: wider ? 'widening' : 'narrowing',
        schema,
        message: `${schema}: minors among its subjects is now "${b.subject?.minors ?? 'never'}" (was "${a.subject?.minors ?? 'never'}")`,
      });
    }
    if ((a.subject?.kind ?? '') !== (b.subject?.kind ?? '')) {
      add({
        kind: 'schema.subject_changed',
        direction: 'changed',
        schema,
        message: `${schema}: its data subjects are now ${b.subject?.kind ?? '(not declared)'} (were ${a.subject?.kind ?? '(not declared)'})`,
      });
    }
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

/** The widest level an access gives, over its default and its roles. */
function maxRank(acc: DataMapAccess): number {
  let out = LEVEL_RANK[acc.level] ?? 0;
  for (const l of Object.values(acc.roles ?? {})) out = Math.max(out, LEVEL_RANK[l] ?? 0);
  return out;
}

type Say = (kind: string, direction: MapChangeDirection, message: string) => void;

function diffRedaction(
  where: string,
  a: NonNullable<DataMapField['redaction']>,
  b: NonNullable<DataMapField['redaction']>,
  say: Say,
): void {
  const style = (STYLE_RANK[b.style] ?? 0) - (STYLE_RANK[a.style] ?? 0);
  if (style !== 0) {
    say(
      style > 0 ? 'field.redaction_weakened' : 'field.redaction_strengthened',
      style > 0 ? 'widening' : 'narrowing',
      `${where}: free text is now redacted as ${b.style} (was ${a.style})`,
    );
  }
  const threshold = (THRESHOLD_RANK[b.threshold] ?? 0) - (THRESHOLD_RANK[a.threshold] ?? 0);
  if (threshold !== 0) {
    say(
      threshold > 0 ? 'field.redaction_weakened' : 'field.redaction_strengthened',
      threshold > 0 ? 'widening' : 'narrowing',
      `${where}: free text is now redacted from ${b.threshold} confidence (was ${a.threshold})`,
    );
  }
  // no list means every type
  if (a.types === undefined && b.types !== undefined) {
    say(
      'field.redaction_weakened',
      'widening',
      `${where}: free text is now redacted only for ${b.types.join(', ')} (was every type)`,
    );
  } else if (a.types !== undefined && b.types === undefined) {
    say(
      'field.redaction_strengthened',
      'narrowing',
      `${where}: free text is now redacted for every type (was ${a.types.join(', ')})`,
    );
  } else if (a.types !== undefined && b.types !== undefined) {
    const before = a.types;
    const after = b.types;
    const dropped = before.filter((t) => !after.includes(t));
    const gained = after.filter((t) => !before.includes(t));
    if (dropped.length)
      say('field.redaction_weakened', 'widening', `${where}: free text is no longer redacted for ${dropped.join(', ')}`);
    if (gained.length)
      say('field.redaction_strengthened', 'narrowing', `${where}: free text is now also redacted for ${gained.join(', ')}`);
  }
}

/**
 * Whether `b` keeps more of a value than `a`: a longer prefix, a finer
 * rounding, a bound that was not there (finer buckets) do; another kind
 * counts as keeping more until reviewed.
 */
function keepsMore(a: string, b: string): boolean {
  const [ka, pa] = a.split(':');
  const [kb, pb] = b.split(':');
  // another kind keeps something else of the value: a widening until someone reviews it
  if (ka !== kb || pa === undefined || pb === undefined) return true;
  // a vocabulary is compared word by word (anonymizeText); without its words, a change is reviewed as a widening
  if (ka === 'vocabulary') return true;
  if (ka === 'buckets') {
    const before = new Set(pa.split(','));
    return pb.split(',').some((x) => !before.has(x));
  }
  return ka === 'keepFirst' ? Number(pb) > Number(pa) : Number(pb) < Number(pa);
}

function diffAnonymize(
  where: string,
  a: DataMapField,
  b: DataMapField,
  say: (kind: string, direction: MapChangeDirection, message: string) => void,
): void {
  const [na, nb] = [a.anonymize, b.anonymize];
  if (na === undefined && nb === undefined) return;
  if (na === undefined) say('field.anonymize_added', 'widening', `${where} is now kept anonymized (${nb}) after it is erased`);
  else if (nb === undefined)
    say('field.anonymize_removed', 'narrowing', `${where} is no longer kept anonymized after it is erased`);
  else if (a.anonymizeText && b.anonymizeText) {
    // free text: the vocabulary is what decides what stays (LGPD Art. 12)
    const before = new Set(a.anonymizeText.vocabulary);
    const after = new Set(b.anonymizeText.vocabulary);
    const gained = [...after].filter((w) => !before.has(w));
    const dropped = [...before].filter((w) => !after.has(w));
    if (gained.length) {
      say('field.anonymize_weakened', 'widening', `${where}: free text kept anonymized now also keeps ${gained.join(', ')}`);
    }
    if (dropped.length && !gained.length) {
      say(
        'field.anonymize_strengthened',
        'narrowing',
        `${where}: free text kept anonymized no longer keeps ${dropped.join(', ')}`,
      );
    }
    if (a.anonymizeText.residualRisk !== b.anonymizeText.residualRisk) {
      say('field.anonymize_risk_changed', 'changed', `${where}: the residual-risk statement of its anonymization changed`);
    }
  } else if (na !== nb) {
    const more = keepsMore(na, nb);
    say(
      more ? 'field.anonymize_weakened' : 'field.anonymize_strengthened',
      more ? 'widening' : 'narrowing',
      `${where}: kept anonymized as ${na} → ${nb}`,
    );
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
  if (!a.criminal && b.criminal) say('field.criminal', 'widening', `${where} becomes criminal-offence data (GDPR Art. 10)`);
  if (a.criminal && !b.criminal) say('field.no_longer_criminal', 'narrowing', `${where} is no longer criminal-offence data`);
  if (a.id !== b.id) {
    say(
      'field.id_changed',
      'changed',
      `${where}: stable id ${a.id ?? '(its path)'} → ${b.id ?? '(its path)'}; values encrypted under the old id no longer decrypt`,
    );
  }
  if (a.redaction && b.redaction) diffRedaction(where, a.redaction, b.redaction, say);
  if (a.redaction && !b.redaction) say('field.redaction_removed', 'widening', `${where}: free text is no longer redacted`);
  if (!a.redaction && b.redaction) say('field.redaction_added', 'narrowing', `${where}: free text is now redacted`);
  if ((a.index ?? '') !== (b.index ?? '')) {
    say(
      'field.index_changed',
      'changed',
      b.index ? `${where} can be looked up by blind index ${b.index}` : `${where} has no blind index now`,
    );
  }
  diffAnonymize(where, a, b, say);
  if ((a.mask ?? '') !== (b.mask ?? '') && a.mask !== undefined && b.mask !== undefined) {
    say('field.mask_changed', 'changed', `${where}: mask ${a.mask} → ${b.mask}`);
  }
  const purposes = [...new Set([...Object.keys(a.access), ...Object.keys(b.access)])].sort(byKey);
  for (const p of purposes) {
    const before = a.access[p];
    const after = b.access[p];
    const rankOf = (acc: DataMapAccess | undefined, role?: string) =>
      LEVEL_RANK[(role === undefined ? acc?.level : (acc?.roles?.[role] ?? acc?.level)) ?? 'none'] ?? 0;
    if (!before || maxRank(before) === 0) {
      if (after && maxRank(after) > 0) {
        say('field.purpose_added', 'widening', `${where} is now used for ${p} (${describeAccess(after)})`, p);
      }
      continue;
    }
    if (!after || maxRank(after) === 0) {
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
