/**
 * The data map: the record of processing activities (LGPD Art. 37, GDPR
 * Art. 30) built from the declarations themselves, in a stable, sorted JSON
 * form meant to be committed (`privacy-map.json`) and compared in code review
 * ({@link diffDataMaps}). The `purposeful map` command prints it.
 *
 * @module
 */

import { PurposefulError } from '../errors.js';
import { anonymizeName } from '../minimize/anonymize.js';
import type { Jurisdiction } from '../taxonomy/bases.js';
import { byKey } from '../util/text.js';
import type { PurposefulSchema } from './define.js';
import { type Controller, describeTransferMechanism, type Purposes, type Recipient } from './purposes.js';
import { crossDeclarationProblems } from './validate.js';
import { levelsOf } from './validate-schema.js';
import type { ShapeNode } from './walk.js';

/**
 * The format tag of a data map; a map with another tag is refused.
 *
 * @example
 * ```ts
 * const map = dataMap({ schemas: [Customer] });
 * map.format === DATA_MAP_FORMAT; // true
 * ```
 * @category Data map
 */
export const DATA_MAP_FORMAT = 'purposeful.map/1';

/**
 * What a purpose may see of a field: its level, and the levels of listed roles when they differ.
 *
 * @example
 * ```ts
 * const access: DataMapAccess = { level: 'masked', roles: { billing: 'clear' } };
 * ```
 * @category Data map
 */
export interface DataMapAccess {
  readonly level: 'clear' | 'masked' | 'pseudonymized' | 'none';
  readonly roles?: Readonly<Record<string, 'clear' | 'masked' | 'pseudonymized' | 'none'>>;
}

/**
 * One personal field in the data map, with the protection applied to it.
 *
 * @example
 * ```ts
 * const cpf: DataMapField | undefined = dataMap({ schemas: [Customer] }).schemas[0]?.fields.find((f) => f.path === 'cpf');
 * cpf?.access['support.ticket']; // { level: 'masked' }
 * cpf?.encrypted;                 // true
 * ```
 * @category Data map
 */
export interface DataMapField {
  /** The field's path, e.g. `contacts[].email`. */
  readonly path: string;
  /** The stable id encryption binds to, when it differs from the path. */
  readonly id?: string;
  readonly category: string;
  readonly sensitive: boolean;
  /** The kind of sensitive data (LGPD Art. 5 II), for sensitive fields. */
  readonly sensitiveKind?: string;
  /** Criminal data (GDPR Art. 10). */
  readonly criminal?: true;
  readonly description?: string;
  /** Purpose → access, sorted by purpose. */
  readonly access: Readonly<Record<string, DataMapAccess>>;
  /** Encrypted for storage (AEAD bound to its place). */
  readonly encrypted: boolean;
  /** The keyed blind index it can be looked up by. */
  readonly index?: string;
  /** The mask applied where a purpose sees it masked. */
  readonly mask?: string;
  /** Free text scanned and redacted on the way in. */
  readonly redaction?: { readonly style: string; readonly threshold: string; readonly types?: readonly string[] };
  /**
   * The generalized form kept in an anonymous copy when it leaves its record
   * (LGPD Art. 12, 16 IV): `keepFirst:n`, `round:n`, `buckets:b1,…`, or
   * `vocabulary:n` for free text (see `anonymizeText`).
   */
  readonly anonymize?: string;
  /** For free text kept anonymized: the words it may keep, and the controller's residual-risk statement. */
  readonly anonymizeText?: { readonly vocabulary: readonly string[]; readonly residualRisk: string };
}

/**
 * One schema in the data map.
 *
 * @example
 * ```ts
 * const customer: DataMapSchema | undefined = dataMap({ schemas: [Customer] }).schemas[0];
 * customer?.subject; // { kind: 'customer', minors: 'never' }
 * ```
 * @category Data map
 */
export interface DataMapSchema {
  readonly id: string;
  /** The kind of data subject and whether minors may be among them. */
  readonly subject?: { readonly kind: string; readonly minors: string };
  /** Personal fields, sorted by path. */
  readonly fields: readonly DataMapField[];
}

/**
 * One purpose in the data map: the RoPA entry.
 *
 * @example
 * ```ts
 * const ticket: DataMapPurpose | undefined = dataMap({ schemas: [Customer] }).purposes.find((p) => p.id === 'support.ticket');
 * ticket?.legalBasis;     // { gdpr: 'contract', lgpd: 'contract' }
 * ticket?.dataCategories; // ['user.contact.email', 'user.government_id', 'user.name']
 * ```
 * @category Data map
 */
export interface DataMapPurpose {
  readonly id: string;
  readonly description: string;
  /** Law → basis (LGPD Art. 7, GDPR Art. 6(1)). */
  readonly legalBasis: Readonly<Record<string, string>>;
  /** Law → sensitive-data basis (LGPD Art. 11, GDPR Art. 9(2)). */
  readonly sensitiveBasis?: Readonly<Record<string, string>>;
  /** Laws under which this purpose rests on consent. */
  readonly consentUnder: readonly Jurisdiction[];
  readonly notice?: { readonly version: string; readonly url?: string; readonly material?: boolean };
  /** ISO-8601 duration, and the event it counts from (default: collection). */
  readonly retention: { readonly duration: string; readonly from?: string };
  /** Recipients, sorted by name. */
  readonly recipients: readonly Recipient[];
  /** The transfer's mechanism in words: one for every law (`standard_contractual_clauses`) or per law (`lgpd: …; gdpr: …`). */
  readonly transfer?: { readonly countries: readonly string[]; readonly mechanism: string };
  readonly roles?: readonly string[];
  readonly mfa?: string;
  readonly dataUse?: string;
  /** For a legal-obligation basis: the rule that obliges. */
  readonly obligation?: string;
  /** Categories of data the purpose may see at any level, sorted. */
  readonly dataCategories: readonly string[];
  /** Kinds of data subject whose data it touches, sorted. */
  readonly subjectCategories: readonly string[];
  /** Whether it touches sensitive data (LGPD Art. 11, GDPR Art. 9). */
  readonly sensitive: boolean;
  /** The fields it may see, as `schema.path`, sorted. */
  readonly fields: readonly string[];
}

/**
 * The data map: controller, purposes and schemas, every list sorted, so the
 * same declarations always give the same bytes.
 *
 * @example
 * ```ts
 * const map: DataMap = dataMap({ purposes, schemas: [Customer, Ticket] });
 * writeFileSync('privacy-map.json', `${JSON.stringify(map, null, 2)}\n`);
 * ```
 * @category Data map
 */
export interface DataMap {
  readonly format: typeof DATA_MAP_FORMAT;
  readonly controller?: Controller;
  readonly purposes: readonly DataMapPurpose[];
  readonly schemas: readonly DataMapSchema[];
}

function sortedRecord<V>(entries: Iterable<readonly [string, V]>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [k, v] of [...entries].sort((a, b) => byKey(a[0], b[0]))) out[k] = v;
  return out;
}

/** Drops `undefined` properties so the JSON has no holes and equal maps compare equal. */
function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o)) if ((o as Record<string, unknown>)[k] === undefined) delete (o as Record<string, unknown>)[k];
  return o;
}

function maskName(mask: unknown): string | undefined {
  if (mask === undefined || mask === null) return undefined;
  if (typeof mask === 'string') return mask;
  if (typeof mask === 'object' && typeof (mask as { keepLast?: unknown }).keepLast === 'number') {
    return `keepLast:${(mask as { keepLast: number }).keepLast}`;
  }
  return 'custom';
}

function fieldOf(f: PurposefulSchema['fields'][number]): DataMapField {
  const access = sortedRecord(
    [...f.access].map(([purpose, a]) => {
      const entry: DataMapAccess = a.roles
        ? { level: a.level, roles: sortedRecord(Object.entries(a.roles)) }
        : { level: a.level };
      return [purpose, entry] as const;
    }),
  );
  return defined({
    path: f.path,
    id: f.id !== f.path.replace(/\[\]|\{\}|\[\d+\]/g, '') ? f.id : undefined,
    category: f.category,
    sensitive: f.sensitive,
    sensitiveKind: f.sensitive ? f.sensitiveKind : undefined,
    criminal: f.criminal ? (true as const) : undefined,
    description: f.description,
    access,
    encrypted: f.encrypt,
    index: f.index,
    mask: f.mask !== undefined && [...f.access.values()].some((a) => levelSet(a).has('masked')) ? maskName(f.mask) : undefined,
    redaction: f.freeText
      ? defined({
          style: f.redaction?.style ?? 'label',
          threshold: f.redaction?.threshold ?? 'medium',
          types: f.redaction?.types ? [...f.redaction.types].sort(byKey) : undefined,
        })
      : undefined,
    anonymize: f.anonymize ? anonymizeName(f.anonymize) : undefined,
    anonymizeText:
      f.anonymize && 'redact' in f.anonymize
        ? {
            vocabulary: [...new Set(f.anonymize.vocabulary.map((w) => w.normalize('NFC').toLowerCase()))].sort(byKey),
            residualRisk: f.anonymize.residualRisk.trim(),
          }
        : undefined,
  });
}

/** Every level an access entry gives (the declarations' own rule, `levelsOf`). */
const levelSet = (a: DataMapAccess): Set<string> => levelsOf({ level: a.level, roles: a.roles });

/**
 * Builds the data map of a set of declarations. Purposes come from the
 * registries given and from every schema's registry (one registry is usual);
 * two schemas of one id, or two registries declaring one purpose id
 * differently, are refused (`PF_DECL_DUPLICATE_SCHEMA`, `PF_DECL_DUPLICATE_PURPOSE`). Personal
 * values never enter it: only what the declarations say.
 *
 * @throws PurposefulError `PF_DECLARATION_INVALID`, with its `problems`, when the set does not hold together.
 *
 * @example
 * ```ts
 * const map = dataMap({ purposes, schemas: [Customer, Ticket, Invoice] });
 * for (const p of map.purposes) console.log(p.id, p.legalBasis.lgpd, p.retention.duration, p.dataCategories.join(', '));
 * ```
 * @category Data map
 */
export function dataMap(input: {
  readonly purposes?: Purposes | readonly Purposes[];
  readonly schemas?: readonly PurposefulSchema[];
}): DataMap {
  const given: readonly Purposes[] =
    input.purposes === undefined ? [] : Array.isArray(input.purposes) ? input.purposes : [input.purposes as Purposes];
  const schemas = [...new Set(input.schemas ?? [])].sort((a, b) => byKey(a.id, b.id));
  const registries = [...new Set<Purposes>([...given, ...schemas.map((s) => s.purposes)])];
  const problems = crossDeclarationProblems(registries, schemas);
  if (problems.length) {
    throw new PurposefulError(
      'PF_DECLARATION_INVALID',
      `the declarations cannot form one data map: ${problems.map((p) => p.message).join('; ')}`,
      { problems },
    );
  }
  const declarations = new Map<string, Purposes>();
  for (const r of registries) for (const id of r.ids) declarations.set(id, r);
  const controllers = [...new Set(registries.map((r) => r.controller).filter((c) => c !== undefined))];

  const mapSchemas: DataMapSchema[] = schemas.map((s) =>
    defined({
      id: s.id,
      subject: s.subject ? { kind: s.subject.kind, minors: s.subject.minors } : undefined,
      fields: s.fields.map(fieldOf).sort((a, b) => byKey(a.path, b.path)),
    }),
  );

  const purposes: DataMapPurpose[] = [...declarations.keys()].sort(byKey).map((id) => {
    const resolved = declarations.get(id)?.get(id);
    if (!resolved) throw new PurposefulError('PF_DECLARATION_INVALID', `purpose "${id}" could not be resolved`);
    const d = resolved.declaration;
    const categories = new Set<string>();
    const subjects = new Set<string>();
    const fields: string[] = [];
    let sensitive = false;
    for (const s of mapSchemas) {
      for (const f of s.fields) {
        const a = f.access[id];
        if (!a || levelSet(a).size === 0) continue;
        categories.add(f.category);
        if (s.subject) subjects.add(s.subject.kind);
        if (f.sensitive) sensitive = true;
        fields.push(`${s.id}.${f.path}`);
      }
    }
    return defined({
      id,
      description: d.description,
      legalBasis: sortedRecord(Object.entries(d.legalBasis ?? {}).filter(([, v]) => v !== undefined) as [string, string][]),
      sensitiveBasis: d.sensitiveBasis
        ? sortedRecord(Object.entries(d.sensitiveBasis).filter(([, v]) => v !== undefined) as [string, string][])
        : undefined,
      consentUnder: [...resolved.consentUnder],
      notice: d.notice ? defined({ version: d.notice.version, url: d.notice.url, material: d.notice.material }) : undefined,
      retention: defined({ duration: resolved.retention.iso, from: resolved.retention.from }),
      recipients: [...(d.recipients ?? [])]
        .map((r) => defined({ name: r.name, role: r.role, country: r.country }))
        .sort((a, b) => byKey(a.name, b.name)),
      transfer: d.transfer
        ? { countries: [...d.transfer.countries].sort(byKey), mechanism: describeTransferMechanism(d.transfer.mechanism) }
        : undefined,
      roles: d.roles ? [...d.roles].sort(byKey) : undefined,
      mfa: d.mfa,
      dataUse: d.dataUse,
      obligation: d.obligation,
      dataCategories: [...categories].sort(byKey),
      subjectCategories: [...subjects].sort(byKey),
      sensitive,
      fields: fields.sort(byKey),
    });
  });

  const controller = controllers[0];
  return defined({
    format: DATA_MAP_FORMAT,
    controller: controller
      ? defined({
          name: controller.name,
          contact: controller.contact,
          dpo: controller.dpo ? defined({ name: controller.dpo.name, contact: controller.dpo.contact }) : undefined,
        })
      : undefined,
    purposes,
    schemas: mapSchemas,
  }) as DataMap;
}

/**
 * How many leaves of the schemas are declared: annotated as personal or
 * explicitly `pd.none()`. The CLI's `--min-coverage` reads the share.
 *
 * @example
 * ```ts
 * const { declared, total } = declarationCoverage([Customer]);
 * console.log(`${((100 * declared) / total).toFixed(1)}% of fields declared`);
 * ```
 * @category Data map
 */
export function declarationCoverage(schemas: readonly PurposefulSchema[]): {
  readonly declared: number;
  readonly total: number;
  /** Unannotated leaves, as `schema.path`, sorted. */
  readonly undeclared: readonly string[];
} {
  let declared = 0;
  let total = 0;
  const undeclared: string[] = [];
  for (const s of schemas) {
    const seen = new Set<ShapeNode>();
    const stack: [ShapeNode, string][] = [[s.shape, '']];
    while (stack.length) {
      const [node, path] = stack.pop() as [ShapeNode, string];
      if (seen.has(node)) continue;
      seen.add(node);
      if (node.field || node.none) {
        declared++;
        total++;
        continue;
      }
      let inner = false;
      if (node.object) {
        inner = true;
        for (const [k, child] of node.object) stack.push([child, path ? `${path}.${k}` : k]);
      }
      if (node.array) {
        inner = true;
        stack.push([node.array, `${path}[]`]);
      }
      if (node.record) {
        inner = true;
        stack.push([node.record, `${path}{}`]);
      }
      if (node.tuple) {
        inner = true;
        for (const [i, t] of node.tuple.entries()) stack.push([t, `${path}[${i}]`]);
      }
      if (node.tupleRest) {
        inner = true;
        stack.push([node.tupleRest, `${path}[]`]);
      }
      if ((node.scalar || node.opaque) && path !== '') {
        total++;
        undeclared.push(`${s.id}.${path}`);
      } else if (!inner && path !== '') {
        total++;
        undeclared.push(`${s.id}.${path}`);
      }
    }
  }
  return { declared, total, undeclared: undeclared.sort(byKey) };
}
