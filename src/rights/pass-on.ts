/**
 * Passing changes on to the recipients the data was shared with (LGPD Art. 18
 * §6; GDPR Art. 19): which recipients a change reaches, who will be told and
 * who cannot be (with the stated reason), the notices, and the calls of the
 * hooks. The recipients are read from the options once, when the desk is built.
 *
 * @module
 * @internal
 */
import { detectPII } from '../detect/detect.js';
import { PurposefulError } from '../errors.js';
import type { Purposes } from '../schema/purposes.js';
import type { FieldInfo } from '../schema/walk.js';
import { isWellFormed } from '../util/bytes.js';
import type {
  ChangeNotice,
  ChangeOptions,
  PassedOn,
  RecipientHook,
  RecipientNotice,
  RightsOptions,
  RightsRequest,
} from './types.js';

/** The articles a passing on rests on. */
export const PASS_ON = 'LGPD Art. 18 §6; GDPR Art. 19';

/** The recipients of the declarations and of the options, read once. */
export interface RecipientBook {
  /** Per purpose, the names of its declared recipients. */
  readonly byPurpose: ReadonlyMap<string, readonly string[]>;
  /** Every recipient some purpose declares. */
  readonly declared: ReadonlySet<string>;
  readonly hooks: ReadonlyMap<string, RecipientHook>;
  /** The recipients the options say cannot be informed, with the reason. */
  readonly unreachable: ReadonlyMap<string, string>;
}

/** Who will be told of a change, and who cannot be and why. */
export interface PassOnPlan {
  readonly told: readonly string[];
  readonly notInformed: PassedOn['notInformed'];
}

/** A field a change passes on: in a row (`record`) or at the field level; `kept`: the purposes whose ground keeps it. */
export interface NoticeItem {
  readonly schema: string;
  readonly record?: string;
  readonly field: FieldInfo;
  readonly kept?: ReadonlySet<string>;
}

/** A stated reason for not informing a recipient: non-empty, bounded, and free of identifiers (it is logged). */
function statedReason(reason: unknown, where: string, code: 'PF_OPTIONS_INVALID' | 'PF_INPUT_INVALID'): string {
  if (
    typeof reason !== 'string' ||
    reason.trim() === '' ||
    reason.length > 500 ||
    !isWellFormed(reason) ||
    reason.includes('\u0000')
  ) {
    throw new PurposefulError(
      code,
      `${where} must state why informing the recipient is impossible or involves disproportionate effort, in 1–500 characters (${PASS_ON})`,
      { article: PASS_ON },
    );
  }
  const found = [...new Set(detectPII(reason).map((x) => x.type))];
  if (found.length > 0) {
    throw new PurposefulError(
      code,
      `${where} holds what looks like personal data (${found.join(', ')}): the reason is logged and told to the subject, state it without any`,
      { article: PASS_ON },
    );
  }
  return reason.trim();
}

/** Reads the declared recipients and `rights.recipients` (a hook or `{ unreachable: reason }` each). */
export function recipientBook(purposes: Purposes, options: RightsOptions): RecipientBook {
  const byPurpose = new Map(
    purposes.ids.map((pid) => [pid, (purposes.get(pid)?.declaration.recipients ?? []).map((x) => x.name)] as const),
  );
  const declared = new Set([...byPurpose.values()].flat());
  const hooks = new Map<string, RecipientHook>();
  const unreachable = new Map<string, string>();
  for (const [name, v] of Object.entries(options.recipients ?? {})) {
    if (typeof v === 'function') hooks.set(name, v);
    else if (typeof v === 'object' && v !== null && Object.hasOwn(v, 'unreachable')) {
      unreachable.set(name, statedReason(v.unreachable, `rights.recipients["${name}"].unreachable`, 'PF_OPTIONS_INVALID'));
    } else {
      throw new PurposefulError(
        'PF_OPTIONS_INVALID',
        `rights.recipients["${name}"] must be a hook (notice) => void, or { unreachable: reason } (${PASS_ON})`,
      );
    }
  }
  return { byPurpose, declared, hooks, unreachable };
}

/** The recipients not to inform for one request, with the reasons: the configured ones and the request's own. */
export function exitsOf(book: RecipientBook, o: ChangeOptions | undefined): ReadonlyMap<string, string> {
  if (o === undefined) return book.unreachable;
  if (typeof o !== 'object' || o === null) throw new PurposefulError('PF_INPUT_INVALID', 'the request options must be an object');
  const u = o.unreachable;
  if (u === undefined) return book.unreachable;
  if (typeof u !== 'object' || u === null || Array.isArray(u)) {
    throw new PurposefulError('PF_INPUT_INVALID', 'unreachable maps recipient names to the reason each cannot be informed', {
      article: PASS_ON,
    });
  }
  const out = new Map(book.unreachable);
  for (const [name, reason] of Object.entries(u)) {
    // the name is not echoed: it came with the request, not from the declarations
    if (!book.declared.has(name)) {
      throw new PurposefulError('PF_INPUT_INVALID', 'unreachable names a recipient no purpose declares', { article: PASS_ON });
    }
    out.set(name, statedReason(reason, `unreachable["${name}"]`, 'PF_INPUT_INVALID'));
  }
  return out;
}

/** Per recipient, the fields among `fields` that its purposes use. */
export function recipientsOf(book: RecipientBook, fields: Iterable<FieldInfo>): Map<string, Set<FieldInfo>> {
  const m = new Map<string, Set<FieldInfo>>();
  for (const f of fields) {
    for (const pid of f.access.keys()) {
      for (const name of book.byPurpose.get(pid) ?? []) {
        let set = m.get(name);
        if (!set) {
          set = new Set();
          m.set(name, set);
        }
        set.add(f);
      }
    }
  }
  return m;
}

/**
 * Who will be told and who cannot be, worked out before anything changes: a recipient with neither a hook nor a
 * stated reason refuses the request (`PF_RECIPIENT_HOOK_MISSING`).
 */
export function passOnPlan(
  book: RecipientBook,
  names: Iterable<string>,
  exits: ReadonlyMap<string, string>,
  what: string,
): PassOnPlan {
  const told: string[] = [];
  const notInformed: { recipient: string; reason: string }[] = [];
  for (const name of [...new Set(names)].sort()) {
    const reason = exits.get(name);
    if (reason !== undefined) notInformed.push({ recipient: name, reason });
    else if (book.hooks.has(name)) told.push(name);
    else {
      throw new PurposefulError(
        'PF_RECIPIENT_HOOK_MISSING',
        `recipient "${name}" received data this ${what} changes: give rights.recipients a hook for it, or state why informing it is impossible or involves disproportionate effort ({ unreachable: reason }) (${PASS_ON})`,
        { article: PASS_ON },
      );
    }
  }
  return { told, notInformed };
}

/** {@link passOnPlan} for the recipients that received any of these fields. */
export function passOnPlanFor(
  book: RecipientBook,
  fields: Iterable<FieldInfo>,
  exits: ReadonlyMap<string, string>,
  what: string,
): PassOnPlan {
  return passOnPlan(book, recipientsOf(book, fields).keys(), exits, what);
}

/**
 * Whether a change of a field reaches a recipient: one of its purposes uses the field; for a field an erasure
 * ground keeps (`kept`: the purposes that keep it), only when none of the recipient's purposes using it keeps it.
 */
export function reaches(book: RecipientBook, recipient: string, it: Omit<NoticeItem, 'schema'>): boolean {
  let uses = false;
  for (const pid of it.field.access.keys()) {
    if (!book.byPurpose.get(pid)?.includes(recipient)) continue;
    if (it.kept?.has(pid)) return false;
    uses = true;
  }
  return uses;
}

/** The notices of one kind, one per told recipient that used any of `items`' fields. */
export function changeNotices(
  book: RecipientBook,
  r: RightsRequest,
  kind: ChangeNotice['kind'],
  items: readonly NoticeItem[],
  told: readonly string[],
): ChangeNotice[] {
  const out: ChangeNotice[] = [];
  for (const recipient of told) {
    const fields = items
      .filter((it) => reaches(book, recipient, it))
      .map((it) => ({ schema: it.schema, ...(it.record !== undefined ? { record: it.record } : {}), field: it.field.path }));
    if (fields.length > 0) out.push({ kind, request: r.id, subjectId: r.subjectId, recipient, article: PASS_ON, fields });
  }
  return out;
}

/** What leaves a subject's rows, passed on: the eliminated fields, then those kept as an anonymous copy. */
export function departureNotices(
  book: RecipientBook,
  r: RightsRequest,
  left: { readonly deleted: readonly NoticeItem[]; readonly anonymized: readonly NoticeItem[] },
  told: readonly string[],
): ChangeNotice[] {
  return [
    ...changeNotices(book, r, 'elimination', left.deleted, told),
    ...changeNotices(book, r, 'anonymization', left.anonymized, told),
  ];
}

/** Calls the hooks; one that throws is reported with its notice, and what was done stands. */
export async function passOn(book: RecipientBook, notices: readonly RecipientNotice[], plan: PassOnPlan): Promise<PassedOn> {
  const notified = new Set<string>();
  const failed: { recipient: string; notice: RecipientNotice }[] = [];
  for (const notice of notices) {
    const hook = book.hooks.get(notice.recipient);
    if (!hook || !plan.told.includes(notice.recipient)) continue;
    try {
      await hook(notice);
      notified.add(notice.recipient);
    } catch {
      // the hook's error may quote values: it is not passed on, the notice is
      failed.push({ recipient: notice.recipient, notice });
    }
  }
  const failing = new Set(failed.map((x) => x.recipient));
  return { notified: [...notified].filter((n) => !failing.has(n)), notInformed: plan.notInformed, failed };
}

/** What the request's access-log event records of the passing on: who was told, who was not and why (no values). */
export function passedOnNote(a: PassedOn): string | undefined {
  const parts: string[] = [];
  if (a.notified.length) parts.push(`notified (${PASS_ON}): ${a.notified.join(', ')}`);
  if (a.notInformed.length) {
    parts.push(`not informed (${PASS_ON}): ${a.notInformed.map((x) => `${x.recipient}: ${x.reason}`).join('; ')}`);
  }
  if (a.failed.length) parts.push(`hook failed: ${[...new Set(a.failed.map((x) => x.recipient))].join(', ')}`);
  return parts.length ? parts.join(' | ') : undefined;
}
