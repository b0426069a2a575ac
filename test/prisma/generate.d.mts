/** Whether the generated client is missing or was generated from another schema. */
export function prismaClientIsStale(): boolean;
/** Runs `prisma generate` offline; returns whether it generated (false: up to date and `ifStale`). */
export function generatePrismaClient(options?: { ifStale?: boolean }): boolean;
