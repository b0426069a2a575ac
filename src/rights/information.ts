/**
 * What a subject is told about sharing and consent (LGPD Art. 18 VII, VIII;
 * GDPR Art. 13–15): the recipients and transfers abroad of the purposes their
 * data serves, and every consent the ledger holds for them, with what refusing
 * it changes.
 *
 * @module
 * @internal
 */
import { describeTransferMechanism, type ResolvedPurpose, TRANSFER_MECHANISM_ARTICLES } from '../schema/purposes.js';
import type { RightsContext } from './context.js';
import { gather } from './gather.js';
import { valuesAt } from './paths.js';
import type { ConsentInfoEntry, Rights, SharingEntry } from './types.js';

/** The articles of the consent a purpose's transfer abroad rests on, under each law it does (LGPD Art. 33 VIII; GDPR Art. 49(1)(a)). */
export function transferConsentArticle(p: ResolvedPurpose): string {
  return p.transferConsentUnder.map((j) => TRANSFER_MECHANISM_ARTICLES[j].specific_consent).join('; ');
}

/** The recipients and transfers of the purposes the subject's data serves (LGPD Art. 18 VII). */
async function sharingInfo(ctx: RightsContext, id: string): Promise<SharingEntry[]> {
  const { purposes } = ctx.internals;
  const r = await ctx.open(id, ['sharing-info', 'access']);
  const groups = await gather(ctx, r.subjectId);
  const used = new Set(
    groups.flatMap(({ schema, rows }) =>
      schema.fields.filter((f) => rows.some((row) => valuesAt(row, f.path).length > 0)).flatMap((f) => [...f.access.keys()]),
    ),
  );
  ctx.log(r.kind, r.subjectId, 'allow');
  return [...used]
    .sort()
    .map((pid) => purposes.get(pid))
    .filter((p) => p !== undefined && ((p.declaration.recipients?.length ?? 0) > 0 || p.declaration.transfer !== undefined))
    .map((p) => {
      const d = (p as NonNullable<typeof p>).declaration;
      return {
        purpose: (p as NonNullable<typeof p>).id,
        recipients: (d.recipients ?? []).map((x) => ({
          name: x.name,
          role: x.role,
          ...(x.country ? { country: x.country } : {}),
        })),
        ...(d.transfer
          ? { transfer: { countries: [...d.transfer.countries], mechanism: describeTransferMechanism(d.transfer.mechanism) } }
          : {}),
      };
    });
}

/** One consent the ledger holds, as the subject is told of it. */
function consentEntry(p: ResolvedPurpose, status: string): ConsentInfoEntry {
  return {
    purpose: p.id,
    description: p.declaration.description,
    ...(p.declaration.notice
      ? {
          notice: {
            version: p.declaration.notice.version,
            ...(p.declaration.notice.url ? { url: p.declaration.notice.url } : {}),
          },
        }
      : {}),
    status,
    // what refusing changes is the purpose's to declare: nothing is claimed when it declares nothing (LGPD Art. 18 VIII, 9 §3)
    ...(p.declaration.ifRefused !== undefined ? { ifRefused: p.declaration.ifRefused } : {}),
    ...(p.transferConsentUnder.length > 0 && p.declaration.transfer
      ? {
          transfer: {
            countries: [...p.declaration.transfer.countries],
            article: transferConsentArticle(p),
            only: p.consentUnder.length === 0,
          },
        }
      : {}),
  };
}

/** Every consent the ledger holds for the subject, and what refusing it changes (LGPD Art. 18 VIII). */
async function consentInfo(ctx: RightsContext, id: string): Promise<ConsentInfoEntry[]> {
  const { purposes, consent } = ctx.internals;
  const r = await ctx.open(id, ['consent-info', 'revocation']);
  // every consent the ledger holds: the consent bases and the consent a transfer abroad rests on (LGPD Art. 33 VIII)
  const consentBased = purposes.ids.filter((pid) => (purposes.get(pid)?.ledgerConsentUnder.length ?? 0) > 0);
  const states = consent && consentBased.length ? await consent.status(r.subjectId, consentBased) : undefined;
  ctx.log(r.kind, r.subjectId, 'allow');
  return consentBased.map((pid) =>
    consentEntry(purposes.get(pid) as NonNullable<ReturnType<typeof purposes.get>>, states?.get(pid)?.status ?? 'none'),
  );
}

/** The sharing and consent information requests of a desk. */
export function informationRequests(ctx: RightsContext): Pick<Rights, 'sharingInfo' | 'consentInfo'> {
  return {
    sharingInfo: (id) => sharingInfo(ctx, id),
    consentInfo: (id) => consentInfo(ctx, id),
  };
}
