/**
 * The HTTP part of `npm run demo`: the support desk served by Express,
 * Fastify and the fetch handler on 127.0.0.1 (its tables in embedded PGlite
 * through `purposeful/drizzle`, or on the PostgreSQL server at DATABASE_URL;
 * an in-memory consent ledger: no server to install), a scripted series of requests by customers,
 * agents and the billing service, and what each one was allowed to see and
 * why. `npm run demo -- --serve` keeps the servers up and prints curl commands.
 */
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { createSupportDesk, secondCustomer, TICKET_1, TICKET_2 } from './app.js';
import { Customer } from './declarations.js';
import { expressApp } from './express.js';
import { fastifyApp } from './fastify.js';
import { fetchApp, serveFetch } from './fetch.js';
import { sampleCustomer } from './sample.js';
import { customersTable, drizzleStore, openDeskDatabase, storedView } from './store.js';

interface Step {
  readonly who: string;
  readonly token: string | undefined;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  readonly why: string;
}

const C1 = sampleCustomer.id;

/** Starts the three servers on 127.0.0.1 and returns their base URLs and a way to stop them. */
export async function startDesk() {
  const jwtSecret = crypto.getRandomValues(new Uint8Array(32));
  const database = await openDeskDatabase({ url: process.env.DATABASE_URL });
  const desk = createSupportDesk({ jwtSecret, store: drizzleStore(database) });
  await desk.ready;
  const express = expressApp(desk).listen(0, '127.0.0.1');
  const fetchServer = serveFetch(fetchApp(desk)).listen(0, '127.0.0.1');
  await Promise.all([express, fetchServer].map((s) => new Promise((r) => s.once('listening', r))));
  const fastify = await fastifyApp(desk);
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  const port = (s: { address(): unknown }) => (s.address() as AddressInfo).port;
  const bases = {
    express: `http://127.0.0.1:${port(express)}`,
    fastify: `http://127.0.0.1:${port(fastify.server)}`,
    fetch: `http://127.0.0.1:${port(fetchServer)}`,
  };
  const stop = async () => {
    await Promise.all([new Promise((r) => express.close(r)), new Promise((r) => fetchServer.close(r)), fastify.close()]);
    await database.close();
  };
  return { desk, database, bases, stop };
}

const show = (value: unknown): string => {
  const text = JSON.stringify(value);
  return text.length > 240 ? `${text.slice(0, 237)}...` : text;
};

/** Runs the scripted requests against every framework and prints one line per step (they must agree). */
export async function httpDemo(serve: boolean): Promise<void> {
  const { desk, database, bases, stop } = await startDesk();
  const tok = {
    customer: await desk.token(C1, ['customer']),
    customer2: await desk.token(secondCustomer.id, ['customer']),
    agent: await desk.token('agent-7', ['support']),
    agentMfa: await desk.token('agent-7', ['support'], { mfa: true }),
    supervisor: await desk.token('sup-1', ['supervisor']),
    billing: await desk.token('billing-svc', ['billing']),
  };
  if (serve) {
    console.log('\nThe support desk is up (Ctrl-C stops it):');
    for (const [name, base] of Object.entries(bases)) console.log(`  ${name.padEnd(8)} ${base}`);
    const b = bases.fastify;
    console.log('\nTry (tokens are valid for 15 minutes):');
    console.log(`  curl -s ${b}/customers/${C1} -H 'authorization: Bearer ${tok.agent}'`);
    console.log(`  curl -s ${b}/customers/${C1}/accessibility -H 'authorization: Bearer ${tok.agent}'`);
    console.log(`  curl -s ${b}/customers/${C1}/accessibility -H 'authorization: Bearer ${tok.agentMfa}'`);
    console.log(`  curl -s ${b}/customers/${C1}/billing -H 'authorization: Bearer ${tok.billing}'`);
    console.log(
      `  curl -s ${b}/tickets -H 'authorization: Bearer ${tok.customer}' -H 'content-type: application/json' -d '{"customerId":"${C1}","subject":"Login","message":"It fails","cpf":"529.982.247-25"}'`,
    );
    console.log(
      `  curl -s ${b}/tickets/${TICKET_1}/survey -H 'authorization: Bearer ${tok.customer}' -H 'content-type: application/json' -d '{"satisfaction":5}'`,
    );
    await new Promise<never>(() => {});
  }

  const steps: Step[] = [
    {
      who: 'customer João',
      token: tok.customer,
      method: 'POST',
      path: '/tickets',
      body: { customerId: C1, subject: 'Cannot log in', message: 'The app says my password is wrong.' },
      why: 'support.ticket (contract): the ticket form collects who, a subject and a message; the ticket is stored sealed and projected back',
    },
    {
      who: 'customer João',
      token: tok.customer,
      method: 'POST',
      path: '/tickets',
      body: { customerId: C1, subject: 'Boleto', message: 'Meu CPF é 529.982.247-25, me liga no (11) 91234-5678' },
      why: 'security (LGPD Art. 46): the message is free text, so the CPF and the phone typed into it are redacted on the way in, before the ticket is stored',
    },
    {
      who: 'customer João',
      token: tok.customer,
      method: 'POST',
      path: '/tickets',
      body: { customerId: C1, subject: 'Login', message: 'help', cpf: '529.982.247-25' },
      why: 'necessity (LGPD Art. 6 III): the form does not collect a CPF, so the whole request is refused, naming the field, not its value',
    },
    {
      who: 'customer João',
      token: tok.customer,
      method: 'GET',
      path: `/tickets/${TICKET_2}`,
      why: "a customer acts only about themselves: Maria's ticket is not João's",
    },
    {
      who: 'agent-7 (support)',
      token: tok.agent,
      method: 'GET',
      path: `/customers/${C1}`,
      why: 'support.ticket: CPF masked, e-mail clear (decrypted for this purpose only), phone masked, no health data',
    },
    {
      who: 'sup-1 (supervisor)',
      token: tok.supervisor,
      method: 'GET',
      path: `/customers/${C1}`,
      why: 'the same purpose, a role-dependent level: a supervisor sees the phone in clear',
    },
    {
      who: 'agent-7 (support, password only)',
      token: tok.agent,
      method: 'GET',
      path: `/customers/${C1}/accessibility`,
      why: 'support.accessibility shows health data (sensitive) in clear only after a second factor (mfa: sensitive)',
    },
    {
      who: 'agent-7 (support, password + OTP)',
      token: tok.agentMfa,
      method: 'GET',
      path: `/customers/${C1}/accessibility`,
      why: "a second factor, and João's specific, highlighted consent on record (LGPD Art. 11 I, GDPR Art. 9(2)(a))",
    },
    {
      who: 'agent-7 (support, password + OTP)',
      token: tok.agentMfa,
      method: 'GET',
      path: `/customers/${secondCustomer.id}/accessibility`,
      why: 'Maria never consented to this purpose: refused before the record is read',
    },
    {
      who: 'agent-7 (support)',
      token: tok.agent,
      method: 'GET',
      path: `/customers/${C1}/billing`,
      why: 'billing.invoice is for the billing role only',
    },
    {
      who: 'billing-svc (billing)',
      token: tok.billing,
      method: 'GET',
      path: `/customers/${C1}/billing`,
      why: 'billing.invoice (legal obligation): the CPF in clear for the invoice, no e-mail',
    },
    {
      who: 'customer João',
      token: tok.customer,
      method: 'POST',
      path: `/tickets/${TICKET_1}/survey`,
      body: { satisfaction: 5 },
      why: 'support.survey rests on consent, and João has not given it',
    },
    {
      who: 'customer Maria',
      token: tok.customer2,
      method: 'POST',
      path: `/tickets/${TICKET_2}/survey`,
      body: { satisfaction: 4 },
      why: 'Maria ticked the survey box: the answer is accepted (204)',
    },
    {
      who: 'nobody',
      token: undefined,
      method: 'GET',
      path: `/customers/${C1}`,
      why: 'no token, no actor: a 401, never an anonymous actor with rights',
    },
  ];

  console.log('\n── The support desk over HTTP: Express, Fastify and fetch on 127.0.0.1, the same routes ──');
  console.log(
    `(one store for the three: Drizzle tables on ${database.driver === 'pglite' ? 'embedded PGlite' : 'the PostgreSQL server at DATABASE_URL'})`,
  );
  try {
    for (const [i, step] of steps.entries()) {
      const results: string[] = [];
      for (const base of Object.values(bases)) {
        const headers: Record<string, string> = {};
        if (step.token) headers.authorization = `Bearer ${step.token}`;
        if (step.body !== undefined) headers['content-type'] = 'application/json';
        const res = await fetch(base + step.path, {
          method: step.method,
          headers,
          body: step.body === undefined ? undefined : JSON.stringify(step.body),
        });
        const text = await res.text();
        const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
        // a new ticket gets a new id and time on each server: compare the rest
        if (parsed && step.path === '/tickets' && res.status === 201) {
          parsed.id = '…';
          (parsed.messages as Array<Record<string, unknown>>)[0] = {
            ...(parsed.messages as Array<Record<string, unknown>>)[0],
            at: '…',
          };
        }
        results.push(
          `${res.status} ${parsed === undefined ? '' : res.status >= 400 ? `${parsed.code}${parsed.reason ? ` (${parsed.reason})` : ''}${parsed.paths ? ` at ${(parsed.paths as string[]).join(', ')}` : ''}` : show(parsed)}`,
        );
      }
      const same = results.every((r) => r === results[0]);
      console.log(
        `\n${i + 1}. ${step.who}: ${step.method} ${step.path.replace(C1, ':joao').replace(secondCustomer.id, ':maria').replace(TICKET_1, ':joaos-ticket').replace(TICKET_2, ':marias-ticket')}`,
      );
      console.log(`   → ${results[0]}`);
      console.log(`   why: ${step.why}`);
      console.log(`   ${same ? 'express = fastify = fetch' : `FRAMEWORKS DISAGREE: ${results.join(' | ')}`}`);
      if (!same) process.exitCode = 1;
    }
    // a raw select: what the table, a backup or a replica holds (never to serve a purpose)
    const [stored] = await database.db.select().from(customersTable).where(eq(customersTable.id, C1));
    const view = storedView(Customer, stored ?? {});
    console.log(
      `\nHow João's row is stored: cpf = ${view.cpf}, bidx_cpf = ${view.bidx_cpf} (sealed, bound to customer.cpf and João)`,
    );
    console.log('The Next.js app in examples/support-desk/next serves the same routes (see the README).');
  } finally {
    await stop();
  }
}
