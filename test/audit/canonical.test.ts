import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AccessEvent, accessEventHash, GENESIS_HASH } from '../../src/index.js';

// The access-log chain hashes `prev` followed by the RFC 8785 (JCS) canonical JSON of the event body.
// These are the RFC's own examples (§3.2.2 and §3.2.3): the hashes must not change with the implementation.
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hashOf = (body: Record<string, unknown>) =>
  accessEventHash({ ...body, prev: GENESIS_HASH } as unknown as Omit<AccessEvent, 'hash'>);

describe('access-log hashes use RFC 8785 canonical JSON', () => {
  it('numbers, escapes and literals serialize as RFC 8785 §3.2.2 shows', () => {
    const body = {
      numbers: [333333333.3333333, 1e30, 4.5, 2e-3, 0.000000000000000000000000001],
      string: '\u20ac$\u000F\u000aA\'\u0042\u0022\u005c\\"/',
      literals: [null, true, false],
    };
    const canonical =
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}';
    expect(hashOf(body)).toBe(sha256(GENESIS_HASH + canonical));
  });

  it('members are sorted by UTF-16 code units as RFC 8785 §3.2.3 shows', () => {
    const body = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const canonical =
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}';
    expect(hashOf(body)).toBe(sha256(GENESIS_HASH + canonical));
  });
});
