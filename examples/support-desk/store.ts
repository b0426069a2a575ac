/**
 * The support desk's Drizzle store: the tables of customers, tickets and
 * invoices as PostgreSQL holds them (envelopes in `sealed` columns, blind
 * indexes, the restriction column the rights desk writes), their bindings to
 * the desk's schemas, and the desk's routes reading and writing through
 * `purposefulDrizzle(…).forPurpose(ctx)`: no handler calls `seal` or `open`.
 *
 * It runs on embedded PGlite (no server to install), or on the PostgreSQL
 * server at a URL (in a schema of its own, dropped on close).
 */
import { PGlite } from '@electric-sql/pglite';
import { eq } from 'drizzle-orm';
import { drizzle as overPg } from 'drizzle-orm/node-postgres';
import { integer, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { drizzle as overPglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { type AnyPgDatabase, bindTable, drizzleRightsSource, purposefulDrizzle, sealed } from 'purposeful/drizzle';
import { type Actor, looksEncrypted, type PurposefulSchema, type RightsSource } from '../../src/index.js';
import type { DeskEngine, DeskStore } from './app.js';
import { Customer, Invoice, Ticket } from './declarations.js';

/**
 * Customers. `cpf`, `email` and `accessibility` are declared `encrypt: true`:
 * `sealed` columns, which refuse a plaintext. `bidx_cpf` is the blind index
 * the CPF is searched by. The personal columns are nullable: an erasure takes
 * values out of a row it keeps for another ground (the invoice's tax law).
 */
export const customersTable = pgTable('customers', {
  id: uuid('id').primaryKey(),
  channel: text('channel').notNull(),
  name: text('name'),
  cpf: sealed('cpf'),
  bidx_cpf: text('bidx_cpf'),
  email: sealed('email'),
  phone: text('phone'),
  address: jsonb('address'),
  accessibility: sealed('accessibility'),
  pf_restriction: jsonb('pf_restriction'),
});

/**
 * Tickets. The subject line is free text, encrypted by default: a `sealed`
 * column. The messages are an array whose texts are encrypted: a `jsonb`
 * column that holds the envelopes inside the JSON.
 */
export const ticketsTable = pgTable('tickets', {
  id: uuid('id').primaryKey(),
  customerId: uuid('customer_id').notNull(),
  status: text('status').notNull(),
  subject: sealed('subject'),
  messages: jsonb('messages'),
  assignee: jsonb('assignee'),
  satisfaction: integer('satisfaction'),
  pf_restriction: jsonb('pf_restriction'),
});

/** Invoices, kept under tax law: the tax id sealed. */
export const invoicesTable = pgTable('invoices', {
  number: text('number').primaryKey(),
  customerId: uuid('customer_id').notNull(),
  taxId: sealed('tax_id'),
  amountCents: integer('amount_cents'),
  issuedAt: text('issued_at').notNull(),
  pf_restriction: jsonb('pf_restriction'),
});

/** What statistics keep of an erased ticket: anonymous copies, with no id, subject or index beside them. */
export const ticketsAnonymousTable = pgTable('tickets_anonymous', {
  schema: text('schema').notNull(),
  fields: text('fields').array().notNull(),
  data: jsonb('data').notNull(),
});

/** The tables, as a migration creates them (a `sealed` column and a blind index are `text`). */
export const DESK_DDL = [
  `CREATE TABLE customers (id uuid PRIMARY KEY, channel text NOT NULL, name text, cpf text, bidx_cpf text,
    email text, phone text, address jsonb, accessibility text, pf_restriction jsonb)`,
  `CREATE TABLE tickets (id uuid PRIMARY KEY, customer_id uuid NOT NULL, status text NOT NULL, subject text,
    messages jsonb, assignee jsonb, satisfaction integer, pf_restriction jsonb)`,
  `CREATE TABLE invoices (number text PRIMARY KEY, customer_id uuid NOT NULL, tax_id text, amount_cents integer,
    issued_at text NOT NULL, pf_restriction jsonb)`,
  'CREATE TABLE tickets_anonymous (schema text NOT NULL, fields text[] NOT NULL, data jsonb NOT NULL)',
] as const;

/**
 * Each schema bound to its table, checked once here: every encrypted field
 * has a column that can hold an envelope, the blind index its column.
 */
export const customers = bindTable(Customer, customersTable);
export const tickets = bindTable(Ticket, ticketsTable);
export const invoices = bindTable(Invoice, invoicesTable);

/** A database with the desk's tables. */
export interface DeskDatabase {
  readonly driver: 'pglite' | 'node-postgres';
  readonly db: AnyPgDatabase;
  /** Runs SQL as it is: the raw rows, envelopes and all (a bypass: to show what is stored, never to serve a purpose). */
  raw(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/**
 * Opens the desk's database: embedded PGlite, or the PostgreSQL server at
 * `url`, in a new schema dropped again on `close()`. Creates the tables.
 */
export async function openDeskDatabase(options: { url?: string | undefined } = {}): Promise<DeskDatabase> {
  if (!options.url) {
    const client = await PGlite.create();
    for (const ddl of DESK_DDL) await client.exec(ddl);
    return {
      driver: 'pglite',
      db: overPglite({ client }) as unknown as AnyPgDatabase,
      raw: async (text, params) => (await client.query<Record<string, unknown>>(text, params)).rows,
      close: () => client.close(),
    };
  }
  const schema = `desk_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: options.url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const pool = new pg.Pool({ connectionString: options.url, max: 4, options: `-c search_path=${schema}` });
  for (const ddl of DESK_DDL) await pool.query(ddl);
  return {
    driver: 'node-postgres',
    db: overPg({ client: pool }) as unknown as AnyPgDatabase,
    raw: async (text, params) => (await pool.query(text, params)).rows,
    async close() {
      await pool.end();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The rights desk's sources over the tables: `pf.rights` finds a customer's
 * rows for access and portability, corrects, erases and blocks them there,
 * each change in one transaction; a ticket's free text leaves an anonymous
 * copy in `tickets_anonymous` in the same transaction.
 */
export function deskRightsSources(database: DeskDatabase): Record<'customer' | 'ticket' | 'invoice', RightsSource> {
  return {
    customer: drizzleRightsSource(database.db, customers, { origin: 'given by you when you opened your account' }),
    ticket: drizzleRightsSource(database.db, tickets, { anonymous: { table: ticketsAnonymousTable } }),
    invoice: drizzleRightsSource(database.db, invoices),
  };
}

/**
 * A stored row as the demo prints it: envelopes shortened, blind indexes and
 * the restriction as they are, and in place of a personal value stored in
 * clear (a field not declared encrypted) a note, never the value.
 */
export function storedView(schema: PurposefulSchema, row: Record<string, unknown>): Record<string, unknown> {
  // printed in clear only when the schema declares the key and no personal field at the path (fail closed)
  const declared = new Set(Object.keys((schema.zod as { shape?: object }).shape ?? {}));
  const personal = (path: string) => !declared.has(path.split(/[.[]/)[0] as string) || schema.fields.some((f) => f.path === path);
  const view = (value: unknown, path: string): unknown => {
    if (value === null || value === undefined) return value;
    if (looksEncrypted(value)) return `${value.slice(0, 28)}… (${value.length} chars)`;
    if (Array.isArray(value)) return value.map((v) => view(v, `${path}[]`));
    if (typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, view(v, `${path}.${k}`)]));
    }
    return personal(path) ? '(in clear: not declared encrypted; not printed)' : value;
  };
  return Object.fromEntries(
    Object.entries(row).map(([key, value]) => [
      key,
      key.startsWith('bidx_') || key === 'pf_restriction' ? value : view(value, key),
    ]),
  );
}

/** The scoped client over the desk's tables: what the demo and the store read and write through. */
export function deskData(database: DeskDatabase, pf: DeskEngine) {
  return purposefulDrizzle(database.db, pf, { bindings: [customers, tickets, invoices] });
}

/**
 * The desk's store over a {@link DeskDatabase}, for `createSupportDesk({ store })`.
 *
 * Writes and reads go through the scoped client: `forPurpose(ctx).insert`
 * refuses undeclared fields, validates, seals and runs one INSERT;
 * `findFirst` authorizes, then opens and projects the row for the request's
 * purpose. A route passes a row its own purpose, actor and subject opened on
 * as it is (it opens only stored rows), so every store answers alike.
 */
export function drizzleStore(database: DeskDatabase): (pf: DeskEngine) => DeskStore {
  const { db } = database;
  return (pf) => {
    const data = deskData(database, pf);
    return {
      async seed(records, seedActor: Actor) {
        // the customers come from the system the desk replaces: an import, sealed with pf.seal and written with
        // Drizzle's own insert (a sealed column takes nothing but an envelope), accessibility needs included
        const ctx = { purpose: 'support.ticket', actor: seedActor } as const;
        const rows = await Promise.all(records.customers.map((c) => pf.seal(Customer, c, ctx)));
        await db.insert(customersTable).values(rows as (typeof customersTable.$inferInsert)[]);
        // the tickets as the desk writes them: checked for the purpose, sealed, one INSERT
        await data.forPurpose(ctx).insert(tickets, records.tickets as never);
      },
      async openTicket(ctx, ticket) {
        const scoped = data.forPurpose(ctx);
        await scoped.insert(tickets, ticket as never);
        return scoped.findFirst(tickets, { where: eq(ticketsTable.id, ticket.id as string) });
      },
      async ticket(ctx, id) {
        if (!UUID.test(id)) return undefined;
        return data.forPurpose(ctx).findFirst(tickets, { where: eq(ticketsTable.id, id) });
      },
      async customer(ctx, id) {
        if (!UUID.test(id)) return undefined;
        return data.forPurpose(ctx).findFirst(customers, { where: eq(customersTable.id, id) });
      },
      async ticketOwner(id) {
        // whom a survey answer is about, before any purpose is served: the ticket's customer id, not encrypted
        if (!UUID.test(id)) return undefined;
        const [row] = await db.select({ customerId: ticketsTable.customerId }).from(ticketsTable).where(eq(ticketsTable.id, id));
        return row?.customerId;
      },
      async answerSurvey(_ctx, id, satisfaction) {
        // the answer was checked by the route for support.survey (declared fields, consent); the score is not
        // encrypted, so Drizzle's own update writes its one column
        if (!UUID.test(id)) return false;
        const done = await db
          .update(ticketsTable)
          .set({ satisfaction })
          .where(eq(ticketsTable.id, id))
          .returning({ id: ticketsTable.id });
        return done.length > 0;
      },
    };
  };
}
