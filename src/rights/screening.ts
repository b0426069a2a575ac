/**
 * What an access answer adds and screens out: other people's data in the
 * subject's records withheld or redacted (GDPR Art. 15(4), 20(4)), and the
 * statement of the subject's rights, the authority, automated decisions and
 * transfers (GDPR Art. 15(1)(e)–(h), 15(2)).
 *
 * @module
 * @internal
 */
import { PurposefulError } from '../errors.js';
import type { PurposefulSchema } from '../schema/define.js';
import type { ResolvedPurpose } from '../schema/purposes.js';
import type { FieldInfo } from '../schema/walk.js';
import { RIGHTS_KINDS } from './deadlines.js';
import type { DeskParts } from './desk-parts.js';
import {
  automatedDecisions,
  complaintRights,
  SCREEN_ARTICLE,
  type ScreenedField,
  subjectRights,
  transfers,
} from './statement.js';
import type { SubjectExport } from './types.js';

/** The screening answers: `withheld`, `screening`, `statement`. @internal */
export function createScreening(parts: DeskParts) {
  const { settings } = parts;
  const { jurisdictions } = parts.internals;

  // an access answer screens what the subject's records hold about others (GDPR Art. 15(4), 20(4))
  const screenOf = (schema: PurposefulSchema, f: FieldInfo) => settings.aboutOthers?.[schema.id]?.[f.path];

  return {
    /** Whether an access answer leaves a field out entirely (another person's data). */
    withheld: (schema: PurposefulSchema, f: FieldInfo) => screenOf(schema, f) === 'withhold',

    /**
     * A screening for one answer: `value` gives what the answer may show of a
     * value (`undefined`: nothing), and `screened` what was left out or redacted.
     */
    screening() {
      const seen = new Map<string, ScreenedField>();
      const note = (schema: PurposefulSchema, record: string | undefined, f: FieldInfo, outcome: ScreenedField['outcome']) => {
        const key = JSON.stringify([schema.id, record, f.path, outcome]);
        if (!seen.has(key)) {
          seen.set(key, {
            schema: schema.id,
            ...(record !== undefined ? { record } : {}),
            field: f.path,
            outcome,
            article: SCREEN_ARTICLE,
          });
        }
      };
      return {
        value(
          schema: PurposefulSchema,
          record: string | undefined,
          f: FieldInfo,
          value: unknown,
        ): { readonly value: unknown; readonly redacted: boolean } | undefined {
          const screen = screenOf(schema, f);
          if (screen === undefined) return { value, redacted: false };
          if (screen === 'withhold') {
            note(schema, record, f, 'withheld');
            return undefined;
          }
          let shown: unknown;
          try {
            shown = screen(value);
          } catch {
            throw new PurposefulError(
              'PF_OPTIONS_INVALID',
              `rights.aboutOthers.${schema.id}.${f.path} could not screen a value: the answer is not given unscreened`,
              { schema: schema.id, paths: [f.path], article: SCREEN_ARTICLE },
            );
          }
          if (shown === undefined) {
            note(schema, record, f, 'withheld');
            return undefined;
          }
          note(schema, record, f, 'redacted');
          return { value: shown, redacted: true };
        },
        screened: (): ScreenedField[] =>
          [...seen.values()].sort((a, b) =>
            `${a.schema}\u0000${a.record ?? ''}\u0000${a.field}`.localeCompare(
              `${b.schema}\u0000${b.record ?? ''}\u0000${b.field}`,
            ),
          ),
      };
    },

    /** What an access answer tells besides the data, for the purposes the subject's data serves. */
    statement(
      used: readonly ResolvedPurpose[],
    ): Pick<SubjectExport, 'rights' | 'complaint' | 'automatedDecisions' | 'transfers'> {
      return {
        rights: subjectRights(jurisdictions, RIGHTS_KINDS),
        complaint: complaintRights(jurisdictions, settings.supervisoryAuthority),
        automatedDecisions: automatedDecisions(used),
        transfers: transfers(used, jurisdictions),
      };
    },
  };
}
