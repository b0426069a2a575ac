/**
 * Masks: each reveals a documented, fixed amount of a value, and nothing of a
 * value it cannot parse. Masks are synchronous and never throw.
 *
 * | mask | reveals | example |
 * |---|---|---|
 * | `email` | first character of the local part, first character of the domain, the top-level domain | `j***@e***.com` |
 * | `cpf` | the last 3 digits | `***.***.**7-25` |
 * | `cnpj` | the last 3 characters | `**.***.***\/***1-81` |
 * | `phone` | the last 4 digits | `*********4321` |
 * | `card` | the last 4 digits | `**** **** **** 1111` |
 * | `name` | the initials of the first and last words | `J*** S***` |
 * | `ip` | IPv4: first two octets; IPv6: first three groups (the /48) | `192.168.*.*` |
 * | `{ keepLast: n }` | the last `n` characters, never more than half the value | `******6789` |
 * | `full` | nothing | `***` |
 *
 * @module
 */

/**
 * A mask name, or keep-last-N.
 *
 * @example
 * ```ts
 * const mask: MaskSpec = { keepLast: 3 };
 * const postalCode = pd(z.string(), {
 *   category: 'user.contact.address.postal_code', purposes: { 'support.ticket': 'masked' }, mask,
 * });
 * maskValue(mask, '01310-100'); // '******100'
 * ```
 * @category Minimization
 */
export type MaskSpec = 'email' | 'cpf' | 'cnpj' | 'phone' | 'card' | 'name' | 'ip' | 'full' | { readonly keepLast: number };

/**
 * The named masks.
 *
 * @example
 * ```ts
 * MASK_NAMES.includes('cpf'); // true
 * // checking a mask name read from configuration
 * const isMaskName = (s: string): s is (typeof MASK_NAMES)[number] => (MASK_NAMES as readonly string[]).includes(s);
 * ```
 * @category Minimization
 */
export const MASK_NAMES = ['email', 'cpf', 'cnpj', 'phone', 'card', 'name', 'ip', 'full'] as const;

/**
 * What every mask shows when it cannot parse a value: nothing.
 *
 * @example
 * ```ts
 * maskValue('email', 'not an email'); // '***': what a mask cannot parse, it hides entirely
 * maskValue('full', 'anything') === FULL_MASK; // true
 * ```
 * @category Minimization
 */
export const FULL_MASK = '***';

/**
 * Most characters `keepLast` may be asked to reveal.
 *
 * @example
 * ```ts
 * isMaskSpec({ keepLast: MAX_KEEP_LAST });     // true (8)
 * isMaskSpec({ keepLast: MAX_KEEP_LAST + 1 }); // false: defineSchema reports PF_DECL_MASK_UNKNOWN
 * ```
 * @category Minimization
 */
export const MAX_KEEP_LAST = 8;

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}

/** How many ASCII digits `s` holds (no allocation). */
function digitCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/** The last `n` ASCII digits of `s`, in order. */
function lastDigits(s: string, n: number): string {
  let out = '';
  for (let i = s.length - 1; i >= 0 && out.length < n; i--) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) out = s[i] + out;
  }
  return out;
}

function firstCodePoint(s: string): string {
  const cp = s.codePointAt(0);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}

function maskEmail(v: unknown): string {
  const s = text(v);
  if (!s || s.length > 320) return FULL_MASK;
  const at = s.lastIndexOf('@');
  if (at < 1) return FULL_MASK;
  const domain = s.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  if (dot < 1) return FULL_MASK;
  const tld = domain.slice(dot + 1);
  if (!/^[A-Za-z]{2,24}$/.test(tld)) return FULL_MASK;
  return `${firstCodePoint(s)}***@${firstCodePoint(domain)}***.${tld.toLowerCase()}`;
}

function maskCpf(v: unknown): string {
  const s = text(v);
  if (!s || s.length > 32 || digitCount(s) !== 11) return '***.***.***-**';
  const d = lastDigits(s, 3);
  return `***.***.**${d[0]}-${d[1]}${d[2]}`;
}

function maskCnpj(v: unknown): string {
  const s = text(v);
  let c = '';
  if (s && s.length <= 40) {
    for (const ch of s) if (/[0-9A-Za-z]/.test(ch)) c += ch.toUpperCase();
  }
  if (c.length !== 14) return '**.***.***/****-**';
  return `**.***.***/***${c[11]}-${c[12]}${c[13]}`;
}

function maskPhone(v: unknown): string {
  const s = text(v);
  const n = s && s.length <= 40 ? digitCount(s) : 0;
  if (n < 8 || n > 15) return FULL_MASK;
  return '*'.repeat(n - 4) + lastDigits(s as string, 4);
}

function maskCard(v: unknown): string {
  const s = text(v);
  const n = s && s.length <= 40 ? digitCount(s) : 0;
  if (n < 12 || n > 19) return FULL_MASK;
  return `**** **** **** ${lastDigits(s as string, 4)}`;
}

function maskName(v: unknown): string {
  const s = text(v);
  if (!s || s.length > 500) return FULL_MASK;
  const words = s.trim().split(/\s+/u).filter(Boolean);
  if (words.length === 0) return FULL_MASK;
  const first = `${firstCodePoint(words[0] as string)}***`;
  return words.length === 1 ? first : `${first} ${firstCodePoint(words[words.length - 1] as string)}***`;
}

const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function maskIp(v: unknown): string {
  const s = text(v);
  if (!s || s.length > 45) return FULL_MASK;
  const m4 = IPV4_RE.exec(s);
  if (m4) {
    const octets = m4.slice(1).map(Number);
    if (octets.some((o) => o > 255)) return FULL_MASK;
    return `${octets[0]}.${octets[1]}.*.*`;
  }
  if (!s.includes(':') || !/^[0-9A-Fa-f:]+$/.test(s)) return FULL_MASK;
  const halves = s.split('::');
  if (halves.length > 2) return FULL_MASK;
  const head = halves[0] ? (halves[0] as string).split(':') : [];
  const tail = halves.length === 2 && halves[1] ? (halves[1] as string).split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? head.length !== 8 : missing < 1) return FULL_MASK;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (groups.some((g) => g.length === 0 || g.length > 4)) return FULL_MASK;
  const norm = groups.slice(0, 3).map((g) => Number.parseInt(g, 16).toString(16));
  return `${norm.join(':')}:*:*:*:*:*`;
}

function keepLast(n: number): (v: unknown) => string {
  return (v: unknown) => {
    const s = text(v);
    if (!s) return FULL_MASK;
    const cps = Array.from(s);
    const k = Math.min(n, Math.floor(cps.length / 2));
    return '*'.repeat(Math.max(3, cps.length - k)) + cps.slice(cps.length - k).join('');
  };
}

const NAMED: Readonly<Record<(typeof MASK_NAMES)[number], (v: unknown) => string>> = {
  email: maskEmail,
  cpf: maskCpf,
  cnpj: maskCnpj,
  phone: maskPhone,
  card: maskCard,
  name: maskName,
  ip: maskIp,
  full: () => FULL_MASK,
};

/**
 * True when `spec` is a mask purposeful knows.
 *
 * @example
 * ```ts
 * isMaskSpec('cpf');            // true
 * isMaskSpec({ keepLast: 4 });  // true
 * isMaskSpec('ssn');            // false: not a mask purposeful knows
 * ```
 * @category Minimization
 */
export function isMaskSpec(spec: unknown): spec is MaskSpec {
  if (typeof spec === 'string') return (MASK_NAMES as readonly string[]).includes(spec);
  return (
    typeof spec === 'object' &&
    spec !== null &&
    Number.isInteger((spec as { keepLast?: unknown }).keepLast) &&
    ((spec as { keepLast: number }).keepLast as number) >= 1 &&
    ((spec as { keepLast: number }).keepLast as number) <= MAX_KEEP_LAST
  );
}

/**
 * The mask function of a spec, built once. Unknown specs throw (declarations are
 * validated before this is called).
 *
 * @example
 * ```ts
 * const mask = compileMask('cpf');
 * mask('529.982.247-25'); // '***.***.**7-25'
 * ```
 * @category Minimization
 */
export function compileMask(spec: MaskSpec): (value: unknown) => string {
  if (typeof spec === 'string') {
    if (!(MASK_NAMES as readonly string[]).includes(spec)) throw new TypeError('unknown mask name');
    return NAMED[spec];
  }
  if (!isMaskSpec(spec)) throw new TypeError(`keepLast must be an integer from 1 to ${MAX_KEEP_LAST}`);
  return keepLast(spec.keepLast);
}

/**
 * Masks one value with a spec. A value the mask cannot parse is fully masked;
 * objects, booleans and other non-text values always are.
 *
 * @example
 * ```ts
 * maskValue('email', 'joao.silva@example.com'); // 'j***@e***.com'
 * maskValue('card', '4111 1111 1111 1111');      // '**** **** **** 1111'
 * maskValue({ keepLast: 4 }, 'AB123456789');     // '*******6789'
 * ```
 * @category Minimization
 */
export function maskValue(spec: MaskSpec, value: unknown): string {
  return compileMask(spec)(value);
}
