/**
 * `purposeful init`: a config, a declarations skeleton that passes
 * `purposeful check --strict`, and with `--framework` a route example.
 * Nothing is overwritten: when any file exists, nothing is written.
 *
 * @module
 * @internal
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './load.js';

export const FRAMEWORKS = ['express', 'fastify', 'next'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

const CONFIG = `import type { PurposefulConfig } from 'purposeful';

// \`purposeful check\`, \`map\` and \`diff\` read the declarations from these modules.
export default {
  modules: ['./declarations.ts'],
  map: 'privacy-map.json', // the committed data map: purposeful map --out privacy-map.json
  // modules exporting your table bindings (bindTable from purposeful/drizzle): \`purposeful check\` verifies them
  // bindings: ['./src/db/bindings.ts'],
} satisfies PurposefulConfig;
`;

const DECLARATIONS = `/**
 * What personal data this application processes, why, on which legal basis and
 * for how long. \`purposeful check --strict\` validates it; \`purposeful map\` turns
 * it into the data map. Replace the placeholders (TODO) with your own.
 */
import { accessLogPurpose, accessLogSchema, definePurposes, defineSchema, pd } from 'purposeful';
import { z } from 'zod';

export const purposes = definePurposes(
  {
    'support.ticket': {
      description: 'Answer the customer about their support request',
      legalBasis: { lgpd: 'contract', gdpr: 'contract' }, // LGPD Art. 7 V; GDPR Art. 6(1)(b)
      retention: 'P2Y',
      roles: ['support'],
    },
    // the access log is personal data too, on the basis you choose: here legitimate interest in security
    // (LGPD Art. 7 IX, 10; GDPR Art. 6(1)(f)); a legal_obligation basis names its rule in \`obligation\`
    'security.access_log': accessLogPurpose({
      retention: 'P1Y',
      legalBasis: { lgpd: 'legitimate_interest', gdpr: 'legitimate_interests' },
      roles: ['dpo'],
    }),
  },
  {
    controller: {
      name: 'Example Ltd', // TODO: your legal name
      contact: 'privacy@example.com', // TODO
      dpo: { name: 'Data Protection Officer', contact: 'dpo@example.com' }, // TODO: your DPO (encarregado)
    },
  },
);

export const Customer = defineSchema(
  'customer',
  z.object({
    id: pd.none(z.uuid()), // not personal data, and says so
    name: pd(z.string().min(1), { category: 'user.name', purposes: ['support.ticket'], mask: 'name' }),
    email: pd(z.email(), { category: 'user.contact.email', purposes: { 'support.ticket': 'masked' }, mask: 'email' }),
  }),
  { purposes, subject: { kind: 'customer', id: 'id', minors: 'never' }, recordId: 'id' },
);

/** The access log's events, so the data map lists the log as processing of its own. */
export const AccessEvents = accessLogSchema(purposes);
`;

const ENGINE = `import { actorFromJwt, createPurposeful, type RouteRequest } from 'purposeful';
import { Customer, purposes } from './declarations.js';

export const pf = createPurposeful({ purposes, schemas: [Customer] });

// who is asking: a bearer token verified with your identity provider's public key (TODO)
const agent = actorFromJwt({
  key: JSON.parse(process.env.AUTH_PUBLIC_JWK ?? '{}'),
  issuer: 'https://id.example.com',
  audience: 'support-api',
});

/** Read a customer for support: the handler returns the record, the route gives out what the purpose may see. */
export const readCustomer = {
  purpose: 'support.ticket',
  output: Customer,
  actor: agent,
  subject: (req: RouteRequest) => req.params.id,
} as const;

// TODO: your storage (undefined when there is no such customer)
export async function findCustomer(id: string): Promise<{ id: string; name: string; email: string } | undefined> {
  return id === '3f0c1a6e-8b4d-4c2a-9e7f-1a2b3c4d5e6f' ? { id, name: 'Maria Souza', email: 'maria@example.com' } : undefined;
}
`;

const ROUTES: Record<Framework, { readonly file: string; readonly text: string }> = {
  express: {
    file: 'server.ts',
    text: `import express from 'express';
import { notFound } from 'purposeful';
import { purposeful } from 'purposeful/express';
import { findCustomer, pf, readCustomer } from './purposeful-engine.js';

const app = express();
app.get(
  '/customers/:id',
  purposeful(pf, readCustomer, async ({ params }) => {
    const customer = await findCustomer(params.id as string);
    if (!customer) throw notFound(); // 404 PF_NOT_FOUND
    return customer; // projected and masked for the purpose
  }),
);
app.listen(3000);
`,
  },
  fastify: {
    file: 'server.ts',
    text: `import Fastify from 'fastify';
import { notFound } from 'purposeful';
import { purposefulPlugin, purposefulRoute } from 'purposeful/fastify';
import { findCustomer, pf, readCustomer } from './purposeful-engine.js';

const app = Fastify();
await app.register(purposefulPlugin, { engine: pf });
// purposefulRoute: config.purposeful, with request and reply typed from the declaration
app.get('/customers/:id', purposefulRoute(readCustomer), async (request) => {
  const customer = await findCustomer(request.params.id as string);
  if (!customer) throw notFound(); // 404 PF_NOT_FOUND
  return customer; // projected and masked for the purpose
});
await app.listen({ port: 3000 });
`,
  },
  next: {
    file: 'app/customers/[id]/route.ts',
    text: `import { notFound } from 'purposeful';
import { withPurpose } from 'purposeful/next';
import { findCustomer, pf, readCustomer } from '../../../purposeful-engine.js';

export const dynamic = 'force-dynamic';

export const GET = withPurpose(pf, readCustomer, async ({ params }) => {
  const customer = await findCustomer(params.id as string);
  if (!customer) throw notFound(); // 404 PF_NOT_FOUND
  return customer; // projected and masked for the purpose
});
`,
  },
};

/** The files `init` writes, relative to the directory it runs in. */
export function initFiles(framework: Framework | undefined): { readonly file: string; readonly text: string }[] {
  const files = [
    { file: 'purposeful.config.ts', text: CONFIG },
    { file: 'declarations.ts', text: DECLARATIONS },
  ];
  if (framework) files.push({ file: 'purposeful-engine.ts', text: ENGINE }, ROUTES[framework]);
  return files;
}

/** Writes the files, or none of them when any exists. Returns the files written. */
export function writeInit(cwd: string, framework: Framework | undefined): string[] {
  const files = initFiles(framework);
  const existing = files.filter((f) => existsSync(resolve(cwd, f.file))).map((f) => f.file);
  if (existing.length) throw new UsageError(`${existing.join(', ')} already exist(s): nothing written (init never overwrites)`);
  for (const { file, text } of files) {
    const path = resolve(cwd, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text, { flag: 'wx' });
  }
  return files.map((f) => f.file);
}
