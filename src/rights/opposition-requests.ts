/**
 * Opposition (LGPD Art. 18 §2; GDPR Art. 21): the subject's objection to a
 * purpose, recorded in the objection store, after which the engine refuses the
 * purpose for them; and its dismissal on the controller's stated grounds,
 * where the law allows one.
 *
 * @module
 * @internal
 */
import { PurposefulError } from '../errors.js';
import { type DeskParts, fieldsOf, optionalText } from './desk-parts.js';
import { type Objection, opposability } from './opposition.js';

/** The opposition answers: `oppose`, `dismissOpposition`, `objections`. @internal */
export function createOpposition(parts: DeskParts) {
  const { internals, settings, log, open } = parts;
  const { purposes, jurisdictions } = internals;
  const objections = settings.objections;
  return {
    async oppose(id: string, purpose: string, input?: { readonly grounds?: string }): Promise<Objection> {
      const r = await open(id, ['opposition']);
      const p = typeof purpose === 'string' ? purposes.get(purpose) : undefined;
      if (!p) {
        throw new PurposefulError(
          'PF_INPUT_INVALID',
          // the request's name for it is not echoed: only declared ids are named
          'the purpose is not declared: there is nothing to oppose',
          {
            article: 'LGPD Art. 18 §2; GDPR Art. 21',
          },
        );
      }
      if (await objections.get(r.id)) {
        throw new PurposefulError(
          'PF_INPUT_INVALID',
          `request ${id} already records an objection: one purpose per opposition request`,
          { purpose: p.id },
        );
      }
      const o = opposability(p, jurisdictions);
      if (!o.ok) throw new PurposefulError('PF_INPUT_INVALID', o.why, { purpose: p.id, article: o.article });
      const grounds = optionalText(input?.grounds, 'the grounds of an objection', 5000);
      const objection: Objection = {
        request: r.id,
        subjectId: r.subjectId,
        purpose: p.id,
        at: new Date().toISOString(),
        ...(grounds !== undefined ? { grounds } : {}),
        status: 'in_force',
        absolute: o.absolute,
        article: o.article,
      };
      await objections.put(objection);
      log('opposition', r.subjectId, 'allow', undefined, fieldsOf(internals, p));
      return objection;
    },

    async dismissOpposition(id: string, grounds: string, now: Date = new Date()): Promise<Objection> {
      const r = await open(id, ['opposition']);
      const o = await objections.get(r.id);
      if (!o) throw new PurposefulError('PF_INPUT_INVALID', `request ${id} records no objection`);
      if (o.status === 'dismissed') {
        throw new PurposefulError('PF_INPUT_INVALID', `the objection of request ${id} was already dismissed`, {
          purpose: o.purpose,
        });
      }
      if (o.absolute) {
        throw new PurposefulError(
          'PF_INPUT_INVALID',
          `an objection to direct marketing (${o.purpose}) cannot be dismissed: the data is no longer processed for it`,
          { purpose: o.purpose, article: 'GDPR Art. 21(3)' },
        );
      }
      if (typeof grounds !== 'string' || grounds.trim() === '' || grounds.length > 5000) {
        throw new PurposefulError(
          'PF_INPUT_INVALID',
          "a dismissal states the controller's grounds, told to the subject: compelling legitimate grounds that override theirs, or legal claims (GDPR Art. 21(1)); the reasons of fact or law (LGPD Art. 18 §4 II)",
          { purpose: o.purpose, article: 'GDPR Art. 21(1); LGPD Art. 18 §4 II' },
        );
      }
      const next: Objection = { ...o, status: 'dismissed', dismissal: { grounds, at: now.toISOString() } };
      await objections.put(next);
      log('opposition', r.subjectId, 'allow', 'dismissed');
      return next;
    },

    objections: (subjectId: string) => objections.list(subjectId),
  };
}
