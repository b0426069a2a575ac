/**
 * Field encryption: one round trip (seal then open back to the same string)
 * of a 64-byte and of a 1 KiB string field, side by side in one tinybench run
 * with the peers doing the same job and with the bare primitives underneath:
 *
 * - purposeful default (`implementation: 'auto'`: HChaCha20 in JS + Node's
 *   native ChaCha20-Poly1305) and purposeful portable (`implementation:
 *   'noble'`), per field: the internal KeyManager's `seal` + `open`, i.e. the
 *   type codec, the place binding (associated data: schema, field, subject,
 *   record), the cached field-key lookup and the `pf1.` envelope. The subject's
 *   data key is fetched once (the engine fetches it once per record, not per field).
 * - purposeful default and portable, whole record: `pf.seal` + `pf.open` of a one-field
 *   schema with a subject and a record id (memoryKeyStore): what users call,
 *   with the request checks, the record walk, the data-key lookup and the
 *   outbound projection on top. Reported, not part of the targets.
 * - bare native: our `aeads('auto').xc20` seal/open under a fixed key, empty
 *   associated data; bare noble: `xchacha20poly1305(key, nonce)` of
 *   @noble/ciphers. Both with a fresh random 24-byte nonce and the UTF-8
 *   encode/decode of the string: the primitive each purposeful path uses.
 * - @47ng/cloak 1.2 `encryptString` / `decryptString` (key parsed once). Its
 *   API is async; on Node it runs node:crypto AES-256-GCM synchronously inside
 *   it (WebCrypto only in browsers). No associated data, one key for everything.
 *   Its `…Sync` variants are public on Node too, so they are a row as well.
 * - ciphersweet-js 2.0.6 `EncryptedField(engine, table, field)`
 *   `encryptValue` / `decryptValue` with the record id as AAD (the field key is
 *   derived per table and field, so the value is bound to its table, field and
 *   record). Default backend BoringCrypto (XChaCha20 from xchacha20-js, pure JS,
 *   + keyed BLAKE2b MAC from sodium-plus) and ModernCrypto (libsodium
 *   XChaCha20-Poly1305 through sodium-plus, sodium-native where it loads).
 *
 * Before timing, every contestant's round trip is checked to give back the
 * exact string, and ours to refuse the envelope at another place.
 *
 * Timing: after a short pre-warm of every contestant, each tinybench
 * iteration runs BATCH round trips between two `bench.now()` reads and
 * reports the per-round-trip mean (`overriddenDuration`); async contestants
 * are awaited one by one inside the batch.
 * ops/s = round trips/s = 1000 / mean latency (ms), GC included.
 */
import { ok, strictEqual, throws } from 'node:assert';
import { cpus, loadavg } from 'node:os';
import {
  decryptString as cloakDecrypt,
  decryptStringSync as cloakDecryptSync,
  encryptString as cloakEncrypt,
  encryptStringSync as cloakEncryptSync,
  generateKey as cloakGenerateKey,
  parseKey as cloakParseKey,
} from '@47ng/cloak';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import ciphersweetJs from 'ciphersweet-js';
import { Bench, type FnReturnedObject } from 'tinybench';
import { z } from 'zod';
import { type AeadImplementation, aeads } from '../../src/crypto/aead.js';
import type { Place } from '../../src/crypto/envelope.js';
import { KeyManager } from '../../src/crypto/keys.js';
import { createPurposeful, definePurposes, defineSchema, generateKeyring, memoryKeyStore, pd } from '../../src/index.js';
import { fmtOps, fmtRatio, printTable } from './table.js';

/** Round trips per tinybench sample. */
const BATCH = 16;
/** Time budget per task (ms) and warmup budget (ms). */
const TIME = 1000;
const WARMUP_TIME = 200;
/**
 * Before the run, every contestant runs this long (ms) once: the heap and the
 * JIT settle first, so the first tasks of the run are not the ones that pay
 * for it (seen as a slow first row without it).
 */
const PREWARM_TIME = 40;

/** Results land here so the calls are never dead code. */
let sink: unknown;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// ───────────────────────────── fixtures ─────────────────────────────

/** ASCII text of exactly `bytes` bytes (so bytes = characters). */
function fieldText(bytes: number): string {
  const base = 'Customer reports the payment slip failed twice; call back after 6 pm on weekdays. Ref 48213. ';
  const text = base.repeat(Math.ceil(bytes / base.length)).slice(0, bytes);
  strictEqual(encoder.encode(text).length, bytes);
  return text;
}

const SIZES: ReadonlyArray<{ label: string; text: string }> = [
  { label: '64-byte string field', text: fieldText(64) },
  { label: '1 KiB string field', text: fieldText(1024) },
];

const SUBJECT = 'cust-000042';
const RECORD = 'note-000001001';

const purposes = definePurposes(
  {
    'support.ticket': {
      description: 'Answer the customer about their support request',
      legalBasis: { lgpd: 'contract', gdpr: 'contract' },
      retention: 'P2Y',
      dataUse: 'essential.service',
    },
  },
  { controller: { name: 'Bench Ltda', contact: 'privacidade@example.com.br' } },
);

/** One encrypted string field, bound to its subject and record. */
const Note = defineSchema(
  'bench.note',
  z.object({
    id: pd.none(z.string()),
    customerId: pd.none(z.string()),
    note: pd(z.string(), { category: 'user.content', purposes: ['support.ticket'], encrypt: true }),
  }),
  { purposes, subject: { kind: 'customer', id: 'customerId' }, recordId: 'id' },
);
const NOTE_FIELD = Note.field('note');
if (!NOTE_FIELD) throw new Error('bench.note has no note field');
const PLACE: Place = { schema: Note.id, field: NOTE_FIELD.id, subject: SUBJECT, record: RECORD };
const CTX = { purpose: 'support.ticket', actor: { id: 'bench-agent' } } as const;

// ───────────────────────────── contestants ─────────────────────────────

type RoundTrip = (text: string) => string | Promise<string>;

interface Contestant {
  name: string;
  /** Whether `run` returns a promise (awaited per round trip). */
  async: boolean;
  /** What it is in the tables: ours, a bare primitive, a peer, or a reference row. */
  note: string;
  run: RoundTrip;
}

/** purposeful, per field: KeyManager seal + open with the subject's data key fetched once. */
async function perField(implementation: AeadImplementation): Promise<{ run: RoundTrip; km: KeyManager }> {
  const km = new KeyManager({
    keyring: generateKeyring(),
    store: memoryKeyStore(),
    algorithm: 'xc20',
    implementation,
    cacheSize: 10_000,
  });
  const base = await km.dataKeyForSeal(SUBJECT, 'erasable');
  return { km, run: (text) => km.open(km.seal(text, base, PLACE, 'note'), base, PLACE, 'note') as string };
}

/** purposeful, whole record: the public engine, one-field schema. */
function engine(implementation: AeadImplementation): RoundTrip {
  const pf = createPurposeful({
    purposes,
    schemas: [Note],
    keys: generateKeyring(),
    keyStore: memoryKeyStore(),
    encryption: { implementation },
  });
  return async (text) => {
    const row = await pf.seal(Note, { id: RECORD, customerId: SUBJECT, note: text }, CTX);
    return (await pf.open(Note, row, CTX)).note as string;
  };
}

/** The bare AEAD our Node default uses (HChaCha20 + node:crypto ChaCha20-Poly1305), no envelope or binding. */
function bareNative(): RoundTrip {
  const { xc20 } = aeads('auto');
  if (xc20.implementation !== 'node') throw new Error('no native ChaCha20-Poly1305 on this runtime');
  const key = crypto.getRandomValues(new Uint8Array(32));
  const noAd = new Uint8Array(0);
  return (text) => {
    const nonce = crypto.getRandomValues(new Uint8Array(24));
    const sealed = xc20.seal(key, nonce, encoder.encode(text), noAd);
    return decoder.decode(xc20.open(key, nonce, sealed, noAd));
  };
}

/** The bare @noble/ciphers XChaCha20-Poly1305. */
function bareNoble(): RoundTrip {
  const key = crypto.getRandomValues(new Uint8Array(32));
  return (text) => {
    const nonce = crypto.getRandomValues(new Uint8Array(24));
    const sealed = xchacha20poly1305(key, nonce).encrypt(encoder.encode(text));
    return decoder.decode(xchacha20poly1305(key, nonce).decrypt(sealed));
  };
}

async function cloak(): Promise<{ async: RoundTrip; sync: RoundTrip }> {
  const key = await cloakParseKey(cloakGenerateKey());
  return {
    async: async (text) => cloakDecrypt(await cloakEncrypt(text, key), key),
    sync: (text) => cloakDecryptSync(cloakEncryptSync(text, key), key),
  };
}

async function ciphersweet(modern: boolean): Promise<RoundTrip> {
  // CommonJS whose `module.exports = { … }` Node's ESM loader cannot name: take the default export
  const { CipherSweet, EncryptedField, ModernCrypto, StringProvider } = ciphersweetJs;
  const provider = new StringProvider(Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex'));
  const cs = modern ? new CipherSweet(provider, new ModernCrypto()) : new CipherSweet(provider);
  const field = new EncryptedField(cs, 'notes', 'note'); // derives the field key on first use, then keeps it
  await field.encryptValue('warm up', RECORD);
  return async (text) => (await field.decryptValue(await field.encryptValue(text, RECORD), RECORD)).toString('utf8');
}

const OURS_NODE = 'purposeful default (node), per field';
const OURS_NOBLE = 'purposeful portable (noble), per field';
const ENGINE_NODE = 'purposeful default, pf.seal+pf.open record';
const ENGINE_NOBLE = 'purposeful portable, pf.seal+pf.open record';
const BARE_NODE = 'bare native xc20 (HChaCha20 + node:crypto)';
const BARE_NOBLE = 'bare noble xchacha20poly1305';
const CLOAK = '@47ng/cloak (async API)';
const CLOAK_SYNC = '@47ng/cloak (…Sync API)';
const CS_BORING = 'ciphersweet-js BoringCrypto (default)';
const CS_MODERN = 'ciphersweet-js ModernCrypto';
const PEERS = [CLOAK, CLOAK_SYNC, CS_BORING, CS_MODERN];
/** Table order (the run order differs, see contestants()). */
const DISPLAY = [
  OURS_NODE,
  OURS_NOBLE,
  ENGINE_NODE,
  ENGINE_NOBLE,
  BARE_NODE,
  BARE_NOBLE,
  CLOAK,
  CLOAK_SYNC,
  CS_BORING,
  CS_MODERN,
];

async function contestants(): Promise<{ list: Contestant[]; km: Record<'node' | 'noble', KeyManager> }> {
  const node = await perField('auto');
  const noble = await perField('noble');
  if (node.km.aead.xc20.implementation !== 'node') throw new Error("implementation 'auto' did not pick the native path");
  if (noble.km.aead.xc20.implementation !== 'noble') throw new Error("implementation 'noble' did not pick noble");
  const c = await cloak();
  // run order: each of ours right after the bare primitive it is compared with (less drift between the two)
  const list: Contestant[] = [
    { name: BARE_NODE, async: false, note: 'bare primitive', run: bareNative() },
    { name: OURS_NODE, async: false, note: 'ours', run: node.run },
    { name: BARE_NOBLE, async: false, note: 'bare primitive', run: bareNoble() },
    { name: OURS_NOBLE, async: false, note: 'ours', run: noble.run },
    { name: ENGINE_NODE, async: true, note: 'ours, whole record (ref)', run: engine('auto') },
    { name: ENGINE_NOBLE, async: true, note: 'ours, whole record (ref)', run: engine('noble') },
    { name: CLOAK, async: true, note: 'peer', run: c.async },
    { name: CLOAK_SYNC, async: false, note: 'peer', run: c.sync },
    { name: CS_MODERN, async: true, note: 'peer', run: await ciphersweet(true) },
    { name: CS_BORING, async: true, note: 'peer', run: await ciphersweet(false) },
  ];
  return { list, km: { node: node.km, noble: noble.km } };
}

/** Every contestant gives back the exact string; ours refuses the envelope at another place. */
async function assertRoundTrips(list: Contestant[], km: Record<'node' | 'noble', KeyManager>): Promise<void> {
  for (const { label, text } of SIZES) {
    for (const c of list) {
      for (let i = 0; i < 3; i++) strictEqual(await c.run(text), text, `${label}: ${c.name} does not round-trip`);
    }
    for (const k of [km.node, km.noble]) {
      const base = await k.dataKeyForSeal(SUBJECT, 'erasable');
      const sealed = k.seal(text, base, PLACE, 'note');
      ok(sealed.startsWith('pf1.xc20.'), 'not a pf1 xc20 envelope');
      throws(
        () => k.open(sealed, base, { ...PLACE, record: 'note-other' }, 'note'),
        (err: unknown) => (err as { code?: unknown }).code === 'PF_DECRYPTION_FAILED',
      );
    }
  }
}

/** Whether sodium-plus (under ciphersweet-js) can use sodium-native here, or falls back to libsodium-wrappers (WASM). */
async function sodiumBackend(): Promise<string> {
  const id = 'sodium-native';
  try {
    await import(id);
    return 'sodium-native';
  } catch {
    return 'libsodium-wrappers (WASM)';
  }
}

// ───────────────────────────── the run ─────────────────────────────

interface Row {
  size: string;
  contestant: string;
  note: string;
  ops: number;
  rme: number;
  p50us: number;
}

function fastestPeer(rows: Row[]): Row {
  return rows.filter((r) => PEERS.includes(r.contestant)).reduce((a, b) => (b.ops > a.ops ? b : a));
}

function printSize(size: string, rows: Row[]): void {
  const ops = (name: string) => rows.find((r) => r.contestant === name)?.ops ?? Number.NaN;
  const peer = fastestPeer(rows);
  const header = ['contestant', 'kind', 'round trips/s', '± rme', 'p50', 'vs bare native', 'vs bare noble', 'vs fastest peer'];
  const body = rows.map((r) => [
    r.contestant,
    r.note,
    fmtOps(r.ops),
    `${r.rme.toFixed(1)}%`,
    `${r.p50us.toFixed(2)} µs`,
    fmtRatio(r.ops / ops(BARE_NODE)),
    fmtRatio(r.ops / ops(BARE_NOBLE)),
    fmtRatio(r.ops / peer.ops),
  ]);
  printTable(`${size} (fastest peer: ${peer.contestant})`, header, body, 2);
}

/** The three targets of the issue; printed, never an exit status. */
function checkTargets(rows: Row[]): boolean {
  const at = (size: string, name: string) => rows.find((r) => r.size === size && r.contestant === name)?.ops ?? Number.NaN;
  const [small, large] = SIZES.map((s) => s.label) as [string, string];
  const verdict = (okay: boolean) => (okay ? 'MET' : 'MISSED');
  const lines: string[] = [];
  let all = true;

  // 1. our Node default ≥ the fastest peer at 64 bytes, binding and codec included
  const peer = fastestPeer(rows.filter((r) => r.size === small));
  const vsPeer = at(small, OURS_NODE) / peer.ops;
  all = vsPeer >= 1 && all;
  lines.push(
    `  1. default (node), per field ≥ fastest peer at 64 B: ${verdict(vsPeer >= 1)} (${vsPeer.toFixed(3)}× ${peer.contestant}; ` +
      `whole-record pf.seal+pf.open: ${(at(small, ENGINE_NODE) / peer.ops).toFixed(3)}×, informational)`,
  );

  // 2. format + binding + key lookup cost ≤ 30% over the bare primitive they use
  for (const size of [small, large]) {
    for (const [ours, bare] of [
      [OURS_NODE, BARE_NODE],
      [OURS_NOBLE, BARE_NOBLE],
    ] as const) {
      const overhead = at(size, bare) / at(size, ours) - 1;
      all = overhead <= 0.3 && all;
      lines.push(
        `  2. ${ours} costs ≤ 30% over ${bare} (${size}): ${verdict(overhead <= 0.3)} (+${(overhead * 100).toFixed(1)}% time per round trip)`,
      );
    }
  }

  // 3. native ≥ 1.5× pure JS at 1 KiB
  const native = at(large, OURS_NODE) / at(large, OURS_NOBLE);
  all = native >= 1.5 && all;
  lines.push(
    `  3. default (node) ≥ 1.5× portable (noble) at 1 KiB, per field: ${verdict(native >= 1.5)} (${native.toFixed(3)}×; ` +
      `bare: ${(at(large, BARE_NODE) / at(large, BARE_NOBLE)).toFixed(3)}×, engine: ${(at(large, ENGINE_NODE) / at(large, ENGINE_NOBLE)).toFixed(3)}×)`,
  );

  console.log('\ntargets');
  for (const l of lines) console.log(l);
  return all;
}

/** Runs the field-encryption benchmark and prints its tables. Never throws on a missed target. */
export async function runCryptoBench(): Promise<void> {
  const { list, km } = await contestants();
  await assertRoundTrips(list, km);
  console.log(
    `\n## crypto: seal+open round trip of one string field, batch ${BATCH} round trips/sample, ${TIME} ms/task + ${WARMUP_TIME} ms warmup`,
  );
  console.log('all contestants checked to round-trip exactly; ours checked to refuse an envelope moved to another record');
  console.log(
    `cloak: async API, node:crypto AES-256-GCM inside on Node; ciphersweet-js: async API, record id as AAD, sodium-plus on ${await sodiumBackend()}`,
  );

  console.log(
    `${cpus().length} CPUs, load average at start ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')} (1/5/15 min): other work on the machine shows up as noise`,
  );

  const bench = new Bench({ name: 'crypto', time: TIME, warmup: true, warmupTime: WARMUP_TIME, throws: true });
  const key = (size: string, c: Contestant) => `${size} | ${c.name}`;
  for (const { label, text } of SIZES) {
    for (const c of list) {
      const run = c.run;
      if (c.async) {
        bench.add(
          key(label, c),
          async (): Promise<FnReturnedObject> => {
            const t0 = bench.now();
            for (let i = 0; i < BATCH; i++) sink = await run(text);
            const elapsed = bench.now() - t0;
            return { overriddenDuration: elapsed / BATCH, overriddenIterationCost: elapsed };
          },
          { async: true },
        );
      } else {
        bench.add(
          key(label, c),
          (): FnReturnedObject => {
            const t0 = bench.now();
            for (let i = 0; i < BATCH; i++) sink = run(text);
            const elapsed = bench.now() - t0;
            return { overriddenDuration: elapsed / BATCH, overriddenIterationCost: elapsed };
          },
          { async: false },
        );
      }
    }
  }
  for (const { text } of SIZES) {
    for (const c of list) {
      const until = performance.now() + PREWARM_TIME;
      while (performance.now() < until) sink = await c.run(text);
    }
  }
  await bench.run();

  const rows: Row[] = [];
  for (const { label } of SIZES) {
    for (const c of list) {
      const result = bench.getTask(key(label, c))?.result;
      if (!result || !('latency' in result)) throw new Error(`${key(label, c)}: no result (${result?.state})`);
      rows.push({
        size: label,
        contestant: c.name,
        note: c.note,
        ops: 1000 / result.latency.mean,
        rme: result.latency.rme,
        p50us: result.latency.p50 * 1e3,
      });
    }
  }
  const byDisplay = (a: Row, b: Row) => DISPLAY.indexOf(a.contestant) - DISPLAY.indexOf(b.contestant);
  for (const { label } of SIZES) {
    printSize(label, rows.filter((r) => r.size === label).sort(byDisplay));
  }
  const allMet = checkTargets(rows);
  console.log(
    `\ncrypto targets: ${allMet ? 'ALL MET' : 'NOT ALL MET'} (informational: a noisy machine can flip close calls; not an exit status)`,
  );
  if (sink === Symbol.for('never')) console.log('');
}
