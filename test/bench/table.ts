/** Output helpers shared by the benchmark suites. */

/** Operations per second, grouped by thousands. */
export const fmtOps = (n: number): string => Math.round(n).toLocaleString('en-US');
/** A ratio such as `0.53×`. */
export const fmtRatio = (n: number): string => `${n.toFixed(2)}×`;

/** Prints a titled table: the first `leftColumns` columns left-aligned, the rest right-aligned. */
export function printTable(title: string, header: readonly string[], body: readonly string[][], leftColumns = 1): void {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i < leftColumns ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
}
