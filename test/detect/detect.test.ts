import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BRAZILIAN_DDDS,
  crc16Ccitt,
  detectPII,
  isCnh,
  isCnpj,
  isCpf,
  isIban,
  isPis,
  isRgSp,
  isTituloEleitor,
  luhn,
  PII_TYPES,
  type PiiType,
  redactText,
  redactWithCounts,
} from '../../src/index.js';
import * as g from '../fixtures/pii/generators.js';

const found = (text: string, threshold: 'low' | 'medium' | 'high' = 'medium') =>
  detectPII(text, { threshold }).map((s) => [s.type, text.slice(s.start, s.end)]);

describe('check digits', () => {
  const r = g.prng(1);
  const cases: Array<[string, (s: string) => boolean, (r: g.Rng) => string]> = [
    ['CPF', isCpf, g.cpf],
    ['CNPJ', isCnpj, (r) => g.cnpj(r)],
    ['CNPJ (alphanumeric)', isCnpj, (r) => g.cnpj(r, true)],
    ['CNH', isCnh, g.cnh],
    ['título de eleitor', isTituloEleitor, g.tituloEleitor],
    ['PIS', isPis, g.pis],
    ['RG (SP)', isRgSp, g.rgSp],
    ['card', luhn, g.card],
    ['IBAN', isIban, g.iban],
  ];
  it.each(cases)('%s: generated numbers pass, the same with the last digit changed fail', (_name, valid, make) => {
    for (let i = 0; i < 300; i++) {
      const v = make(r);
      expect(valid(v), v).toBe(true);
      expect(valid(g.breakLastDigit(v)), g.breakLastDigit(v)).toBe(false);
    }
  });

  it('knows the published examples and refuses the classic fakes', () => {
    expect(isCpf('52998224725')).toBe(true);
    for (const fake of ['00000000000', '11111111111', '12345678900', '5299822472', '529982247250', '5299822472a'])
      expect(isCpf(fake)).toBe(false);
    expect(isCnpj('11222333000181')).toBe(true);
    expect(isCnpj('12ABC34501DE35')).toBe(true);
    expect(isCnpj('12abc34501de35')).toBe(false); // letters are uppercase
    expect(isCnpj('00000000000000')).toBe(false);
    expect(isIban('GB82WEST12345698765432')).toBe(true);
    expect(isIban('BR1800360305000010009795493C1')).toBe(true);
    expect(luhn('4111111111111111')).toBe(true);
    expect(crc16Ccitt('123456789')).toBe('29B1');
    expect(BRAZILIAN_DDDS.size).toBe(67);
    expect(BRAZILIAN_DDDS.has('20')).toBe(false);
  });

  it('never throws, whatever the string', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        for (const f of [isCpf, isCnpj, isCnh, isTituloEleitor, isPis, isRgSp, luhn, isIban]) expect(typeof f(s)).toBe('boolean');
      }),
    );
  });
});

describe('detectPII', () => {
  it('finds each type, formatted and not, inside words and punctuation', () => {
    expect(found('Meu CPF é 529.982.247-25, ok?')).toEqual([['cpf', '529.982.247-25']]);
    expect(found('cpf:52998224725.')).toEqual([['cpf', '52998224725']]);
    expect(found('meucpf52998224725obrigado')).toEqual([['cpf', '52998224725']]);
    expect(found('cpf 529 982 247 25')).toEqual([['cpf', '529 982 247 25']]);
    expect(found('CNPJ 11.222.333/0001-81 e 12.ABC.345/01DE-35')).toEqual([
      ['cnpj', '11.222.333/0001-81'],
      ['cnpj', '12.ABC.345/01DE-35'],
    ]);
    expect(found('zap (11) 91234-5678, fixo +55 11 3456-7890')).toEqual([
      ['phone', '(11) 91234-5678'],
      ['phone', '+55 11 3456-7890'],
    ]);
    expect(found('cartão 4111 1111 1111 1111 val 12/30')).toEqual([['card', '4111 1111 1111 1111']]);
    expect(found('email: Joao.Silva+sac@empresa.com.br.')).toEqual([['email', 'Joao.Silva+sac@empresa.com.br']]);
    expect(found('CEP 01310-100')).toEqual([['cep', '01310-100']]);
    expect(found('meu RG é 24.678.131-2')).toEqual([['rg', '24.678.131-2']]);
    expect(found('nasci em 12/04/1985')).toEqual([['birth_date', '12/04/1985']]);
    expect(found('IBAN GB82 WEST 1234 5698 7654 32')).toEqual([['iban', 'GB82 WEST 1234 5698 7654 32']]);
    expect(found('IP 189.45.12.201 e 2001:db8::8a2e:370:7334')).toEqual([
      ['ipv4', '189.45.12.201'],
      ['ipv6', '2001:db8::8a2e:370:7334'],
    ]);
    expect(found('chave pix 123e4567-e89b-42d3-a456-426614174000')).toEqual([
      ['pix_key', '123e4567-e89b-42d3-a456-426614174000'],
    ]);
    expect(found('pis 120.56412.54-5, título 1023 8501 0671, cnh 02650306461')).toEqual([
      ['pis', '120.56412.54-5'],
      ['titulo_eleitor', '1023 8501 0671'],
      ['cnh', '02650306461'],
    ]);
  });

  it('reads a PIX "copia e cola" code whole, and only with its CRC right', () => {
    const code = g.brCode(g.prng(3));
    expect(found(`segue o pix: ${code} obrigado`)).toEqual([['pix_brcode', code]]);
    expect(found(`segue o pix: ${g.breakLastDigit(code)} obrigado`).map(([t]) => t)).not.toContain('pix_brcode');
  });

  it('lets the closest word decide: a timestamp after a birthday, two numbers that validate alike', () => {
    expect(found('data de nascimento 01/03/1941, 2026-03-14 20:44:26')).toEqual([['birth_date', '01/03/1941']]);
    expect(found('CNH number 29273828833 - PIX')).toEqual([['cnh', '29273828833']]); // also a valid CPF
    expect(found('meu CPF é 219 289 051 61 e me liga no 41954191021')).toEqual([
      ['cpf', '219 289 051 61'],
      ['phone', '41954191021'],
    ]);
    expect(found('postal code 67884619')).toEqual([['cep', '67884619']]);
    // a card that fails Luhn, whose last 11 digits make a valid CPF: the word before it says card, not CPF
    expect(found('segue o cpf 437.036.958-46, cartão 4517 3800 6001 1587 890')).toEqual([['cpf', '437.036.958-46']]);
    expect(found('nasci em 12 de abril de 1985.')).toEqual([['birth_date', '12 de abril de 1985']]);
    expect(found('born on the 3rd of March, 1990')).toEqual([['birth_date', '3rd of March, 1990']]);
    expect(found('entrega prevista para 12 de abril de 2026')).toEqual([]);
  });

  it('separates two numbers typed one after the other', () => {
    expect(found('52998224725 (11) 91234-5678')).toEqual([
      ['cpf', '52998224725'],
      ['phone', '(11) 91234-5678'],
    ]);
  });

  it('does not flag near misses: order and protocol numbers, timestamps, tracking codes, failed checksums', () => {
    const quiet = [
      'pedido 52998224726 enviado',
      'protocolo 20261129143305001',
      'timestamp 2026-11-29 14:33:05',
      'rastreio AA123456789BR',
      'nota fiscal 000.123.456',
      'versão 1.2.3.4 do app',
      'cpf 529.982.247-26',
      'cartão 4111 1111 1111 1112',
      'ticket #123456',
      'pedido 4111111111111111', // passes Luhn, but the words say it is an order
      'id 123e4567-e89b-42d3-a456-426614174000',
      'mac 00:1a:2b:3c:4d:5e às 14:33',
      'ligue 0800 123 4567',
      'cartão 4011 9856 5087 2825', // fails Luhn, while its first 12 digits pass it
      'card 4995 5512 7483 3831', // fails Luhn, while its last 12 digits pass it
      'boleto 24530.19506 28358.217313',
      'às 09:49 do dia 08/10/2026',
      'my phone is on file. Also: CNPJ 32.224.982/8343-79', // a mistyped CNPJ: no part of it is a phone
    ];
    for (const text of quiet) expect(found(text), text).toEqual([]);
  });

  it('grades confidence: checksum high, pattern with a context word medium, pattern alone low', () => {
    const [cpf] = detectPII('52998224725');
    expect(cpf?.confidence).toBe('high');
    expect(detectPII('11 91234-5678')[0]?.confidence).toBe('medium');
    expect(detectPII('11912345678')[0]?.confidence).toBe('low');
    expect(detectPII('celular 11912345678')[0]?.confidence).toBe('medium');
    expect(detectPII('01310-100')[0]?.confidence).toBe('low');
    expect(detectPII('cep 01310-100')[0]?.confidence).toBe('medium');
    expect(detectPII('11912345678', { threshold: 'medium' })).toEqual([]);
    expect(detectPII('cpf 52998224725 fone 11912345678', { types: ['phone'] }).map((s) => s.type)).toEqual(['phone']);
  });

  it('finds generated identifiers of every checksum type after a context word, formatted or not', () => {
    const r = g.prng(7);
    const makers: Array<[PiiType, string, () => string]> = [
      ['cpf', 'cpf', () => g.fmtCpf(g.cpf(r))],
      ['cpf', 'cpf', () => g.cpf(r)],
      ['cnpj', 'cnpj', () => g.fmtCnpj(g.cnpj(r))],
      ['cnpj', 'cnpj', () => g.cnpj(r, true)],
      ['cnh', 'cnh', () => g.cnh(r)],
      ['pis', 'pis', () => g.fmtPis(g.pis(r))],
      ['titulo_eleitor', 'título', () => g.fmtTitulo(g.tituloEleitor(r))],
      ['card', 'cartão', () => g.fmtCard(g.card(r))],
      ['iban', 'iban', () => g.fmtIban(g.iban(r))],
      ['phone', 'celular', () => g.fmtMobile(g.mobile(r))],
      ['phone', 'telefone', () => g.fmtLandline(g.landline(r))],
      ['email', 'email', () => g.email(r)],
      ['ipv4', 'ip', () => g.ipv4(r)],
      ['ipv6', 'ip', () => g.ipv6(r)],
    ];
    for (const [type, word, make] of makers) {
      for (let i = 0; i < 50; i++) {
        const v = make();
        expect(found(`oi, meu ${word} é ${v}, obrigado`), `${type} ${v}`).toEqual([[type, v]]);
      }
    }
  });

  it('throws coded errors on bad options, never on text', () => {
    expect(() => detectPII('x', { threshold: 'huge' as never })).toThrow(expect.objectContaining({ code: 'PF_OPTIONS_INVALID' }));
    expect(() => detectPII('x', { types: ['ssn' as never] })).toThrow(expect.objectContaining({ code: 'PF_OPTIONS_INVALID' }));
    expect(() => detectPII(42 as never)).toThrow(expect.objectContaining({ code: 'PF_INPUT_INVALID' }));
  });

  it('spans are sorted, within bounds, never overlapping, never splitting a surrogate pair or leaving a combining mark behind', () => {
    const piiish = fc.constantFrom(
      '529.982.247-25',
      '52998224725',
      '(11) 91234-5678',
      '4111 1111 1111 1111',
      'ana@example.com',
      '01310-100',
      ' cpf ',
      ' cep ',
      '😀',
      'e\u0301',
      '5\u0301',
      '@',
      '.',
      '-',
      ' ',
    );
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.array(piiish, { maxLength: 20 }).map((xs) => xs.join('')),
    );
    fc.assert(
      fc.property(text, (t) => {
        const spans = detectPII(t);
        let last = 0;
        for (const s of spans) {
          expect(s.start).toBeGreaterThanOrEqual(last);
          expect(s.end).toBeGreaterThan(s.start);
          expect(s.end).toBeLessThanOrEqual(t.length);
          expect(PII_TYPES).toContain(s.type);
          const low = (i: number) => t.charCodeAt(i) >= 0xdc00 && t.charCodeAt(i) <= 0xdfff;
          expect(low(s.start)).toBe(false);
          expect(s.end < t.length && low(s.end)).toBe(false);
          expect(/^[\u0300-\u036f]/.test(t.slice(s.end))).toBe(false);
          last = s.end;
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('redactText', () => {
  const key = new Uint8Array(32).fill(9);
  const text = 'Meu CPF é 529.982.247-25, cartão 4111 1111 1111 1111, zap (11) 91234-5678, email ana@example.com';

  it('replaces by label, mask or keyed token, and counts types without values', () => {
    expect(redactText(text)).toBe('Meu CPF é [CPF], cartão [CARD], zap [PHONE], email [EMAIL]');
    expect(redactText(text, { style: 'mask' })).toBe(
      'Meu CPF é ***.***.**7-25, cartão **** **** **** 1111, zap *******5678, email a***@e***.com',
    );
    const tokens = redactText(text, { style: 'token', key });
    expect(tokens).toMatch(/^Meu CPF é \[CPF:pn_[\w-]{24}\], cartão \[CARD:pn_[\w-]{24}\]/);
    // the same value typed two ways is one token
    const a = redactText('cpf 529.982.247-25', { style: 'token', key });
    const b = redactText('cpf 52998224725', { style: 'token', key });
    expect(a).toBe(b);
    expect(redactWithCounts(text).counts).toEqual({ cpf: 1, card: 1, phone: 1, email: 1 });
  });

  it('needs a real key for tokens', () => {
    expect(() => redactText(text, { style: 'token' })).toThrow(expect.objectContaining({ code: 'PF_OPTIONS_INVALID' }));
    expect(() => redactText(text, { style: 'token', key: new Uint8Array(8) })).toThrow(
      expect.objectContaining({ code: 'PF_OPTIONS_INVALID' }),
    );
  });

  it('is idempotent and leaves nothing findable at its threshold, in every style', () => {
    const piiish = fc.constantFrom(
      '529.982.247-25',
      '52998224725',
      '(11) 91234-5678',
      '4111 1111 1111 1111',
      'ana@example.com',
      'cpf',
      '11',
      '9',
      '7-25',
      ' ',
      '.',
      '-',
      '😀',
    );
    const t = fc.oneof(
      fc.string(),
      fc.array(piiish, { maxLength: 25 }).map((xs) => xs.join('')),
    );
    for (const style of ['label', 'mask', 'token'] as const) {
      fc.assert(
        fc.property(t, (s) => {
          const once = redactText(s, { style, key });
          expect(redactText(once, { style, key })).toBe(once);
          expect(detectPII(once, { threshold: 'medium' })).toEqual([]);
        }),
        { numRuns: 300 },
      );
    }
  });

  it('keeps the rest of the text as it was, Unicode included', () => {
    expect(redactText('Olá, João 😀! CPF 529.982.247-25 ✓ café')).toBe('Olá, João 😀! CPF [CPF] ✓ café');
    expect(redactText('sem dados pessoais aqui')).toBe('sem dados pessoais aqui');
  });
});
