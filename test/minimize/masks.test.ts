import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileMask, FULL_MASK, isMaskSpec, MASK_NAMES, MAX_KEEP_LAST, type MaskSpec, maskValue } from '../../src/index.js';

/** Fully-masked output of each mask for a value it cannot parse. */
const FULLY_MASKED: Record<(typeof MASK_NAMES)[number], string> = {
  email: '***',
  cpf: '***.***.***-**',
  cnpj: '**.***.***/****-**',
  phone: '***',
  card: '***',
  name: '***',
  ip: '***',
  full: '***',
};

const ALL_SPECS: readonly MaskSpec[] = [...MASK_NAMES, ...Array.from({ length: MAX_KEEP_LAST }, (_, i) => ({ keepLast: i + 1 }))];

/** Values that are not text: every mask must reveal nothing of them. */
const NON_TEXT: readonly unknown[] = [
  null,
  undefined,
  true,
  false,
  {},
  { value: '529.982.247-25' },
  { toString: () => 'ana@example.com' },
  ['529.982.247-25'],
  ['ana@example.com'],
  new Date(0),
  Symbol('x'),
  () => 'ana@example.com',
  new Map([['a', 'b']]),
  new Uint8Array([1, 2, 3]),
  new String('ana@example.com'),
];

const count = (s: string, re: RegExp): number => s.match(re)?.length ?? 0;
const asciiDigits = (s: string): number => count(s, /[0-9]/g);
const codePoints = (s: string): string[] => Array.from(s);

/** Arbitrary strings, including non-BMP code points and lone surrogates. */
const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: 'grapheme', maxLength: 32 }),
);
/** Strings made mostly of digits and separators, so that the digit-based masks often parse them. */
const digitty = fc.string({ unit: fc.constantFrom(...'0123456789 .-/()+'), maxLength: 48 });
const digit = fc.constantFrom(...'0123456789');
const digits = (min: number, max: number) => fc.array(digit, { minLength: min, maxLength: max }).map((ds) => ds.join(''));

describe('masks: known examples', () => {
  it('email reveals the first character of local part and domain, and the top-level domain', () => {
    expect(maskValue('email', 'joao.silva@example.com')).toBe('j***@e***.com');
    expect(maskValue('email', 'Ana.Silva@Mail.Example.COM')).toBe('A***@M***.com');
    expect(maskValue('email', 'émile@exemple.fr')).toBe('é***@e***.fr');
    expect(maskValue('email', '😀x@ex.io')).toBe('😀***@e***.io');
    expect(maskValue('email', 'a@b@corp.com')).toBe('a***@c***.com');
    expect(maskValue('email', 'x@y.museum')).toBe('x***@y***.museum');
  });

  it('email is fully masked when unparsable', () => {
    for (const v of [
      '',
      'no-at-sign',
      '@example.com',
      'a@localhost',
      'a@.com',
      'a@example.',
      'a@example.c',
      'a@example.c0m',
      'a@example.com ',
      `a@${'b'.repeat(320)}.com`,
      `${'a'.repeat(320)}@b.com`,
      42,
      ...NON_TEXT,
    ]) {
      expect(maskValue('email', v)).toBe(FULL_MASK);
    }
  });

  it('cpf reveals the last 3 digits', () => {
    expect(maskValue('cpf', '529.982.247-25')).toBe('***.***.**7-25');
    expect(maskValue('cpf', '52998224725')).toBe('***.***.**7-25');
    expect(maskValue('cpf', 52998224725)).toBe('***.***.**7-25');
    expect(maskValue('cpf', ' 529 982 247 25 ')).toBe('***.***.**7-25');
  });

  it('cpf is fully masked when unparsable', () => {
    for (const v of [
      '',
      'abc',
      '529.982.247-2',
      '5299822472',
      '529.982.247-251',
      '529982247251',
      // 11 digits, but hidden in a string too long to be a CPF
      `529.982.247-25${' '.repeat(30)}`,
      ...NON_TEXT,
    ]) {
      const out = maskValue('cpf', v);
      expect(out).toBe('***.***.***-**');
      expect(asciiDigits(out)).toBe(0);
    }
  });

  it('cnpj reveals the last 3 characters, numeric or alphanumeric', () => {
    expect(maskValue('cnpj', '11.222.333/0001-81')).toBe('**.***.***/***1-81');
    expect(maskValue('cnpj', '11222333000181')).toBe('**.***.***/***1-81');
    expect(maskValue('cnpj', '12.ABC.345/01DE-35')).toBe('**.***.***/***E-35');
    expect(maskValue('cnpj', '12abc34501de35')).toBe('**.***.***/***E-35');
  });

  it('cnpj is fully masked when unparsable', () => {
    for (const v of ['', '11.222.333/0001-8', '11.222.333/0001-811', 'x', `11.222.333/0001-81${' '.repeat(40)}`, ...NON_TEXT]) {
      expect(maskValue('cnpj', v)).toBe('**.***.***/****-**');
    }
  });

  it('phone reveals the last 4 digits', () => {
    expect(maskValue('phone', '+55 11 98765-4321')).toBe('*********4321');
    expect(maskValue('phone', '(11) 3456-7890')).toBe('******7890');
    expect(maskValue('phone', '12345678')).toBe('****5678');
    expect(maskValue('phone', '123456789012345')).toBe('***********2345');
    expect(maskValue('phone', 11987654321)).toBe('*******4321');
  });

  it('phone is fully masked when unparsable', () => {
    for (const v of ['', 'call me', '1234567', '1234567890123456', `+55 11 98765-4321${' '.repeat(40)}`, ...NON_TEXT]) {
      expect(maskValue('phone', v)).toBe(FULL_MASK);
    }
  });

  it('card reveals the last 4 digits', () => {
    expect(maskValue('card', '4111 1111 1111 1111')).toBe('**** **** **** 1111');
    expect(maskValue('card', '4111-1111-1111-1234')).toBe('**** **** **** 1234');
    expect(maskValue('card', '123456789012')).toBe('**** **** **** 9012');
    expect(maskValue('card', '1234567890123456789')).toBe('**** **** **** 6789');
  });

  it('card is fully masked when unparsable', () => {
    for (const v of ['', 'visa', '12345678901', '12345678901234567890', `4111 1111 1111 1111${' '.repeat(40)}`, ...NON_TEXT]) {
      expect(maskValue('card', v)).toBe(FULL_MASK);
    }
  });

  it('name reveals the initials of the first and last words', () => {
    expect(maskValue('name', 'João da Silva')).toBe('J*** S***');
    expect(maskValue('name', '  joão   da   silva ')).toBe('j*** s***');
    expect(maskValue('name', 'Madonna')).toBe('M***');
    expect(maskValue('name', 'Ana\tMaria\nSouza')).toBe('A*** S***');
    expect(maskValue('name', '😀mma Stone')).toBe('😀*** S***');
  });

  it('name is fully masked when unparsable', () => {
    for (const v of ['', '   ', '\t\n', 'a'.repeat(501), ...NON_TEXT]) {
      expect(maskValue('name', v)).toBe(FULL_MASK);
    }
  });

  it('ip reveals the first two octets of an IPv4 address', () => {
    expect(maskValue('ip', '192.168.1.20')).toBe('192.168.*.*');
    expect(maskValue('ip', '0.0.0.0')).toBe('0.0.*.*');
    expect(maskValue('ip', '255.255.255.255')).toBe('255.255.*.*');
    expect(maskValue('ip', '010.001.2.3')).toBe('10.1.*.*');
  });

  it('ip reveals the first three groups (the /48) of an IPv6 address, in all :: forms', () => {
    expect(maskValue('ip', '2001:0db8:85a3:0000:0000:8a2e:0370:7334')).toBe('2001:db8:85a3:*:*:*:*:*');
    expect(maskValue('ip', '2001:DB8::1')).toBe('2001:db8:0:*:*:*:*:*');
    expect(maskValue('ip', '2001:db8::')).toBe('2001:db8:0:*:*:*:*:*');
    expect(maskValue('ip', '::')).toBe('0:0:0:*:*:*:*:*');
    expect(maskValue('ip', '::1')).toBe('0:0:0:*:*:*:*:*');
    expect(maskValue('ip', '::2:3:4:5:6:7:8')).toBe('0:2:3:*:*:*:*:*');
    expect(maskValue('ip', '1:2:3:4:5:6:7::')).toBe('1:2:3:*:*:*:*:*');
    expect(maskValue('ip', '1:2::3:4')).toBe('1:2:0:*:*:*:*:*');
    expect(maskValue('ip', 'fe80::1')).toBe('fe80:0:0:*:*:*:*:*');
    expect(maskValue('ip', '1:2:3:4:5:6:7:8')).toBe('1:2:3:*:*:*:*:*');
  });

  it('ip is fully masked when unparsable', () => {
    for (const v of [
      '',
      'localhost',
      '256.1.1.1',
      '1.2.3',
      '1.2.3.4.5',
      '1.2.3.4 ',
      '1234.1.1.1',
      ':',
      ':::',
      ':::1',
      '1:::2',
      '1::2::3',
      '::1::',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '1::2:3:4:5:6:7:8',
      ':1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:',
      '12345::',
      'g::1',
      'fe80::1%eth0',
      '::ffff:1.2.3.4',
      `${'1:'.repeat(30)}1`,
      ...NON_TEXT,
    ]) {
      expect(maskValue('ip', v)).toBe(FULL_MASK);
    }
  });

  it('full reveals nothing, whatever the value', () => {
    for (const v of ['ana@example.com', '529.982.247-25', '', 0, 123, ...NON_TEXT]) {
      expect(maskValue('full', v)).toBe(FULL_MASK);
    }
  });

  it('keepLast reveals the last n characters, never more than half the value', () => {
    expect(maskValue({ keepLast: 4 }, 'AB123456789')).toBe('*******6789');
    expect(maskValue({ keepLast: 4 }, 'abcdefgh')).toBe('****efgh');
    expect(maskValue({ keepLast: 4 }, 'abcdef')).toBe('***def');
    expect(maskValue({ keepLast: 4 }, 'abc')).toBe('***c');
    expect(maskValue({ keepLast: 8 }, 'ab')).toBe('***b');
    expect(maskValue({ keepLast: 1 }, 'a')).toBe('***');
    expect(maskValue({ keepLast: 2 }, '😀😀😀😀')).toBe('***😀😀');
    expect(maskValue({ keepLast: 3 }, 123456)).toBe('***456');
  });

  it('keepLast is fully masked for empty and non-text values', () => {
    for (const v of ['', ...NON_TEXT]) {
      expect(maskValue({ keepLast: 4 }, v)).toBe(FULL_MASK);
    }
  });
});

describe('masks: properties (reveal no more than documented)', () => {
  it('never throws and always returns a string, for any value', () => {
    const masks = ALL_SPECS.map((spec) => compileMask(spec));
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withBoxedValues: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withNullPrototype: true,
          withObjectString: true,
          withTypedArray: true,
          withSparseArray: true,
          withUnicodeString: true,
        }),
        (v) => {
          for (const mask of masks) expect(typeof mask(v)).toBe('string');
        },
      ),
    );
  });

  it('non-text values are always fully masked', () => {
    const nonText = fc
      .anything({ withBoxedValues: true, withDate: true, withMap: true, withSet: true, withTypedArray: true })
      .filter((v) => typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'bigint');
    fc.assert(
      fc.property(nonText, (v) => {
        for (const name of MASK_NAMES) expect(maskValue(name, v)).toBe(FULLY_MASKED[name]);
        for (let n = 1; n <= MAX_KEEP_LAST; n++) expect(maskValue({ keepLast: n }, v)).toBe(FULL_MASK);
      }),
    );
  });

  it('cpf: at most 3 digits, for any string', () => {
    fc.assert(
      fc.property(fc.oneof(anyString, digitty), (s) => {
        const out = maskValue('cpf', s);
        expect(count(out, /\p{N}/gu)).toBeLessThanOrEqual(3);
        expect(out).toMatch(/^\*\*\*\.\*\*\*\.\*\*(\*-\*\*|[0-9]-[0-9]{2})$/);
      }),
    );
  });

  it('cpf: a formatted CPF shows exactly its last 3 digits', () => {
    fc.assert(
      fc.property(digits(11, 11), fc.boolean(), (d, formatted) => {
        const v = formatted ? `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6, 9)}-${d.slice(9)}` : d;
        expect(maskValue('cpf', v)).toBe(`***.***.**${d[8]}-${d.slice(9)}`);
      }),
    );
  });

  it('cnpj: at most 3 alphanumeric characters, for any string', () => {
    fc.assert(
      fc.property(fc.oneof(anyString, digitty), (s) => {
        const out = maskValue('cnpj', s);
        expect(count(out, /[\p{L}\p{N}]/gu)).toBeLessThanOrEqual(3);
        expect(out).toMatch(/^\*\*\.\*\*\*\.\*\*\*\/\*\*\*(\*-\*\*|[0-9A-Z]-[0-9A-Z]{2})$/);
      }),
    );
  });

  it('cnpj: a formatted CNPJ shows exactly its last 3 characters', () => {
    const alnum = fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    fc.assert(
      fc.property(fc.array(alnum, { minLength: 12, maxLength: 12 }), digits(2, 2), (head, dv) => {
        const c = head.join('') + dv;
        const v = `${c.slice(0, 2)}.${c.slice(2, 5)}.${c.slice(5, 8)}/${c.slice(8, 12)}-${c.slice(12)}`;
        expect(maskValue('cnpj', v)).toBe(`**.***.***/***${c[11]}-${dv}`);
      }),
    );
  });

  it('phone: at most 4 digits, for any string', () => {
    fc.assert(
      fc.property(fc.oneof(anyString, digitty), (s) => {
        const out = maskValue('phone', s);
        expect(count(out, /\p{N}/gu)).toBeLessThanOrEqual(4);
        expect(out).toMatch(/^\*+[0-9]{0,4}$/);
      }),
    );
  });

  it('phone: a phone number of 8 to 15 digits shows exactly its last 4 digits', () => {
    fc.assert(
      fc.property(digits(8, 15), fc.constantFrom('', ' ', '-', '.'), (d, sep) => {
        const v = `+${d.slice(0, 2)}${sep}${d.slice(2, 4)}${sep}${d.slice(4)}`;
        expect(maskValue('phone', v)).toBe('*'.repeat(d.length - 4) + d.slice(-4));
      }),
    );
  });

  it('card: at most 4 digits, for any string', () => {
    fc.assert(
      fc.property(fc.oneof(anyString, digitty), (s) => {
        const out = maskValue('card', s);
        expect(count(out, /\p{N}/gu)).toBeLessThanOrEqual(4);
        expect(out === FULL_MASK || /^\*\*\*\* \*\*\*\* \*\*\*\* [0-9]{4}$/.test(out)).toBe(true);
      }),
    );
  });

  it('card: a card number of 12 to 19 digits shows exactly its last 4 digits', () => {
    fc.assert(
      fc.property(digits(12, 19), fc.constantFrom('', ' ', '-'), (d, sep) => {
        const v = d.match(/.{1,4}/g)!.join(sep);
        expect(maskValue('card', v)).toBe(`**** **** **** ${d.slice(-4)}`);
      }),
    );
  });

  it('keepLast n: at most min(n, floor(len/2)) characters shown, and they are the last ones', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_KEEP_LAST }), anyString, (n, s) => {
        const out = maskValue({ keepLast: n }, s);
        const cps = codePoints(s);
        const k = Math.min(n, Math.floor(cps.length / 2));
        const outCps = codePoints(out);
        expect(outCps.filter((c) => c !== '*').length).toBeLessThanOrEqual(k);
        expect(outCps.length).toBeGreaterThanOrEqual(3);
        if (s.length === 0) {
          expect(out).toBe(FULL_MASK);
        } else {
          // the shown part is exactly the value's last k code points, after stars only
          const shown = outCps.slice(outCps.length - k);
          expect(shown).toEqual(cps.slice(cps.length - k));
          expect(outCps.slice(0, outCps.length - k).every((c) => c === '*')).toBe(true);
        }
      }),
    );
  });

  it('email: nothing of the local part beyond its first code point, nothing of the domain beyond its first character', () => {
    // Disjoint alphabets: the local part is upper-case letters, domain labels are digits, the TLD lower-case letters.
    const upper = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    const local = fc.array(upper, { minLength: 1, maxLength: 30 }).map((a) => a.join(''));
    const label = digits(1, 20);
    const labels = fc.array(label, { minLength: 1, maxLength: 3 }).map((a) => a.join('.'));
    const tld = fc
      .array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), { minLength: 2, maxLength: 24 })
      .map((a) => a.join(''));
    fc.assert(
      fc.property(local, labels, tld, (l, d, t) => {
        const out = maskValue('email', `${l}@${d}.${t}`);
        expect(out).toBe(`${l[0]}***@${d[0]}***.${t}`);
        expect(count(out, /[A-Z]/g)).toBe(1);
        expect(count(out, /[0-9]/g)).toBe(1);
        if (l.length > 1) expect(out).not.toContain(l.slice(0, 2));
        if (d.length > 1) expect(out).not.toContain(d.slice(0, 2));
      }),
    );
  });

  it('email: any string gives either the full mask or the documented shape, starting with its first code point', () => {
    fc.assert(
      fc.property(fc.oneof(anyString, fc.emailAddress()), (s) => {
        const out = maskValue('email', s);
        if (out === FULL_MASK) return;
        const m = /^(.)\*\*\*@(.)\*\*\*\.([a-z]{2,24})$/su.exec(out);
        expect(m).not.toBeNull();
        const [, first, domainFirst, tld] = m!;
        const domain = s.slice(s.lastIndexOf('@') + 1);
        expect(first).toBe(codePoints(s)[0]);
        expect(domainFirst).toBe(codePoints(domain)[0]);
        expect(s.toLowerCase().endsWith(`.${tld}`)).toBe(true);
      }),
    );
  });

  it('name: at most 2 characters shown (other than * and spaces), for any string', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const out = maskValue('name', s);
        const shown = codePoints(out).filter((c) => c !== '*' && c !== ' ');
        expect(shown.length).toBeLessThanOrEqual(2);
      }),
    );
  });

  it('name: a name of words shows exactly the initials of the first and last words', () => {
    const word = fc
      .array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzÁÉÍÓÚãçõ'), { minLength: 1, maxLength: 12 })
      .map((a) => a.join(''));
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 6 }), fc.constantFrom(' ', '  ', '\t', ' \n '), (words, sep) => {
        const out = maskValue('name', ` ${words.join(sep)} `);
        const first = codePoints(words[0]!)[0];
        const last = codePoints(words[words.length - 1]!)[0];
        expect(out).toBe(words.length === 1 ? `${first}***` : `${first}*** ${last}***`);
      }),
    );
  });

  it('ip: any string gives either the full mask or at most two octets / three groups', () => {
    fc.assert(
      fc.property(fc.oneof(anyString, fc.string({ unit: fc.constantFrom(...'0123456789abcdef:.'), maxLength: 45 })), (s) => {
        const out = maskValue('ip', s);
        expect(
          out === FULL_MASK || /^\d{1,3}\.\d{1,3}\.\*\.\*$/.test(out) || /^[0-9a-f]{1,4}(:[0-9a-f]{1,4}){2}(:\*){5}$/.test(out),
        ).toBe(true);
      }),
    );
  });

  it('ip: a generated IPv4 address shows exactly its first two octets', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        const [a, b] = ip.split('.').map(Number);
        expect(maskValue('ip', ip)).toBe(`${a}.${b}.*.*`);
      }),
    );
  });

  /** Reference expansion of a hexadecimal IPv6 address into its 8 groups, as numbers. */
  function expandIpv6(ip: string): number[] {
    const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
    return groups.map((g) => Number.parseInt(g, 16));
  }

  it('ip: a generated IPv6 address shows exactly its first three groups', () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const out = maskValue('ip', ip);
        if (ip.includes('.')) {
          // IPv4-embedded forms are not parsed: fully masked
          expect(out).toBe(FULL_MASK);
          return;
        }
        const g = expandIpv6(ip);
        expect(out).toBe(
          `${g
            .slice(0, 3)
            .map((n) => n.toString(16))
            .join(':')}:*:*:*:*:*`,
        );
      }),
    );
  });
});

describe('compileMask and isMaskSpec', () => {
  it('compileMask returns the same function maskValue applies', () => {
    for (const spec of ALL_SPECS) {
      const mask = compileMask(spec);
      for (const v of ['joao.silva@example.com', '529.982.247-25', '4111 1111 1111 1111', '2001:db8::1', 'Ana Souza']) {
        expect(mask(v)).toBe(maskValue(spec, v));
      }
    }
  });

  it('compileMask throws on unknown specs', () => {
    const bad: unknown[] = [
      'unknown',
      'EMAIL',
      'Email',
      '',
      ' email',
      { keepLast: 0 },
      { keepLast: 9 },
      { keepLast: -1 },
      { keepLast: 1.5 },
      { keepLast: Number.NaN },
      { keepLast: Number.POSITIVE_INFINITY },
      { keepLast: '4' },
      {},
      null,
      undefined,
      4,
      true,
    ];
    for (const spec of bad) {
      expect(() => compileMask(spec as MaskSpec), String(JSON.stringify(spec))).toThrow(TypeError);
      expect(() => maskValue(spec as MaskSpec, 'ana@example.com')).toThrow(TypeError);
    }
  });

  // Regression: names inherited from Object.prototype were once "found" as masks
  // (maskValue('constructor', v) returned the whole value).
  it('compileMask throws on names inherited from Object.prototype', () => {
    for (const spec of ['toString', 'constructor', 'valueOf', 'hasOwnProperty', '__proto__']) {
      expect(() => compileMask(spec as MaskSpec)).toThrow(TypeError);
    }
  });

  it('isMaskSpec accepts every named mask and keepLast 1..8', () => {
    for (const name of MASK_NAMES) expect(isMaskSpec(name)).toBe(true);
    for (let n = 1; n <= 8; n++) expect(isMaskSpec({ keepLast: n })).toBe(true);
    expect(MAX_KEEP_LAST).toBe(8);
  });

  it('isMaskSpec rejects everything else', () => {
    for (const spec of [
      { keepLast: 0 },
      { keepLast: 9 },
      { keepLast: 1.5 },
      { keepLast: -1 },
      { keepLast: Number.NaN },
      { keepLast: '4' },
      { keeplast: 4 },
      {},
      [],
      null,
      undefined,
      0,
      4,
      'Email',
      'unknown',
      '',
      'toString',
      'constructor',
      '__proto__',
    ]) {
      expect(isMaskSpec(spec), JSON.stringify(spec)).toBe(false);
    }
  });

  it('isMaskSpec: an integer keepLast is accepted exactly when it is 1..8', () => {
    fc.assert(
      fc.property(fc.integer(), (n) => {
        expect(isMaskSpec({ keepLast: n })).toBe(n >= 1 && n <= 8);
      }),
    );
    fc.assert(
      fc.property(
        fc.double().filter((x) => !Number.isInteger(x)),
        (x) => {
          expect(isMaskSpec({ keepLast: x })).toBe(false);
        },
      ),
    );
  });

  it('cnpj keeps only ASCII letters and digits (no case-folding tricks)', () => {
    expect(maskValue('cnpj', 'ßßßßßßß')).toBe('**.***.***/****-**');
    expect(maskValue('cnpj', '12.abc.345/01de-35')).toBe('**.***.***/***E-35');
  });
});
