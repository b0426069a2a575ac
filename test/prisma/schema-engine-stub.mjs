#!/usr/bin/env node
/**
 * Stands in for Prisma's schema engine so that `prisma generate` runs offline:
 * the CLI only checks that PRISMA_SCHEMA_ENGINE_BINARY names an existing file
 * and never runs it while generating. The tests make their tables with SQL, so
 * any command that would really need the engine (migrate, db push) fails here.
 */
process.stderr.write(
  'schema-engine stub: this set-up has no Prisma schema engine; make tables with SQL (test/prisma/tables.sql)\n',
);
process.exit(1);
