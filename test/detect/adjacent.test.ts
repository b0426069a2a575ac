/**
 * Identifiers typed next to each other: redaction must remove every one of
 * them, whatever joins them, and settle without throwing (issue 16, part 1).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectPII, PII_TYPES, type PiiType, type RedactStyle, redactText, redactWithCounts } from '../../src/index.js';
import * as g from '../fixtures/pii/generators.js';

const key = new Uint8Array(32).fill(7);

/**
 * One identifier of each type as a customer types it, found on its own at the
 * redaction threshold (`medium`): the types found by context carry their word.
 * `value` is the identifier itself, whose digits must not survive.
 */
const UNITS: Readonly<Record<PiiType, (r: g.Rng) => { text: string; value: string }>> = {
  cpf: (r) => plain(r() < 0.5 ? g.fmtCpf(g.cpf(r)) : g.cpf(r)),
  cnpj: (r) => plain(r() < 0.4 ? g.fmtCnpj(g.cnpj(r)) : g.cnpj(r, r() < 0.5)),
  rg: (r) => worded('rg', g.fmtRg(g.rgSp(r))),
  cnh: (r) => plain(g.cnh(r)),
  titulo_eleitor: (r) => plain(g.fmtTitulo(g.tituloEleitor(r))),
  pis: (r) => plain(g.fmtPis(g.pis(r))),
  cep: (r) => worded('cep', g.fmtCep(g.cep(r))),
  phone: (r) => plain(r() < 0.5 ? g.fmtMobile(g.mobile(r)) : `+55 ${g.fmtLandline(g.landline(r))}`),
  pix_key: (r) => worded('chave pix', g.uuid(r)),
  pix_brcode: (r) => plain(g.brCode(r)),
  email: (r) => plain(g.email(r)),
  card: (r) => plain(r() < 0.6 ? g.fmtCard(g.card(r)) : g.card(r)),
  iban: (r) => plain(r() < 0.5 ? g.fmtIban(g.iban(r)) : g.iban(r)),
  ipv4: (r) => plain(g.ipv4(r)),
  ipv6: (r) => plain(g.ipv6(r)),
  birth_date: (r) =>
    worded(
      'nascimento',
      `${String(g.int(r, 1, 28)).padStart(2, '0')}/${String(g.int(r, 1, 12)).padStart(2, '0')}/${g.int(r, 1930, 2010)}`,
    ),
};
function plain(value: string) {
  return { text: value, value };
}
/** A type found by its context word carries the word, after a space: the word is not the identifier, the join is. */
function worded(word: string, value: string) {
  return { text: ` ${word} ${value}`, value };
}

/** What joins two identifiers: nothing, space, '.', ',', '/', '-', no-break space, newline. */
const JOINS = ['', ' ', '.', ',', '/', '-', '\u00a0', '\n'] as const;

/** The output with redaction labels and tokens cut out, so that only what was left of the input remains. */
const withoutLabels = (s: string) => s.replace(/\[[A-Z_0-9]+(?::pn_[\w-]+)?\]/g, '|');

/** Maximal runs of digits joined by at most two separators, as `scanNumbers` reads them, as digit strings. */
function digitRuns(s: string): string[] {
  return (s.match(/\d+(?:[ \u00a0.\-/()]{1,2}\d+)*/g) ?? []).map((m) => m.replace(/\D/g, ''));
}

/** The longest run of the identifier's digits (in order, separators aside) that survives in `out`. */
function longestLeak(out: string, value: string): number {
  const digits = value.replace(/\D/g, '');
  let longest = 0;
  for (const run of digitRuns(withoutLabels(out))) {
    for (let i = 0; i < run.length; i++) {
      for (let len = longest + 1; i + len <= run.length; len++) {
        if (digits.includes(run.slice(i, i + len))) longest = len;
        else break;
      }
    }
  }
  return longest;
}

/** The first message in which `longestLeak` finds more than nothing, or undefined. */
function leakIn(units: ReadonlyArray<{ text: string; value: string }>, joins: readonly string[], style: RedactStyle = 'label') {
  let text = 'meus dados ';
  units.forEach((u, i) => {
    text += (i > 0 ? joins[i - 1] : '') + u.text;
  });
  text += ' obrigado';
  const out = redactText(text, { style, key });
  const left = detectPII(out, { threshold: 'medium' });
  if (left.length > 0) return { text, out, problem: `still found: ${left.map((s) => s.type).join(', ')}` };
  if (redactText(out, { style, key }) !== out) return { text, out, problem: 'does not settle: redacting it again changes it' };
  if (style !== 'label') return undefined;
  for (const u of units) {
    const n = longestLeak(out, u.value);
    if (n > 0) return { text, out, problem: `${n} digits of ${u.value} left` };
  }
  return undefined;
}

describe('adjacent identifiers are all redacted', () => {
  it('the reported cases: a card after a CPF, two CPFs, a card glued to an e-mail', () => {
    expect(redactText('meus dados 529.982.247-25 4111 1111 1111 1111 obrigado')).toBe('meus dados [CPF] [CARD] obrigado');
    expect(redactText('meus dados 529.982.247-25 111.444.777-35 obrigado')).toBe('meus dados [CPF] [CPF] obrigado');
    const glued = redactText('meus dados 4111 1111 1111 1111.ana@example.com obrigado');
    expect(glued).not.toMatch(/\d/);
    expect(detectPII(glued, { threshold: 'medium' })).toEqual([]);
  });

  it('every generated identifier is found on its own, whole (the units the properties join)', () => {
    const r = g.prng(11);
    for (const type of PII_TYPES) {
      for (let i = 0; i < 30; i++) {
        const u = UNITS[type](r);
        const text = `meus dados ${u.text} obrigado`;
        const at = text.indexOf(u.value);
        // an 11-digit number may validate as CPF, PIS and CNH alike: what matters here is that all of it is found
        const whole = detectPII(text, { threshold: 'medium' }).some((s) => s.start <= at && s.end >= at + u.value.length);
        expect(whole, `${type}: ${u.text}`).toBe(true);
      }
    }
  });

  it('every pair of the 16 types, in both orders, with every join (nothing between included), leaves no digit of either in the label style', () => {
    const r = g.prng(16);
    const failures: string[] = [];
    for (const a of PII_TYPES)
      for (const b of PII_TYPES)
        for (const join of JOINS)
          for (let k = 0; k < 3; k++) {
            const leak = leakIn([UNITS[a](r), UNITS[b](r)], [join]);
            if (leak)
              failures.push(
                `${a}+${JSON.stringify(join)}+${b}: ${leak.problem} — ${JSON.stringify(leak.text)} → ${JSON.stringify(leak.out)}`,
              );
          }
    expect(failures.slice(0, 20), `${failures.length} pairs leak`).toEqual([]);
  });

  it('property: pairs and triples of any types, values and joins, in every style, settle with nothing findable and (labels) no digit left', () => {
    const type = fc.constantFrom(...PII_TYPES);
    const join = fc.constantFrom(...JOINS);
    const style = fc.constantFrom<RedactStyle>('label', 'mask', 'token');
    fc.assert(
      fc.property(
        fc.array(type, { minLength: 2, maxLength: 3 }),
        fc.array(join, { minLength: 2, maxLength: 2 }),
        fc.integer(),
        style,
        (types, joins, seed, st) => {
          const r = g.prng(seed);
          const leak = leakIn(
            types.map((t) => UNITS[t](r)),
            joins,
            st,
          );
          expect(leak).toBeUndefined();
        },
      ),
      { numRuns: 1500 },
    );
  });
});

describe('identifiers glued to each other: where the text cannot tell where one ends, the whole stretch is redacted', () => {
  /** Redacted in the label style: no digit left, nothing findable, and redacting again changes nothing. */
  const clean = (text: string) => {
    const out = redactText(text);
    expect(withoutLabels(out), text).not.toMatch(/\d/);
    expect(detectPII(out, { threshold: 'medium' }), text).toEqual([]);
    expect(redactText(out), text).toBe(out);
    return out;
  };

  it('two network addresses joined by a dot, or an address glued to an IPv6 one', () => {
    expect(clean('meus dados 108.166.49.210.199.52.76.106 obrigado')).toBe('meus dados [IPV4] obrigado');
    // the mask of one address would show part of the other: the chain gets its label
    expect(redactText('meus dados 108.166.49.210.199.52.76.106 obrigado', { style: 'mask' })).toBe('meus dados [IPV4] obrigado');
    clean('meus dados 2001:db8::9554:872320.158.211.64 obrigado');
    clean('meus dados 81e3:6103:20ff:490a:9ee7:8fb3:7315:aad4.223.246.44.138 obrigado');
    clean('meus dados bdc8:89e0:b76e:84ad:65d6:7676:1f86:c513.2001:db8::2723:b5d8 obrigado');
    clean('meus dados 2001:db8::d0ab:156c5371:9340:f18e:a3e:6a7a:d36b:d342:a138 obrigado');
    clean('meus dados 25bd:4a28:7d1c:358f:f764:7991:44fd:6b05692.184.744-64 obrigado');
  });

  it('hex digits and numbers typed right after a UUID, a PIX code or an e-mail, and before an IPv6 address', () => {
    clean('meus dados  chave pix 13599672-aadb-4472-b041-bb30d59ad6022221 7500 3487 2183 obrigado');
    clean('meus dados  chave pix ae9f794c-0f0e-48b9-8779-e3303490dbe4185.234.228.33 obrigado');
    clean('meus dados  chave pix fdbc95ab-610b-4a3d-bd20-1d75041628374a1f:2b98:bff2:20d1:f7a0:f720:900e:de0c obrigado');
    clean('meus dados julia_silva@uol.com.breadf:ba97:22f3:4d47:933d:3c49:b51e:64c7 obrigado');
    clean('meus dados 2001:db8::a152:c70blucas_lima@yahoo.com.br obrigado');
    expect(clean('meus dados john.santos84@example.org.358.153.797-43 obrigado')).toBe('meus dados [EMAIL].[CPF] obrigado');
    clean('meus dados (98) 96165-0445533:8caf:ffd8:8e3d:44cf:c8d9:12f9:5939 obrigado');
  });

  it('an alphanumeric CNPJ right after digits, an IBAN right after an IBAN or an RG ending in X', () => {
    clean('meus dados  rg 96.947.188-968A0WL91149680 obrigado');
    clean('meus dados 8766 4469 248836R809W5248284 obrigado');
    clean('meus dados 131.25859.11-40834AID9210653 obrigado');
    expect(clean('meus dados FR32 3202 5096 67D7 8574 4799 437DE11508056547585006163 obrigado')).toBe(
      'meus dados [IBAN][IBAN] obrigado',
    );
    expect(clean('meus dados  rg 76.223.507-XFR32 3202 5096 67D7 8574 4799 437 obrigado')).toBe(
      'meus dados  rg [RG][IBAN] obrigado',
    );
  });

  it('a mask or token shows only what its own identifier reveals, never what is glued to it', () => {
    expect(redactText('cartão 4111 1111 1111 1111abc9 ok', { style: 'mask' })).toBe('cartão **** **** **** 1111*** ok');
    const token = redactText('cartão 4111 1111 1111 1111abc9 ok', { style: 'token', key });
    expect(token).toMatch(/^cartão \[CARD:pn_[\w-]+\]\*\*\* ok$/);
    // the same card alone gives the same token: the glued characters are not part of its value
    expect(token.replace('***', '')).toBe(redactText('cartão 4111 1111 1111 1111 ok', { style: 'token', key }));
  });

  it('words glued to an identifier are not identifiers: the span stays the identifier', () => {
    expect(detectPII('meucpf52998224725obrigado').map((s) => [s.start, s.end])).toEqual([[6, 17]]);
  });
});

describe('repetitions of one identifier redact, they never throw', () => {
  it('the reported case: a card seven times', () => {
    const out = redactText('4111 1111 1111 1111 '.repeat(7));
    expect(out).toBe('[CARD] '.repeat(7));
  });

  it('any type, repeated 2 to 60 times with any join, in every style', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PII_TYPES),
        fc.constantFrom(...JOINS),
        fc.integer({ min: 2, max: 60 }),
        fc.integer(),
        fc.constantFrom<RedactStyle>('label', 'mask', 'token'),
        (type, join, times, seed, style) => {
          const u = UNITS[type](g.prng(seed));
          const units = Array.from({ length: times }, () => u);
          const leak = leakIn(
            units,
            Array.from({ length: times - 1 }, () => join),
            style,
          );
          expect(leak).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('counts each repetition once', () => {
    expect(redactWithCounts('529.982.247-25 '.repeat(40)).counts).toEqual({ cpf: 40 });
    expect(redactWithCounts('4111 1111 1111 1111 '.repeat(40)).counts).toEqual({ card: 40 });
  });
});
