/**
 * Small text helpers shared by the data map, its diff, the CLI's formats and
 * the portability export.
 *
 * @module
 * @internal
 */

/** Orders strings by code unit, the same everywhere (no locale). */
export const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One RFC 4180 CSV field; a leading `=`, `+`, `-`, `@`, tab or CR is prefixed
 * with `'` so a spreadsheet does not run it as a formula.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
