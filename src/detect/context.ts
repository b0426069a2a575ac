/**
 * Context words: the words people write next to an identifier in Portuguese
 * and English support chats ("meu cpf é …", "my card number …"), and the
 * words that say a number is something else ("pedido", "protocolo",
 * "tracking"). Matched whole-word on a short window around a candidate,
 * lowercased and without diacritics, so "cartão", "Cartao" and "CARTÃO" match.
 *
 * @module
 * @internal
 */
import type { PiiType } from './types.js';

/** Characters looked at before and after a candidate. */
export const WINDOW_BEFORE = 40;
export const WINDOW_AFTER = 24;

const POSITIVE: Readonly<Record<string, readonly PiiType[]>> = {
  cpf: ['cpf', 'pix_key'],
  cnpj: ['cnpj'],
  rg: ['rg'],
  identidade: ['rg'],
  cnh: ['cnh'],
  habilitacao: ['cnh'],
  carteira: ['cnh', 'card'],
  motorista: ['cnh'],
  titulo: ['titulo_eleitor'],
  eleitor: ['titulo_eleitor'],
  eleitoral: ['titulo_eleitor'],
  pis: ['pis'],
  pasep: ['pis'],
  nis: ['pis'],
  nit: ['pis'],
  cep: ['cep'],
  endereco: ['cep'],
  address: ['cep', 'ipv4', 'ipv6'],
  zip: ['cep'],
  postal: ['cep'],
  telefone: ['phone'],
  tel: ['phone'],
  fone: ['phone'],
  celular: ['phone'],
  cel: ['phone'],
  whatsapp: ['phone'],
  whats: ['phone'],
  zap: ['phone'],
  ligar: ['phone'],
  liga: ['phone'],
  ligo: ['phone'],
  chama: ['phone'],
  contato: ['phone', 'email'],
  contact: ['phone', 'email'],
  reach: ['phone', 'email'],
  text: ['phone'],
  ligue: ['phone'],
  phone: ['phone'],
  mobile: ['phone'],
  call: ['phone'],
  pix: ['pix_key', 'pix_brcode', 'cpf', 'cnpj', 'phone', 'email'],
  chave: ['pix_key'],
  cartao: ['card'],
  card: ['card'],
  credito: ['card'],
  debito: ['card'],
  credit: ['card'],
  debit: ['card'],
  visa: ['card'],
  mastercard: ['card'],
  elo: ['card'],
  amex: ['card'],
  iban: ['iban'],
  conta: ['iban'],
  account: ['iban'],
  ip: ['ipv4', 'ipv6'],
  nascimento: ['birth_date'],
  nasci: ['birth_date'],
  nascido: ['birth_date'],
  nascida: ['birth_date'],
  aniversario: ['birth_date'],
  born: ['birth_date'],
  birth: ['birth_date'],
  birthday: ['birth_date'],
  dob: ['birth_date'],
  email: ['email'],
  mail: ['email'],
};

/** Words that say the number next to them is not about a person. */
const NEGATIVE = new Set([
  'pedido',
  'pedidos',
  'protocolo',
  'order',
  'orders',
  'protocol',
  'ticket',
  'chamado',
  'rastreio',
  'rastreamento',
  'tracking',
  'invoice',
  'fatura',
  'nota',
  'nf',
  'nfe',
  'boleto',
  'slip',
  'serie',
  'serial',
  'lote',
  'versao',
  'version',
  'transacao',
  'transaction',
  'id',
  'ref',
  'referencia',
  'reference',
]);

const POSITIVE_BY_WORD = new Map(Object.entries(POSITIVE));
/** The longest word looked up. */
const LONGEST = Math.max(...[...POSITIVE_BY_WORD.keys(), ...NEGATIVE].map((w) => w.length));

/** A word with diacritics, folded to lowercase ASCII letters. */
function folded(text: string, from: number, to: number): string {
  let w = '';
  for (let i = from; i < to; i++) w += String.fromCharCode(letterOf(text.charCodeAt(i)));
  return w;
}

/** What the words around a candidate say. */
export interface Context {
  /** Types a nearby word speaks for (before or after). */
  readonly positive: ReadonlySet<PiiType>;
  /** The closest word before the candidate that says something says "this is an order, a protocol, an invoice…". */
  readonly negative: boolean;
  /** The types the closest such word before the candidate names (empty when it names none, or is negative). */
  readonly nearest: readonly PiiType[];
}

const NONE: Context = Object.freeze({ positive: new Set<PiiType>(), negative: false, nearest: [] });

/** Lowercase ASCII letter of a character, diacritics dropped; 0 for anything that is not a letter. */
function letterOf(c: number): number {
  if (c >= 97 && c <= 122) return c;
  if (c >= 65 && c <= 90) return c + 32;
  if (c >= 0xc0 && c <= 0x17f) {
    const base = FOLD[c - 0xc0];
    return base === undefined ? 0 : base;
  }
  return 0;
}

// Latin-1 Supplement and Latin Extended-A folded to their base letters (0 where none).
const FOLD: readonly number[] = (() => {
  const out: number[] = [];
  for (let c = 0xc0; c <= 0x17f; c++) {
    const base = String.fromCharCode(c).normalize('NFD').charAt(0).toLowerCase();
    const code = base.charCodeAt(0);
    out.push(code >= 97 && code <= 122 ? code : 0);
  }
  return out;
})();

/**
 * The context of `text[start, end)`: the words within {@link WINDOW_BEFORE}
 * characters before and {@link WINDOW_AFTER} after. Linear in the window, not
 * in the text. Words that start inside another find (`inside`: the letters of
 * a PIX code's payload, "br.gov.bcb.pix0136…") are that find's, not the
 * writer's: they say nothing.
 */
export function contextOf(text: string, start: number, end: number, inside?: (at: number) => boolean): Context {
  let positive: Set<PiiType> | undefined;
  // the closest telling word before the candidate: the types it names, or NEGATIVE_WORD
  let nearest: readonly PiiType[] | typeof NEGATIVE_WORD | undefined;
  const visit = (from: number, to: number, before: boolean) => {
    let i = from;
    while (i < to) {
      if (letterOf(text.charCodeAt(i)) === 0) {
        i++;
        continue;
      }
      const ws = i;
      let ascii = true;
      while (i < to) {
        const c = text.charCodeAt(i);
        if (letterOf(c) === 0) break;
        if (c > 122) ascii = false;
        i++;
      }
      if (i - ws < 2 || i - ws > LONGEST) continue;
      // a redaction's own label ("[PHONE]", "[CPF:pn_…]") says nothing about the text next to it
      if (ws > 0 && text.charCodeAt(ws - 1) === 91) continue;
      if (inside?.(ws)) continue;
      const word = ascii ? text.slice(ws, i).toLowerCase() : folded(text, ws, i);
      const types = POSITIVE_BY_WORD.get(word);
      if (types) {
        positive ??= new Set();
        for (const t of types) positive.add(t);
        if (before) nearest = types;
      } else if (before && NEGATIVE.has(word)) nearest = NEGATIVE_WORD;
    }
  };
  // a word cut by the window's edge is not a word: start and stop at word boundaries
  let from = Math.max(0, start - WINDOW_BEFORE);
  while (from > 0 && from < start && letterOf(text.charCodeAt(from - 1)) !== 0) from++;
  visit(from, start, true);
  let to = Math.min(text.length, end + WINDOW_AFTER);
  while (to < text.length && to > end && letterOf(text.charCodeAt(to)) !== 0) to--;
  visit(end, to, false);
  if (positive === undefined && nearest === undefined) return NONE;
  return {
    positive: positive ?? NONE.positive,
    negative: nearest === NEGATIVE_WORD,
    nearest: nearest === undefined || nearest === NEGATIVE_WORD ? NONE.nearest : nearest,
  };
}

const NEGATIVE_WORD = Symbol('negative');
