/**
 * FROZEN vectors of purposeful's own formats. Stored ciphertexts must open
 * forever: if one of these tests fails, the envelope, the value codec, the
 * associated data, the key derivation or the data-key wrapping changed, and
 * every database written before the change would stop decrypting.
 *
 * Never regenerate these literals to make a test pass. A deliberate format
 * change gets a new version (pf2., pfk2., purposeful/v2/…) and new vectors,
 * next to these, which must keep passing.
 */
import { hkdfSync } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type AlgorithmId, aeads } from '../../src/crypto/aead.js';
import { associatedData, formatEnvelope, type Place, parseEnvelope } from '../../src/crypto/envelope.js';
import { derive } from '../../src/crypto/kek.js';
import { KeyManager } from '../../src/crypto/keys.js';
import {
  decodeValue,
  encodeValue,
  generateKeyring,
  isKeyring,
  isPurposefulError,
  type Keyring,
  type KeyringJwks,
  keyringFromJwks,
  type PurposefulError,
} from '../../src/index.js';
import { base64urlEncode } from '../../src/util/base64url.js';
import { lengthPrefixed } from '../../src/util/bytes.js';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const seq = (n: number, start: number) => Uint8Array.from({ length: n }, (_, i) => (start + i) & 255);

// ---- fixed inputs -----------------------------------------------------------------------------

/** The base key field keys derive from (a subject's data key, or a schema root): a0 a1 … bf. */
const BASE = seq(32, 0xa0);
const KID = 'd-frozen-01';
const NONCE: Readonly<Record<AlgorithmId, Uint8Array>> = { xc20: seq(24, 0x40), gsiv: seq(12, 0x60) };
const PLACE: Place = { schema: 'customer', field: 'cpf', subject: 'subj-42', record: 'rec-7' };
/** A schema without subject or record id. */
const NO_SUBJECT: Place = { schema: 'settings', field: 'apiNote', subject: '', record: '' };

const VALUES = {
  string: 'João da Silva',
  number: -1234.5625,
  date: new Date('2026-01-02T03:04:05.678Z'),
  json: { a: [1, 'x', true, null], b: { c: 'ç' } },
} as const;
type ValueName = keyof typeof VALUES;

// ---- frozen outputs ---------------------------------------------------------------------------

const FROZEN: ReadonlyArray<{ alg: AlgorithmId; value: ValueName; place: Place; envelope: string }> = [
  {
    alg: 'xc20',
    value: 'string',
    place: PLACE,
    envelope: 'pf1.xc20.d-frozen-01.QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXtJarG7K_Q2zFlQzc8bg6jdOjdYaOakzLqpUWVg_Cfw',
  },
  {
    alg: 'xc20',
    value: 'string',
    place: NO_SUBJECT,
    envelope: 'pf1.xc20.d-frozen-01.QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXa-MTAaDaAaNWDqwTFq3kGmPal9B-e_PlH7dxXfx-Mw',
  },
  {
    alg: 'xc20',
    value: 'number',
    place: PLACE,
    envelope: 'pf1.xc20.d-frozen-01.QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXtxxXklHQYwikdj7iHrfnaUkgxoH22xKWpw',
  },
  {
    alg: 'xc20',
    value: 'date',
    place: PLACE,
    envelope: 'pf1.xc20.d-frozen-01.QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXsp69b9tIkeikyAaFlpRRN8fB6BlghBJ88Q',
  },
  {
    alg: 'xc20',
    value: 'json',
    place: PLACE,
    envelope:
      'pf1.xc20.d-frozen-01.QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXvKfmuTPqODmIlyeXsbopK8Y80dCjhpC_z8w0VtmyI3phzJ5i91ooTfOpvsFKVNnJAXtAEh-AjA',
  },
  {
    alg: 'gsiv',
    value: 'string',
    place: PLACE,
    envelope: 'pf1.gsiv.d-frozen-01.YGFiY2RlZmdoaWprj_UjL9y6Ph_W-ULsVzM7RShruyLxW4TAEH23M4lcYg',
  },
  {
    alg: 'gsiv',
    value: 'string',
    place: NO_SUBJECT,
    envelope: 'pf1.gsiv.d-frozen-01.YGFiY2RlZmdoaWprZ7IiANs_yyptsPikeJJsMjk6i5GHlllIyGmA8sg4dw',
  },
  {
    alg: 'gsiv',
    value: 'number',
    place: PLACE,
    envelope: 'pf1.gsiv.d-frozen-01.YGFiY2RlZmdoaWprFFraXDAQlWFJjA0FXwh4mqBjySVd_mv41g',
  },
  {
    alg: 'gsiv',
    value: 'date',
    place: PLACE,
    envelope: 'pf1.gsiv.d-frozen-01.YGFiY2RlZmdoaWprYcqcIvZ_aTxcpB-JDzV7tRPf58k9nax43g',
  },
  {
    alg: 'gsiv',
    value: 'json',
    place: PLACE,
    envelope: 'pf1.gsiv.d-frozen-01.YGFiY2RlZmdoaWprzoQQGop_3aEOasjDZg1t32NGDxyGS7LlC4gbLF3bTACCphlDrGpxitmwZ9YX9OM5KSLPI0GPKQ',
  },
];

/** derive(BASE, 'field', ['customer', 'cpf', alg]) */
const FIELD_KEY_HEX: Readonly<Record<AlgorithmId, string>> = {
  xc20: 'a8997ac4596f1d52eb83cd5608911a47dee6255b6377e7f64f5dea82f2bd86d5',
  gsiv: '46850ff3b6698b62b5efb4517ef48fa8558abfba35e6b4abbf44c7c10fe733b9',
};
/** associatedData('xc20', KID, PLACE) */
const AD_HEX =
  '00000010707572706f736566756c2e6669656c64' + // "purposeful.field"
  '0000000131' + // "1"
  '0000000478633230' + // "xc20"
  '0000000b642d66726f7a656e2d3031' + // "d-frozen-01"
  '00000008637573746f6d6572' + // "customer"
  '00000003637066' + // "cpf"
  '000000077375626a2d3432' + // "subj-42"
  '000000057265632d37'; // "rec-7"

// ---- the keyring ------------------------------------------------------------------------------

/** kek-2026 = 10 11 … 2f (primary), kek-2025 = 01 × 32 (unwrap only). */
const JWKS: KeyringJwks = {
  keys: [
    { kty: 'oct', kid: 'kek-2026', k: 'EBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8', key_ops: ['wrapKey', 'unwrapKey'] },
    { kty: 'oct', kid: 'kek-2025', k: 'AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE', key_ops: ['unwrapKey'] },
  ],
};
const SECRETS = JWKS.keys.map((k) => k.k);
/** derive(kek-2026, 'root', ['settings']) */
const ROOT_HEX = '66516806d9ba06a77664acedd43092e3120f568cfcc7d5bdb63d40d4b99bbade';
/** derive(kek, 'index', ['cpf']) for kek-2026, kek-2025 */
const INDEX_HEX = [
  '71420e797d97c15815c014bb55fac4ffa23e961477ee1b8d3934859e71da0277',
  'b5664929af586ce5b74bbb3c500e4301a0f64334574964d8f047003b61efb231',
];
/** The data key d0 d1 … ef of subj-42, wrapped under kek-2026 with nonce 80 81 … 97. */
const WRAPPED = 'pfk1.gIGCg4SFhoeIiYqLjI2Oj5CRkpOUlZaXBsMkmXJDKcdmb2TBji2D5Hv8FNd3eKLBS4APYfXdw7s1nDHfm4Zckhdc2ZVOpI-R';
const DEK_RECORD = {
  id: KID,
  keyClass: 'erasable' as const,
  kek: 'kek-2026',
  wrapped: WRAPPED,
  createdAt: '2026-01-01T00:00:00.000Z',
};

// ---- helpers ----------------------------------------------------------------------------------

const noble = aeads('noble');
const fieldKey = (alg: AlgorithmId, place: Place) => derive(BASE, 'field', [place.schema, place.field, alg]);

function build(alg: AlgorithmId, value: unknown, place: Place): string {
  const sealed = noble[alg].seal(fieldKey(alg, place), NONCE[alg], encodeValue(value, 'v'), associatedData(alg, KID, place));
  return formatEnvelope(alg, KID, NONCE[alg], sealed);
}

/** Opens like KeyManager.open, with the field key of `keyPlace` and the associated data of `adPlace`. */
function open(text: string, keyPlace: Place, adPlace: Place = keyPlace, kid = KID, implementation: 'noble' | 'auto' = 'noble') {
  const env = parseEnvelope(text, 'v');
  const pt = aeads(implementation)[env.alg].open(
    fieldKey(env.alg, keyPlace),
    env.nonce,
    env.sealed,
    associatedData(env.alg, kid, adPlace),
  );
  return pt && decodeValue(pt, 'v');
}

function manager(keyring: Keyring, implementation: 'noble' | 'auto' = 'noble') {
  return new KeyManager({ keyring, store: undefined, algorithm: 'xc20', implementation, cacheSize: 64 });
}

async function optionsInvalid(jwks: unknown): Promise<PurposefulError> {
  try {
    await keyringFromJwks(jwks as KeyringJwks);
  } catch (err) {
    if (!isPurposefulError(err)) throw err;
    expect(err.code).toBe('PF_OPTIONS_INVALID');
    for (const s of SECRETS) expect(err.message).not.toContain(s);
    return err;
  }
  throw new Error('expected PF_OPTIONS_INVALID');
}

const key = (kid: string, bytes: Uint8Array, primary = false) => ({
  kty: 'oct',
  kid,
  k: base64urlEncode(bytes),
  key_ops: primary ? ['wrapKey', 'unwrapKey'] : ['unwrapKey'],
});

// ---- the tests --------------------------------------------------------------------------------

describe('frozen envelopes', () => {
  it('cover both algorithms and every value kind', () => {
    expect(new Set(FROZEN.map((f) => f.alg))).toEqual(new Set(['xc20', 'gsiv']));
    expect(new Set(FROZEN.map((f) => f.value))).toEqual(new Set(Object.keys(VALUES)));
  });

  for (const f of FROZEN) {
    const label = `${f.alg} ${f.value} at ${f.place.schema}.${f.place.field}`;

    it(`${label}: building from the fixed inputs gives exactly the literal`, () => {
      expect(build(f.alg, VALUES[f.value], f.place)).toBe(f.envelope);
    });

    it(`${label}: the literal opens to the value`, () => {
      expect(open(f.envelope, f.place)).toEqual(VALUES[f.value]);
      if (f.alg === 'xc20') expect(open(f.envelope, f.place, f.place, KID, 'auto')).toEqual(VALUES[f.value]);
    });

    it(`${label}: the literal opens through KeyManager.open`, () => {
      const km = manager(generateKeyring(), f.alg === 'xc20' ? 'auto' : 'noble');
      expect(km.open(f.envelope, { kid: KID, key: BASE, owner: 'frozen-vector' }, f.place, 'v')).toEqual(VALUES[f.value]);
    });

    it(`${label}: any other schema, field, subject, record or kid does not open`, () => {
      const others: Place[] = [
        { ...f.place, schema: `${f.place.schema}x` },
        { ...f.place, field: `${f.place.field}x` },
        { ...f.place, subject: `${f.place.subject}x` },
        { ...f.place, record: `${f.place.record}x` },
      ];
      if (f.place.subject !== f.place.record) others.push({ ...f.place, subject: f.place.record, record: f.place.subject });
      if (f.place.subject === '') others.push({ ...f.place, subject: 'subj-42' });
      else others.push({ ...f.place, subject: '' });
      for (const other of others) {
        // same field key, other associated data
        expect(open(f.envelope, f.place, other)).toBeUndefined();
        // the field key a KeyManager would derive for that place
        expect(open(f.envelope, other)).toBeUndefined();
      }
      expect(open(f.envelope, f.place, f.place, 'd-frozen-02')).toBeUndefined();
      // a kid swapped in the envelope text is caught too
      expect(open(f.envelope.replace(KID, 'd-frozen-02'), f.place, f.place, 'd-frozen-02')).toBeUndefined();

      const km = manager(generateKeyring());
      let err: unknown;
      try {
        km.open(f.envelope, { kid: KID, key: BASE, owner: 'frozen-vector' }, { ...f.place, record: 'rec-8' }, 'cpf');
      } catch (e) {
        err = e;
      }
      expect(isPurposefulError(err) && err.code).toBe('PF_DECRYPTION_FAILED');
    });
  }

  it('the associated data layout', () => {
    expect(hex(associatedData('xc20', KID, PLACE))).toBe(AD_HEX);
  });
});

describe('frozen key derivation', () => {
  it("field keys: derive(base, 'field', [schema, field, alg])", () => {
    expect(hex(derive(BASE, 'field', ['customer', 'cpf', 'xc20']))).toBe(FIELD_KEY_HEX.xc20);
    expect(hex(derive(BASE, 'field', ['customer', 'cpf', 'gsiv']))).toBe(FIELD_KEY_HEX.gsiv);
    const km = manager(generateKeyring());
    expect(hex(km.fieldKey({ kid: KID, key: BASE, owner: 'frozen-vector' }, 'customer', 'cpf', 'xc20'))).toBe(FIELD_KEY_HEX.xc20);
  });

  it('is HKDF-SHA256 with salt "purposeful/v1/<label>" and the length-prefixed info (checked against node:crypto)', () => {
    for (const alg of ['xc20', 'gsiv'] as const) {
      const info = lengthPrefixed(['customer', 'cpf', alg]);
      const ref = new Uint8Array(hkdfSync('sha256', BASE, new TextEncoder().encode('purposeful/v1/field'), info, 32));
      expect(hex(ref)).toBe(FIELD_KEY_HEX[alg]);
    }
  });

  it('schema roots and blind-index keys from the keyring literal', async () => {
    const km = manager(await keyringFromJwks(JWKS));
    expect(hex(km.rootFor('settings', 'kek-2026').key)).toBe(ROOT_HEX);
    expect(hex(km.rootForSeal('settings').key)).toBe(ROOT_HEX);
    expect(km.indexKeys('cpf').map((k) => [k.kid, hex(k.key)])).toEqual([
      ['kek-2026', INDEX_HEX[0]],
      ['kek-2025', INDEX_HEX[1]],
    ]);
  });

  it('a wrapped data key of the literal keyring unwraps to its bytes, and only for its subject', async () => {
    const km = manager(await keyringFromJwks(JWKS));
    expect(hex(km.unwrap('subj-42', DEK_RECORD))).toBe(hex(seq(32, 0xd0)));
    expect(hex(manager(await keyringFromJwks(JWKS), 'auto').unwrap('subj-42', DEK_RECORD))).toBe(hex(seq(32, 0xd0)));
    for (const [subject, record] of [
      ['subj-43', DEK_RECORD],
      ['subj-42', { ...DEK_RECORD, id: 'd-frozen-02' }],
      ['subj-42', { ...DEK_RECORD, keyClass: 'retained' as const }],
      ['subj-42', { ...DEK_RECORD, wrapped: WRAPPED.slice(0, -1) }],
    ] as const) {
      let err: unknown;
      try {
        km.unwrap(subject, record);
      } catch (e) {
        err = e;
      }
      expect(isPurposefulError(err) && err.code).toBe('PF_DECRYPTION_FAILED');
    }
  });
});

describe('keyring JWKS', () => {
  it('loads the literal (object or JSON text), primary first', async () => {
    for (const input of [JWKS, JSON.stringify(JWKS)]) {
      const kr = await keyringFromJwks(input);
      expect(isKeyring(kr)).toBe(true);
      expect(kr.primary).toBe('kek-2026');
      expect(kr.kids).toEqual(['kek-2026', 'kek-2025']);
      expect(kr.has('kek-2025')).toBe(true);
      expect(kr.has('kek-2024')).toBe(false);
      expect(kr.export()).toEqual(JWKS);
    }
    // primary listed last still comes out first
    const reversed = await keyringFromJwks({ keys: [...JWKS.keys].reverse() });
    expect(reversed.kids).toEqual(['kek-2026', 'kek-2025']);
    expect(isKeyring(JWKS)).toBe(false);
  });

  it('wrong key length or non-canonical k → PF_OPTIONS_INVALID', async () => {
    for (const k of [
      base64urlEncode(seq(31, 0)),
      base64urlEncode(seq(33, 0)),
      base64urlEncode(seq(16, 0)),
      '',
      `${JWKS.keys[0]?.k}=`,
      'EBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi+', // standard alphabet
      'EBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi9', // non-zero trailing bits
    ]) {
      const err = await optionsInvalid({ keys: [{ ...JWKS.keys[0], k }] });
      expect(err.message).toContain('32 bytes');
    }
    await optionsInvalid({ keys: [{ ...JWKS.keys[0], k: seq(32, 0) }] });
    await optionsInvalid({ keys: [{ kty: 'oct', kid: 'a', key_ops: ['wrapKey', 'unwrapKey'] }] });
  });

  it('duplicate kid → PF_OPTIONS_INVALID', async () => {
    const err = await optionsInvalid({ keys: [key('same', seq(32, 0), true), key('same', seq(32, 1))] });
    expect(err.message).toContain('duplicate');
  });

  it('no primary, or two → PF_OPTIONS_INVALID', async () => {
    expect((await optionsInvalid({ keys: [key('a', seq(32, 0)), key('b', seq(32, 1))] })).message).toContain('no primary');
    expect((await optionsInvalid({ keys: [key('a', seq(32, 0), true), key('b', seq(32, 1), true)] })).message).toContain(
      'two primary',
    );
  });

  it('bad kid → PF_OPTIONS_INVALID', async () => {
    for (const kid of ['', 'a b', 'a.b', 'k/1', 'ké', 'x'.repeat(65), 42, undefined, null]) {
      await optionsInvalid({ keys: [{ ...key('x', seq(32, 0), true), kid }] });
    }
  });

  it('not an oct key → PF_OPTIONS_INVALID', async () => {
    for (const kty of ['RSA', 'EC', 'OKP', 'OCT', undefined]) {
      await optionsInvalid({ keys: [{ ...key('a', seq(32, 0), true), kty }] });
    }
    await optionsInvalid({ keys: [null] });
    await optionsInvalid({ keys: ['EBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8'] });
  });

  it('bad key_ops, empty or non-JWKS input → PF_OPTIONS_INVALID', async () => {
    for (const key_ops of [undefined, [], ['wrapKey'], ['encrypt', 'unwrapKey'], 'unwrapKey', ['unwrapKey', 'sign']]) {
      await optionsInvalid({ keys: [{ ...key('a', seq(32, 0), true), key_ops }] });
    }
    for (const bad of [undefined, null, {}, { keys: [] }, { keys: {} }, [], 'not json', '{"keys":', 42])
      await optionsInvalid(bad);
  });

  it('never shows its secrets: JSON.stringify, inspect, String, spread, keys', async () => {
    const kr = await keyringFromJwks(JWKS);
    const shown = [
      JSON.stringify(kr),
      inspect(kr, { depth: 10, showHidden: true }),
      String(kr),
      JSON.stringify({ ...kr }),
      Object.keys(kr).join(),
    ];
    const kek = seq(32, 0x10);
    for (const text of shown) {
      for (const s of SECRETS) expect(text).not.toContain(s);
      expect(text).not.toContain(hex(kek));
      expect(text).not.toContain(Buffer.from(kek).toString('base64'));
    }
    expect(JSON.parse(JSON.stringify(kr))).toEqual({ primary: 'kek-2026', kids: ['kek-2026', 'kek-2025'] });
  });

  it('rotate() makes a new primary and demotes the old; the original is unchanged', async () => {
    const kr = await keyringFromJwks(JWKS);
    const next = kr.rotate('kek-2027');
    expect(next.primary).toBe('kek-2027');
    expect(next.kids).toEqual(['kek-2027', 'kek-2026', 'kek-2025']);
    const exported = next.export().keys;
    expect(exported.find((k) => k.kid === 'kek-2026')).toEqual({ ...JWKS.keys[0], key_ops: ['unwrapKey'] });
    expect(exported.find((k) => k.kid === 'kek-2025')).toEqual(JWKS.keys[1]);
    const fresh = exported.find((k) => k.kid === 'kek-2027');
    expect(fresh?.key_ops).toEqual(['wrapKey', 'unwrapKey']);
    expect(SECRETS).not.toContain(fresh?.k);
    // the old primary still unwraps what it wrapped; derivations under old keys are unchanged
    const km = manager(next);
    expect(hex(km.unwrap('subj-42', DEK_RECORD))).toBe(hex(seq(32, 0xd0)));
    expect(hex(km.rootFor('settings', 'kek-2026').key)).toBe(ROOT_HEX);
    expect(hex(km.rootForSeal('settings').key)).not.toBe(ROOT_HEX);
    // the original keyring is untouched
    expect(kr.primary).toBe('kek-2026');
    expect(kr.export()).toEqual(JWKS);
    // a generated kid is well formed and new
    const auto = kr.rotate();
    expect(auto.primary).toMatch(/^k-\d{8}-[A-Za-z0-9_-]{8}$/);
    expect(auto.kids).toHaveLength(3);
    await expect(async () => kr.rotate('kek-2025')).rejects.toMatchObject({ code: 'PF_OPTIONS_INVALID' });
  });

  it('retire(primary) throws; retiring an old key removes it', async () => {
    const kr = await keyringFromJwks(JWKS);
    let err: unknown;
    try {
      kr.retire('kek-2026');
    } catch (e) {
      err = e;
    }
    expect(isPurposefulError(err) && err.code).toBe('PF_OPTIONS_INVALID');
    const retired = kr.retire('kek-2025');
    expect(retired.kids).toEqual(['kek-2026']);
    expect(retired.primary).toBe('kek-2026');
    expect(kr.kids).toEqual(['kek-2026', 'kek-2025']);
    const afterRotate = kr.rotate('kek-2027').retire('kek-2026');
    expect(afterRotate.kids).toEqual(['kek-2027', 'kek-2025']);
  });
});
