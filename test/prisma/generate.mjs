/**
 * Generates the Prisma client of the tests (test/prisma/schema.prisma) into
 * test/prisma/generated/, offline: PRISMA_SCHEMA_ENGINE_BINARY points at a
 * stub, so the CLI does not download the schema engine it does not need.
 *
 *   node test/prisma/generate.mjs            generate
 *   node test/prisma/generate.mjs --if-stale generate only when the schema changed since the last run
 *
 * Exported as `generatePrismaClient` for the vitest global set-up.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const schema = here('./schema.prisma');
const client = here('./generated/client.ts');
const stamp = here('./generated/.schema-hash');

const schemaHash = () => createHash('sha256').update(readFileSync(schema)).digest('hex');

/** Whether the generated client is missing or was generated from another schema. */
export function prismaClientIsStale() {
  return !existsSync(client) || !existsSync(stamp) || readFileSync(stamp, 'utf8') !== schemaHash();
}

/** Runs `prisma generate` with the stub engine; throws with the CLI's output when it fails. */
export function generatePrismaClient({ ifStale = false } = {}) {
  if (ifStale && !prismaClientIsStale()) return false;
  const hash = schemaHash();
  const cli = createRequire(import.meta.url).resolve('prisma/build/index.js');
  const env = {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || here('./schema-engine-stub.mjs'),
    CHECKPOINT_DISABLE: '1', // no usage ping to checkpoint.prisma.io
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  };
  const run = spawnSync(process.execPath, [cli, 'generate', '--schema', schema], { env, encoding: 'utf8' });
  if (run.status !== 0) {
    throw new Error(`prisma generate failed (exit ${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
  }
  writeFileSync(stamp, hash);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const generated = generatePrismaClient({ ifStale: process.argv.includes('--if-stale') });
  console.log(generated ? 'Prisma client generated in test/prisma/generated/' : 'Prisma client up to date');
}
