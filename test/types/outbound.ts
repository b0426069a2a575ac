/** `Outbound` / `Inbound`: what a purpose sees and receives of a schema. */
import { defineSchema, type Inbound, type Outbound, pd } from 'purposeful';
import { z } from 'zod';
import { LegacyTicket, lenient, MigratingTicket, pf, purposes, Ticket } from './declarations.js';

declare const row: unknown;
const ctx = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;

declare const view: Awaited<ReturnType<typeof pf.outbound<typeof Ticket, 'support.ticket'>>>;
const message: string = view.message;
const cpf: string = view.cpf; // masked: a string
const whatsapp: string | undefined = view.whatsapp;
// @ts-expect-error the ticket purpose does not see the amount
view.amount;

async function read() {
  const seen = await pf.outbound(Ticket, row, ctx);
  const text: string = seen.message;
  // @ts-expect-error the ticket purpose does not see the amount
  seen.amount;
  // @ts-expect-error a purpose the engine does not declare
  await pf.outbound(Ticket, row, { purpose: 'suport.ticket', actor: ctx.actor });
  return text;
}

type Billing = Outbound<typeof Ticket, 'billing.invoice'>;
declare const billing: Billing;
const amount: number = billing.amount;
const billed: string = billing.cpf;
// @ts-expect-error the invoice purpose does not see the message
billing.message;

const exact: Outbound<typeof Ticket, 'support.ticket'> = { id: 't-1', message: 'm', cpf: '***', whatsapp: undefined };
// @ts-expect-error a field the purpose may not see is not part of its view
const extra: Outbound<typeof Ticket, 'support.ticket'> = { id: 't-1', message: 'm', cpf: '***', amount: 1 };

type TicketIn = Inbound<typeof Ticket, 'billing.invoice'>;
const input: TicketIn = { id: 't-1', cpf: '123', amount: 10 };

// ---- unannotated fields (neither pd() nor pd.none()): left out by default, as the runtime does

declare const legacy: Outbound<typeof LegacyTicket, 'support.ticket'>;
const legacyMessage: string = legacy.message;
const legacyChannel: 'chat' | 'email' = legacy.channel; // pd.none(): for every purpose
const legacyNote: string = legacy.meta.note; // a nested object keeps its annotated keys
// @ts-expect-error an unannotated field is projected away
legacy.ref;
// @ts-expect-error an unannotated key of a nested object is projected away
legacy.meta.source;
// @ts-expect-error an object with no annotated key is projected away whole
legacy.audit;
// @ts-expect-error an array of unannotated values is projected away
legacy.tags;

const legacyView: Outbound<typeof LegacyTicket, 'support.ticket'> = { message: 'm', meta: { note: 'n' }, channel: 'chat' };
// @ts-expect-error the unannotated ref is not part of the view
const legacyWithRef: Outbound<typeof LegacyTicket, 'support.ticket'> = { ...legacyView, ref: 'r-1' };

declare const legacyIn: Inbound<typeof LegacyTicket, 'billing.invoice'>;
const legacyAmount: number = legacyIn.amount;
// @ts-expect-error inbound rejects an unannotated field
legacyIn.ref;
// @ts-expect-error inbound rejects an unannotated nested field
legacyIn.meta;
// @ts-expect-error the unannotated ref is not something the purpose receives
const legacyInput: Inbound<typeof LegacyTicket, 'billing.invoice'> = { amount: 1, channel: 'email', ref: 'r-1' };

// schema `unannotated: 'allow'`: they flow for every purpose, and the types list them
declare const migrating: Outbound<typeof MigratingTicket, 'support.ticket'>;
const migratingRef: string = migrating.ref;
const migratingSource: string = migrating.meta.source;
const migratingAt: Date = migrating.audit.at;
const migratingTags: string[] = migrating.tags;
// @ts-expect-error still: an annotated field the purpose may not see is not there
migrating.amount;
declare const migratingIn: Inbound<typeof MigratingTicket, 'billing.invoice'>;
const migratingInRef: string = migratingIn.ref;
const migratingInput: Inbound<typeof MigratingTicket, 'billing.invoice'> = {
  ref: 'r-1',
  amount: 1,
  meta: { source: 'web' },
  audit: { by: 'agent-7', at: new Date() },
  tags: [],
  channel: 'email',
};

// the engine's `unannotated: 'allow'` does not change the types: only the schema's own 'allow' does
async function readLegacy() {
  const ctx = { purpose: 'support.ticket', actor: { id: 'agent-7', roles: ['support'] } } as const;
  const seen = await lenient.outbound(LegacyTicket, row, ctx);
  const text: string = seen.message;
  // @ts-expect-error strict side: the schema itself does not allow unannotated fields
  seen.ref;
  const opened = await lenient.open(LegacyTicket, row, ctx);
  // @ts-expect-error strict side for open too
  opened.ref;
  const received = await lenient.inbound(LegacyTicket, row, ctx);
  // @ts-expect-error strict side inbound
  received.ref;
  const allowed = await lenient.outbound(MigratingTicket, row, ctx);
  const ref: string = allowed.ref;
  return { text, ref };
}

// an explicit 'deny' is the default; a value typed as the whole union stays on the strict side
const note = pd(z.string(), { category: 'user.content', purposes: ['support.ticket'] });
const denied = defineSchema('denied', z.object({ ref: z.string(), note }), { purposes, unannotated: 'deny' });
declare const mode: 'deny' | 'allow';
const either = defineSchema('either', z.object({ ref: z.string(), note }), { purposes, unannotated: mode });
declare const deniedView: Outbound<typeof denied, 'support.ticket'>;
declare const eitherView: Outbound<typeof either, 'support.ticket'>;
const deniedNote: string = deniedView.note;
// @ts-expect-error explicit 'deny'
deniedView.ref;
// @ts-expect-error not known to be 'allow'
eitherView.ref;

// structures the runtime walks into: what their inside declares passes, the rest is left out
interface Tree {
  name: string;
  kids: Tree[];
}
const Tree: z.ZodType<Tree> = z.lazy(() => z.object({ name: z.string(), kids: z.array(Tree) }));
const Shapes = defineSchema(
  'shapes',
  z.object({
    inside: pd.none(z.object({ source: z.string(), tags: z.array(z.string()) })), // as declared
    notes: z.array(z.object({ at: z.date(), note })),
    byLang: z.record(z.string(), note),
    labels: z.record(z.string(), z.string()),
    pair: z.tuple([z.string(), note]),
    either: z.union([pd.none(z.string()), z.number()]),
    anything: z.union([z.string(), z.number()]),
    noteOrCount: z.union([note, z.number()]), // the pd() option only: the unannotated one is left out
    noteOrNull: z.union([note, z.null()]), // an option that holds no value stays
    json: z.json(),
    tree: Tree,
    kind: z.enum(['a', 'b']).optional(),
  }),
  { purposes },
);
declare const shapes: Outbound<typeof Shapes, 'support.ticket'>;
const insideSource: string = shapes.inside.source;
const insideTags: string[] = shapes.inside.tags;
const firstNote: string | undefined = shapes.notes[0]?.note;
// @ts-expect-error an unannotated key inside array elements is left out
shapes.notes[0]?.at;
const byLang: Record<string, string> = shapes.byLang;
const pair: [undefined, string] = shapes.pair;
const eitherString: string = shapes.either;
const noteOrCount: string = shapes.noteOrCount;
// @ts-expect-error the unannotated option of a union beside a pd() option is left out
const countOfNote: number = shapes.noteOrCount;
const noteOrNull: string | null = shapes.noteOrNull;
// @ts-expect-error the null option stays in the type
const noteNotNull: string = shapes.noteOrNull;
// @ts-expect-error a record of unannotated values is left out
shapes.labels;
// @ts-expect-error a union of unannotated options is left out
shapes.anything;
// @ts-expect-error an unannotated JSON value is left out
shapes.json;
// @ts-expect-error a recursive structure with nothing annotated is left out
shapes.tree;
// @ts-expect-error an optional unannotated enum is left out
shapes.kind;

export {
  amount,
  billed,
  byLang,
  countOfNote,
  cpf,
  deniedNote,
  eitherString,
  exact,
  extra,
  firstNote,
  input,
  insideSource,
  insideTags,
  legacyAmount,
  legacyChannel,
  legacyInput,
  legacyMessage,
  legacyNote,
  legacyView,
  legacyWithRef,
  message,
  migratingAt,
  migratingInput,
  migratingInRef,
  migratingRef,
  migratingSource,
  migratingTags,
  noteNotNull,
  noteOrCount,
  noteOrNull,
  pair,
  read,
  readLegacy,
  whatsapp,
};
