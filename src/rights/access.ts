/**
 * Confirmation, access and portability (LGPD Art. 18 I, II, V, 19; GDPR Art.
 * 15, 20): what the subject's records hold, with the purposes, bases,
 * retention and recipients of each field, the consent history, the
 * consultations, and what the answer screened out; as JSON or CSV for
 * portability.
 *
 * @module
 * @internal
 */
import { PurposefulError } from '../errors.js';
import type { FieldInfo } from '../schema/walk.js';
import { csvCell } from '../util/text.js';
import type { RightsContext } from './context.js';
import { type Gathered, gather } from './gather.js';
import { valuesAt } from './paths.js';
import type { ExportItem, Rights, RightsRequest, SubjectExport } from './types.js';

/** What an export says of a field's purposes: their descriptions, bases under each law in force, retention, recipients. */
function purposeInfoOf(ctx: RightsContext, f: FieldInfo) {
  const { purposes, jurisdictions } = ctx.internals;
  return [...f.access.keys()].map((pid) => {
    const p = purposes.get(pid);
    const basis: Record<string, string> = {};
    for (const j of jurisdictions) {
      const b = p?.declaration.legalBasis[j];
      if (b) basis[j] = b;
    }
    return {
      purpose: pid,
      description: p?.declaration.description ?? '',
      legalBasis: basis,
      retention: p?.retention.iso ?? '',
      recipients: (p?.declaration.recipients ?? []).map((r) => r.name),
    };
  });
}

/** The data of an export, by category, and the fields it holds; other people's data is screened out. */
function exportData(
  groups: readonly Gathered[],
  purposeInfo: (f: FieldInfo) => ExportItem['purposes'],
  screening: ReturnType<RightsContext['answers']['screening']>,
) {
  const data: Record<string, ExportItem[]> = {};
  // the fields the answer holds, each once however many values it has
  const touched = new Set<FieldInfo>();
  for (const { schema, origin, rows } of groups) {
    for (const row of rows) {
      const record = schema.recordId !== undefined ? row[schema.recordId] : undefined;
      for (const f of schema.fields) {
        for (const found of valuesAt(row, f.path)) {
          const shown = screening.value(schema, record !== undefined ? String(record) : undefined, f, found);
          if (shown === undefined) continue;
          touched.add(f);
          const item: ExportItem = {
            schema: schema.id,
            ...(record !== undefined ? { record: String(record) } : {}),
            field: f.path,
            value: shown.value,
            origin,
            purposes: purposeInfo(f),
            ...(shown.redacted ? { redacted: true as const } : {}),
          };
          let list = data[f.category];
          if (!list) {
            list = [];
            data[f.category] = list;
          }
          list.push(item);
        }
      }
    }
  }
  const sorted: Record<string, ExportItem[]> = {};
  for (const k of Object.keys(data).sort()) sorted[k] = data[k] as ExportItem[];
  return { data: sorted, touched };
}

/** The export of a subject's data for an access or portability request, logged without values. */
async function exportOf(
  ctx: RightsContext,
  r: RightsRequest,
  purposeInfo: (f: FieldInfo) => ExportItem['purposes'],
): Promise<SubjectExport> {
  const { internals, answers } = ctx;
  const { purposes, audit } = internals;
  const groups = await gather(ctx, r.subjectId);
  // other people's data in the subject's records is left out or redacted (GDPR Art. 15(4), 20(4))
  const screening = answers.screening();
  const { data, touched } = exportData(groups, purposeInfo, screening);
  const controller = purposes.controller;
  const doc: SubjectExport = {
    format: 'purposeful.subject-export/1',
    subjectId: r.subjectId,
    generatedAt: new Date().toISOString(),
    request: { id: r.id, kind: r.kind },
    ...(controller
      ? {
          controller: {
            name: controller.name,
            contact: controller.contact,
            ...(controller.dpo ? { dpo: controller.dpo.contact } : {}),
          },
        }
      : {}),
    data,
    consent: internals.consent ? await internals.consent.history(r.subjectId) : [],
    consultations: audit
      ? (await audit.subjectReport(r.subjectId, { purposes })).map((c) => ({
          time: c.time,
          ...(c.purpose ? { purpose: c.purpose } : {}),
          recipients: c.recipients,
        }))
      : [],
    // the subject's rights, the authority, automated decisions, transfers (GDPR Art. 15(1)(e)–(h), 15(2))
    ...answers.statement(
      [...new Set([...touched].flatMap((f) => [...f.access.keys()]))]
        .sort()
        .map((pid) => purposes.get(pid))
        .filter((p): p is NonNullable<typeof p> => p !== undefined),
    ),
    screened: screening.screened(),
  };
  // producing the answer is itself a processing of the data: logged, without values
  ctx.log(r.kind, r.subjectId, 'allow', undefined, [...touched]);
  return doc;
}

/** An export as CSV: one line per value, with its category, schema, record, field, purposes and origin. */
function exportCsv(doc: SubjectExport): string {
  const rows = [['category', 'schema', 'record', 'field', 'value', 'purposes', 'origin']];
  for (const [category, items] of Object.entries(doc.data)) {
    for (const it of items) {
      const value = typeof it.value === 'string' ? it.value : JSON.stringify(it.value);
      rows.push([category, it.schema, it.record ?? '', it.field, value, it.purposes.map((p) => p.purpose).join(' '), it.origin]);
    }
  }
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** Whether the subject's data is processed, which categories and purposes: another person's data is not counted. */
async function confirmation(ctx: RightsContext, id: string) {
  const r = await ctx.open(id, ['confirmation', 'access']);
  const groups = await gather(ctx, r.subjectId);
  // another person's data in the subject's records is not the subject's (GDPR Art. 15(4))
  const fields = groups.flatMap(({ schema, rows }) =>
    schema.fields.filter((f) => !ctx.answers.withheld(schema, f) && rows.some((row) => valuesAt(row, f.path).length > 0)),
  );
  ctx.log(r.kind, r.subjectId, 'allow', undefined, fields);
  return {
    processes: fields.length > 0,
    categories: [...new Set(fields.map((f) => f.category))].sort(),
    purposes: [...new Set(fields.flatMap((f) => [...f.access.keys()]))].sort(),
  };
}

/** The confirmation, access and portability requests of a desk. */
export function accessRequests(ctx: RightsContext): Pick<Rights, 'confirmation' | 'access' | 'portability'> {
  // what an export says of a field's purposes is fixed by the declarations: built once per field, not per value
  const infoByField = new WeakMap<FieldInfo, ExportItem['purposes']>();
  const purposeInfo = (f: FieldInfo): ExportItem['purposes'] => {
    let info = infoByField.get(f);
    if (!info) {
      info = Object.freeze(
        purposeInfoOf(ctx, f).map((x) =>
          Object.freeze({ ...x, legalBasis: Object.freeze(x.legalBasis), recipients: Object.freeze(x.recipients) }),
        ),
      );
      infoByField.set(f, info);
    }
    return info;
  };
  return {
    confirmation: (id) => confirmation(ctx, id),
    async access(id) {
      return exportOf(ctx, await ctx.open(id, ['access', 'portability']), purposeInfo);
    },
    async portability(id, format) {
      const doc = await exportOf(ctx, await ctx.open(id, ['access', 'portability']), purposeInfo);
      if (format === 'json') return `${JSON.stringify(doc, null, 2)}\n`;
      if (format !== 'csv') throw new PurposefulError('PF_INPUT_INVALID', "portability formats are 'json' and 'csv'");
      return exportCsv(doc);
    },
  };
}
