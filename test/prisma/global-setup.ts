/**
 * Vitest global set-up: generates the Prisma client of the tests when it is
 * missing or its schema changed, so `npm ci && npm test` needs no extra step.
 */
import { generatePrismaClient } from './generate.mjs';

export default function setup(): void {
  generatePrismaClient({ ifStale: true });
}
