import { describe, expect, it } from 'vitest';
import { isPurposefulError, rightsDeadline } from '../../src/index.js';
import { code, desk, subjectId } from './answers-desk.js';

const iso = (d: Date | undefined) => d?.toISOString();

describe('request deadlines (LGPD Art. 19; GDPR Art. 12(3))', () => {
  it('LGPD Art. 19 I: a confirmation in the simplified format is due at once, at receipt', () => {
    const at = new Date('2026-11-29T12:00:00Z');
    const d = rightsDeadline('confirmation', at, { jurisdictions: ['lgpd', 'gdpr'] });
    expect(iso(d.lgpd)).toBe('2026-11-29T12:00:00.000Z');
    expect(iso(d.due)).toBe('2026-11-29T12:00:00.000Z');
    expect(iso(d.gdpr)).toBe('2026-12-29T23:59:59.999Z'); // GDPR Art. 12(3) still gives the month
  });

  it('LGPD Art. 19 II: the complete declaration is due 15 days after the date of the request, to the end of that day', () => {
    const d = rightsDeadline('access', new Date('2026-01-31T10:00:00Z'), { jurisdictions: ['lgpd', 'gdpr'] });
    expect(iso(d.lgpd)).toBe('2026-02-15T23:59:59.999Z');
    expect(iso(d.gdpr)).toBe('2026-02-28T23:59:59.999Z');
    expect(d.due).toEqual(d.lgpd);
  });

  it("GDPR Art. 12(3): the month ends with the same date in the controller's time zone, at the end of that day", () => {
    // received 28 February 2027 at 22:00 in Brasília, already 1 March in UTC
    const at = new Date('2027-02-28T22:00:00-03:00');
    const sp = rightsDeadline('access', at, { jurisdictions: ['lgpd', 'gdpr'], timeZone: 'America/Sao_Paulo' });
    expect(iso(sp.gdpr)).toBe('2027-03-29T02:59:59.999Z'); // the end of 28 March in Brasília, not 31 March
    expect(iso(sp.lgpd)).toBe('2027-03-16T02:59:59.999Z'); // the end of 15 March in Brasília
    // a shorter month: its last day; a leap year: 29 February
    expect(iso(rightsDeadline('access', new Date('2026-01-31T10:00:00Z'), { jurisdictions: ['gdpr'] }).due)).toBe(
      '2026-02-28T23:59:59.999Z',
    );
    expect(iso(rightsDeadline('access', new Date('2028-01-31T10:00:00Z'), { jurisdictions: ['gdpr'] }).due)).toBe(
      '2028-02-29T23:59:59.999Z',
    );
    // a zone that moves its clocks in between: the end of the day is read in the offset of that day
    const lisbon = rightsDeadline('access', new Date('2027-03-01T12:00:00Z'), {
      jurisdictions: ['gdpr'],
      timeZone: 'Europe/Lisbon',
    });
    expect(iso(lisbon.gdpr)).toBe('2027-04-01T22:59:59.999Z'); // 23:59:59.999 WEST (UTC+1)
  });

  it('GDPR Art. 12(3): the extension adds two months, to the end of the day', () => {
    const d = rightsDeadline('access', new Date('2026-01-31T10:00:00Z'), { jurisdictions: ['gdpr'], extended: true });
    expect(iso(d.due)).toBe('2026-04-30T23:59:59.999Z');
  });

  it('LGPD Art. 18 §5: the deadlines regulation has not set are yours, counted in days to the end of the day', () => {
    const at = new Date('2026-01-31T10:00:00Z');
    expect(iso(rightsDeadline('correction', at, { jurisdictions: ['lgpd'], lgpdDays: { correction: 5 } }).due)).toBe(
      '2026-02-05T23:59:59.999Z',
    );
    expect(iso(rightsDeadline('opposition', at, { jurisdictions: ['lgpd'] }).due)).toBe('2026-02-15T23:59:59.999Z');
    expect(() => rightsDeadline('nope' as never, at, { jurisdictions: ['lgpd'] })).toThrow(/unknown request kind/);
  });

  it('LGPD Art. 19: days for confirmation and access can shorten the period the law sets, never lengthen it', () => {
    const at = new Date('2026-01-31T10:00:00Z');
    expect(iso(rightsDeadline('access', at, { jurisdictions: ['lgpd'], lgpdDays: { access: 10 } }).due)).toBe(
      '2026-02-10T23:59:59.999Z',
    );
    for (const lgpdDays of [{ access: 16 }, { confirmation: 1 }]) {
      const err = (() => {
        try {
          rightsDeadline('access', at, { jurisdictions: ['lgpd'], lgpdDays });
        } catch (e) {
          return e;
        }
      })();
      expect(isPurposefulError(err) && [err.code, err.article]).toEqual(['PF_OPTIONS_INVALID', 'LGPD Art. 19']);
    }
  });

  it('Res. CD/ANPD 2/2022 Art. 14 I, III and Art. 15: a small agent has 15 days for the simplified answer and double the others', () => {
    const at = new Date('2026-01-31T10:00:00Z');
    const small = { jurisdictions: ['lgpd'] as const, smallAgent: true };
    expect(iso(rightsDeadline('confirmation', at, small).due)).toBe('2026-02-15T23:59:59.999Z'); // Art. 15
    expect(iso(rightsDeadline('access', at, small).due)).toBe('2026-03-02T23:59:59.999Z'); // Art. 14 III: 30 days
    expect(iso(rightsDeadline('correction', at, small).due)).toBe('2026-03-02T23:59:59.999Z'); // Art. 14 I: 2 × 15
    expect(iso(rightsDeadline('correction', at, { ...small, lgpdDays: { correction: 10 } }).due)).toBe(
      '2026-02-20T23:59:59.999Z',
    );
    // the GDPR month is not the ANPD's to double
    const both = rightsDeadline('access', at, { jurisdictions: ['lgpd', 'gdpr'], smallAgent: true });
    expect(iso(both.gdpr)).toBe('2026-02-28T23:59:59.999Z');
    expect(both.due).toEqual(both.gdpr);
  });

  it('GDPR Art. 12(3): a time zone that is not an IANA zone is refused', () => {
    expect(() => rightsDeadline('access', new Date(), { jurisdictions: ['gdpr'], timeZone: 'Mars/Olympus_Mons' })).toThrow(
      expect.objectContaining({ code: 'PF_OPTIONS_INVALID' }),
    );
    expect(() => desk({ timeZone: 'Mars/Olympus_Mons' })).toThrow(expect.objectContaining({ code: 'PF_OPTIONS_INVALID' }));
  });
});

describe('tracked deadlines on the desk', () => {
  it('LGPD Art. 19 II: the 15 days count from the receipt of the request, not from the verification of the identity', async () => {
    const { pf } = desk({ timeZone: 'America/Sao_Paulo' });
    const receivedAt = new Date('2026-11-02T09:00:00-03:00');
    const err = await pf.rights.request({ subjectId, kind: 'access', verification: {}, receivedAt }).catch((e) => e);
    expect(isPurposefulError(err) && err.code).toBe('PF_IDENTITY_UNVERIFIED');
    const proven = await pf.rights.verify(err.request, code, new Date('2026-11-09T15:00:00-03:00'));
    expect(proven).toMatchObject({
      status: 'open',
      receivedAt: '2026-11-02T12:00:00.000Z',
      verifiedAt: '2026-11-09T18:00:00.000Z',
      lgpdDue: '2026-11-18T02:59:59.999Z', // the end of 17 November in Brasília: 15 days from 2 November
    });
  });

  it('LGPD Art. 19 I: a confirmation request is due at once; Res. CD/ANPD 2/2022 Art. 15 gives a small agent 15 days', async () => {
    const receivedAt = new Date('2026-11-29T12:00:00Z');
    const now = await desk().pf.rights.request({ subjectId, kind: 'confirmation', verification: code, receivedAt });
    expect([now.lgpdDue, now.due]).toEqual(['2026-11-29T12:00:00.000Z', '2026-11-29T12:00:00.000Z']);
    const small = await desk({ smallAgent: true }).pf.rights.request({
      subjectId,
      kind: 'confirmation',
      verification: code,
      receivedAt,
    });
    expect(small.lgpdDue).toBe('2026-12-14T23:59:59.999Z');
  });

  it('Res. CD/ANPD 2/2022 Art. 14: a small agent is an engine option, checked once', () => {
    expect(() => desk({ smallAgent: 'yes' as never })).toThrow(expect.objectContaining({ code: 'PF_OPTIONS_INVALID' }));
    expect(() => desk({ lgpdDays: { access: 40 } })).toThrow(/LGPD Art\. 19/);
    expect(() => desk({ smallAgent: true, lgpdDays: { access: 30 } })).not.toThrow();
  });
});
