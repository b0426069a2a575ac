/**
 * Check-digit validators of the identifiers the detectors recognize, as
 * their issuers publish them (Receita Federal, TSE, Caixa, ISO 7064, ISO 13616): synchronous, allocation-light, and total —
 * any string goes in, `true` or `false` comes out, nothing throws.
 *
 * @module
 */

const ZERO = 48;

/** Whether a string is exactly `length` ASCII digits. */
function allDigits(s: string, length: number): boolean {
  if (s.length !== length) return false;
  for (let i = 0; i < length; i++) {
    const d = s.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return false;
  }
  return true;
}

/** The value of the character at `i` (a digit's value; a letter's char code − 48). */
const at = (s: string, i: number): number => s.charCodeAt(i) - ZERO;

function allEqual(s: string): boolean {
  for (let i = 1; i < s.length; i++) if (s.charCodeAt(i) !== s.charCodeAt(0)) return false;
  return true;
}

/** Σ value(i) × weights[i], mod 11, mapped to a check digit the way CPF and CNPJ do it: r < 2 → 0, else 11 − r. */
function mod11Dv(s: string, weights: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += at(s, i) * (weights[i] as number);
  const r = sum % 11;
  return r < 2 ? 0 : 11 - r;
}

const CPF_W1 = [10, 9, 8, 7, 6, 5, 4, 3, 2];
const CPF_W2 = [11, 10, 9, 8, 7, 6, 5, 4, 3, 2];

/**
 * A CPF (11 digits, no separators) whose two mod-11 check digits are right;
 * eleven equal digits are refused.
 *
 * @example
 * ```ts
 * isCpf('52998224725'); // true
 * isCpf('52998224726'); // false: the last check digit is wrong
 * isCpf('11111111111'); // false: passes the arithmetic, refused by rule
 * ```
 * @category Utilities
 */
export function isCpf(s: string): boolean {
  if (!allDigits(s, 11) || allEqual(s)) return false;
  return mod11Dv(s, CPF_W1) === at(s, 9) && mod11Dv(s, CPF_W2) === at(s, 10);
}

const CNPJ_W1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
const CNPJ_W2 = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];

/**
 * A CNPJ (14 characters, no separators): numeric, or alphanumeric in the
 * first 12 (IN RFB 2.229/2024, from July 2026: uppercase letters count as
 * their char code − 48, A = 17 … Z = 42); the two check digits stay numeric.
 *
 * @example
 * ```ts
 * isCnpj('11222333000181'); // true
 * isCnpj('12ABC34501DE35'); // true: the alphanumeric form
 * isCnpj('11222333000182'); // false
 * ```
 * @category Utilities
 */
export function isCnpj(s: string): boolean {
  if (s.length !== 14 || allEqual(s)) return false;
  for (let i = 0; i < 14; i++) {
    const c = s.charCodeAt(i);
    const digit = c >= 48 && c <= 57;
    const upper = c >= 65 && c <= 90;
    if (!(digit || (upper && i < 12))) return false;
  }
  return mod11Dv(s, CNPJ_W1) === at(s, 12) && mod11Dv(s, CNPJ_W2) === at(s, 13);
}

/**
 * A CNH, the driver's licence number (11 digits): DV1 from weights 9…1 (a
 * remainder of 10 or more gives 0 and lowers DV2 by 2), DV2 from weights 1…9.
 * Validators in the wild disagree on the corner where DV2's remainder goes
 * below zero; this one wraps it mod 11 (and a 10 gives 0).
 *
 * @example
 * ```ts
 * isCnh('02650306461'); // true
 * isCnh('02650306462'); // false
 * ```
 * @category Utilities
 */
export function isCnh(s: string): boolean {
  if (!allDigits(s, 11) || allEqual(s)) return false;
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < 9; i++) {
    s1 += at(s, i) * (9 - i);
    s2 += at(s, i) * (i + 1);
  }
  let dv1 = s1 % 11;
  let dec = 0;
  if (dv1 >= 10) {
    dv1 = 0;
    dec = 2;
  }
  let dv2 = ((((s2 % 11) - dec) % 11) + 11) % 11;
  if (dv2 >= 10) dv2 = 0;
  return dv1 === at(s, 9) && dv2 === at(s, 10);
}

/**
 * A título de eleitor (12 digits: 8 sequential, the state code 01–28, two
 * check digits): DV1 = Σ seq × (2…9) mod 11; DV2 = (uf₁×7 + uf₂×8 + DV1×9)
 * mod 11; a remainder of 10 gives 0, and for São Paulo (01) and Minas Gerais
 * (02) a remainder of 0 gives 1.
 *
 * @example
 * ```ts
 * isTituloEleitor('102385010671'); // true
 * isTituloEleitor('102385010672'); // false
 * ```
 * @category Utilities
 */
export function isTituloEleitor(s: string): boolean {
  if (!allDigits(s, 12) || allEqual(s)) return false;
  const uf = at(s, 8) * 10 + at(s, 9);
  if (uf < 1 || uf > 28) return false;
  const spOrMg = uf === 1 || uf === 2;
  const fix = (r: number): number => (r === 10 ? 0 : r === 0 && spOrMg ? 1 : r);
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += at(s, i) * (i + 2);
  const dv1 = fix(sum % 11);
  const dv2 = fix((at(s, 8) * 7 + at(s, 9) * 8 + dv1 * 9) % 11);
  return dv1 === at(s, 10) && dv2 === at(s, 11);
}

const PIS_W = [3, 2, 9, 8, 7, 6, 5, 4, 3, 2];

/**
 * A PIS / PASEP / NIS / NIT (11 digits): weights 3,2,9,8,7,6,5,4,3,2; DV = 11 − (S mod 11), 10 or 11 → 0.
 *
 * @example
 * ```ts
 * isPis('12056412545'); // true
 * isPis('12056412547'); // false
 * ```
 * @category Utilities
 */
export function isPis(s: string): boolean {
  if (!allDigits(s, 11) || allEqual(s)) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += at(s, i) * (PIS_W[i] as number);
  const dv = 11 - (sum % 11);
  return (dv >= 10 ? 0 : dv) === at(s, 10);
}

/**
 * A São Paulo RG (8 digits and a check character): weights 2…9 over the
 * digits, DV = 11 − (S mod 11), 10 → `X`, 11 → `0`. Other states have no
 * public rule: their RGs are found by context words only.
 *
 * @example
 * ```ts
 * isRgSp('246781312'); // true
 * isRgSp('24678104X'); // true: a check value of 10 is written X
 * isRgSp('246781313'); // false
 * ```
 * @category Utilities
 */
export function isRgSp(s: string): boolean {
  if (s.length !== 9 || !allDigits(s.slice(0, 8), 8) || allEqual(s.slice(0, 8))) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += at(s, i) * (i + 2);
  const dv = 11 - (sum % 11);
  const expected = dv === 10 ? 'X' : dv === 11 ? '0' : String(dv);
  const last = s[8] === 'x' ? 'X' : s[8];
  return last === expected;
}

/**
 * The Luhn check (payment cards): digits only, any length.
 *
 * @example
 * ```ts
 * luhn('4111111111111111'); // true
 * luhn('4111111111111112'); // false
 * ```
 * @category Utilities
 */
export function luhn(s: string): boolean {
  if (s.length === 0) return false;
  let sum = 0;
  let double = false;
  for (let i = s.length - 1; i >= 0; i--) {
    let d = s.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * An IBAN (no spaces, uppercase): 15–34 characters, two letters, two check
 * digits, then letters and digits; the first four moved to the end, letters
 * as numbers (A = 10), mod 97 = 1.
 *
 * @example
 * ```ts
 * isIban('GB82WEST12345698765432'); // true
 * isIban('GB82WEST12345698765433'); // false
 * ```
 * @category Utilities
 */
export function isIban(s: string): boolean {
  const n = s.length;
  if (n < 15 || n > 34) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const letter = c >= 65 && c <= 90;
    const digit = c >= 48 && c <= 57;
    if (i < 2 ? !letter : i < 4 ? !digit : !(letter || digit)) return false;
  }
  let r = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt((k + 4) % n);
    if (c <= 57) r = (r * 10 + (c - ZERO)) % 97;
    else r = (r * 100 + (c - 55)) % 97;
  }
  return r === 1;
}

/**
 * CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) over the UTF-8 bytes of a
 * string, as four uppercase hex digits: the checksum closing a PIX "copia e
 * cola" BR Code (field 63).
 *
 * @example
 * ```ts
 * crc16Ccitt('123456789'); // '29B1'
 * ```
 * @category Utilities
 */
export function crc16Ccitt(s: string): string {
  let crc = 0xffff;
  const bytes = UTF8.encode(s);
  for (const b of bytes) {
    crc ^= b << 8;
    for (let k = 0; k < 8; k++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

const UTF8 = new TextEncoder();

/**
 * The 67 Brazilian area codes (DDD) in use.
 *
 * @example
 * ```ts
 * BRAZILIAN_DDDS.has('11'); // true (São Paulo)
 * BRAZILIAN_DDDS.has('20'); // false
 * ```
 * @category Utilities
 */
export const BRAZILIAN_DDDS: ReadonlySet<string> = new Set(
  [
    '11-19',
    '21',
    '22',
    '24',
    '27',
    '28',
    '31-35',
    '37',
    '38',
    '41-49',
    '51',
    '53-55',
    '61-69',
    '71',
    '73-75',
    '77',
    '79',
    '81-89',
    '91-99',
  ].flatMap((r) => {
    const [a, b = a] = r.split('-').map(Number) as [number, number?];
    return Array.from({ length: (b as number) - a + 1 }, (_, i) => String(a + i));
  }),
);
