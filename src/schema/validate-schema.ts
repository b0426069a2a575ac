/**
 * The schema half of the declaration validator: rules over a schema's field
 * table and shape, given its purposes.
 *
 * @module
 * @internal
 */
import type { DeclarationProblem } from '../errors.js';
import { DATA_SUBJECTS } from '../taxonomy/uses.js';
import { didYouMean } from '../util/closest.js';
import type { Purposes } from './purposes.js';
import { problem } from './rules.js';
import { type FieldAccess, type FieldInfo, holdsAnnotation, type ShapeNode, shapeChildren } from './walk.js';

/**
 * Whom the records of a schema are about.
 *
 * @example
 * ```ts
 * // enrollments are about students who may be children; their id sits in a nested object
 * const subject: SubjectDeclaration = { kind: 'trainee', id: 'student.id', minors: 'possible' };
 * // defineSchema('enrollment', enrollmentShape, { purposes, subject })
 * ```
 * @category Declaring
 */
export interface SubjectDeclaration {
  /** The kind of data subject (fideslang: customer, employee, patient, …). */
  readonly kind: string;
  /** Path of the field holding the subject's id (e.g. `id` or `customer.id`). */
  readonly id?: string;
  /** Whether the subject may be a minor (LGPD Art. 14; GDPR Art. 8). Default `never`. */
  readonly minors?: 'never' | 'possible' | 'always';
}

/** Tokens of field names that strongly suggest personal data, in Portuguese and English. */
const PERSONAL_TOKENS = new Set([
  'cpf',
  'cnpj',
  'rg',
  'cnh',
  'pis',
  'nis',
  'pasep',
  'ctps',
  'ssn',
  'nif',
  'nie',
  'dni',
  'taxpayer',
  'contribuinte',
  'passport',
  'passaporte',
  'iban',
  'email',
  'mail',
  'telefone',
  'phone',
  'celular',
  'mobile',
  'whatsapp',
  'fone',
  'name',
  'nome',
  'sobrenome',
  'surname',
  'firstname',
  'lastname',
  'fullname',
  'endereco',
  'endereço',
  'address',
  'street',
  'rua',
  'logradouro',
  'cep',
  'zip',
  'zipcode',
  'postcode',
  'birth',
  'birthday',
  'birthdate',
  'dob',
  'nascimento',
  'nasc',
  'ip',
  'latitude',
  'longitude',
  'geolocation',
  'gender',
  'genero',
  'gênero',
  'sexo',
  'religion',
  'religiao',
  'religião',
  'health',
  'saude',
  'saúde',
  'password',
  'senha',
  'salary',
  'salario',
  'salário',
  'income',
  'renda',
  'card',
  'cartao',
  'cartão',
  'pan',
  'bsn',
  'nino',
  'raca',
  'raça',
  'etnia',
  'etnico',
  'étnico',
  'etnica',
  'étnica',
  'race',
  'racial',
  'ethnicity',
  'ethnic',
  'biometria',
  'biometrico',
  'biométrico',
  'biometricos',
  'biométricos',
  'biometric',
  'biometrics',
  'placa',
  'renavam',
  'apelido',
  'alcunha',
  'nickname',
  'username',
]);

/** The hinted tokens that suggest sensitive personal data (LGPD Art. 5 II, 11; GDPR Art. 9), with what they suggest. */
const SENSITIVE_TOKENS: ReadonlyMap<string, string> = new Map([
  ...['raca', 'raça', 'etnia', 'etnico', 'étnico', 'etnica', 'étnica', 'race', 'racial', 'ethnicity', 'ethnic'].map(
    (t) => [t, 'racial or ethnic origin'] as const,
  ),
  ...['religion', 'religiao', 'religião'].map((t) => [t, 'religious belief'] as const),
  ...['health', 'saude', 'saúde'].map((t) => [t, 'health'] as const),
  ...['biometria', 'biometrico', 'biométrico', 'biometricos', 'biométricos', 'biometric', 'biometrics'].map(
    (t) => [t, 'biometric data'] as const,
  ),
]);

/**
 * Tokens that suggest personal data only together, in either order: `taxId`, `tax_number`, `chavePix`,
 * `tituloEleitor`, `socialSecurityNumber`, `nationalId`. Alone they are data: `taxRate`, a ticket's `titulo`,
 * `pixEnabled`.
 */
const PERSONAL_PAIRS: ReadonlyArray<readonly [string, ReadonlySet<string>]> = [
  ['tax', new Set(['id', 'number', 'no', 'num', 'code', 'identifier'])],
  ['national', new Set(['id', 'number', 'insurance'])],
  ['social', new Set(['security'])],
  ['pix', new Set(['chave', 'key'])],
  ['titulo', new Set(['eleitor', 'eleitoral'])],
  ['vat', new Set(['id', 'number', 'no', 'num', 'code', 'identifier'])],
  ['plate', new Set(['license', 'licence', 'number', 'registration', 'vehicle'])],
];

/** The token, or pair of tokens, of a field name that suggests personal data; `undefined` when none does. */
export function personalHint(key: string): string | undefined {
  const tokens = nameTokens(key);
  const single = tokens.find((t) => PERSONAL_TOKENS.has(t));
  if (single) return single;
  for (const [a, others] of PERSONAL_PAIRS) {
    if (!tokens.includes(a)) continue;
    const b = tokens.find((t) => others.has(t));
    if (b) return `${a} ${b}`;
  }
  return undefined;
}

/** The tokens of a field name: camelCase, snake_case and kebab-case split, lowercased. */
export function nameTokens(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9à-ÿ]+/u)
    .filter(Boolean);
}

/** Whether an unannotated subtree lets any value through (a scalar or opaque leaf somewhere), not only `{}` or `[]`. */
function carriesValues(node: ShapeNode, seen = new Set<ShapeNode>()): boolean {
  if (seen.has(node)) return false;
  seen.add(node);
  if (node.scalar || node.opaque) return true;
  return shapeChildren(node).some((k) => carriesValues(k, seen));
}

/**
 * Every unannotated field, reported once at the outermost key that holds no annotation: `PF_DECL_LIKELY_PERSONAL`
 * when its name suggests personal data, `PF_DECL_UNANNOTATED` otherwise (and `PF_DECL_OPAQUE_FIELD` for one that
 * accepts any value, where it flows: with `unannotated: 'allow'`). A union option that is neither, beside a `pd()` or
 * `pd.none()` option, is a `PF_DECL_UNANNOTATED` at the field. The texts say what happens to the field.
 */
function nameHeuristics(schemaId: string, root: ShapeNode, problems: DeclarationProblem[], allow: boolean): void {
  const fate = allow
    ? "with unannotated: 'allow' it flows in and out for every purpose"
    : 'it is declared for no purpose: inbound rejects it (PF_UNDECLARED_FIELD), outbound leaves it out';
  const optionFate = allow
    ? "with unannotated: 'allow' a value only that option accepts flows in and out with the field"
    : 'a value only that option accepts is declared for no purpose: inbound rejects it, outbound refuses it (PF_OUTPUT_INVALID)';
  const seen = new Set<ShapeNode>();
  // `reported`: below a key already reported unannotated (its names are still looked at for hints)
  const stack: Array<[ShapeNode, string, boolean]> = [[root, '', false]];
  while (stack.length) {
    const [node, path, reported] = stack.pop() as [ShapeNode, string, boolean];
    if (seen.has(node)) continue;
    seen.add(node);
    // a union of pd() or pd.none() and an option that is neither (a pd() field with an opaque option is an error already)
    if (path && node.plainOptions?.length && (node.none || (node.field && !node.opaque))) {
      problems.push(
        problem(
          'PF_DECL_UNANNOTATED',
          `${path}: an option of its union is neither pd() nor pd.none(), so ${optionFate}; declare that option with pd() or pd.none(), or remove it`,
          { schema: schemaId, path },
        ),
      );
    }
    let below = reported;
    if (node.object) {
      for (const [key, child] of node.object) {
        const childPath = path ? `${path}.${key}` : key;
        below = reported;
        if (!holdsAnnotation(child, true)) {
          const hit = personalHint(key);
          if (hit) {
            const sensitive = SENSITIVE_TOKENS.get(hit);
            problems.push(
              problem(
                'PF_DECL_LIKELY_PERSONAL',
                `${childPath}: the name ("${hit}") suggests ${sensitive ? `sensitive personal data (${sensitive})` : 'personal data'} but the field is not annotated, so ${fate}; declare it with pd(), or pd.none() if it is not personal`,
                { schema: schemaId, path: childPath, ...(sensitive ? { article: 'LGPD Art. 5 II, 11; GDPR Art. 9' } : {}) },
              ),
            );
            continue;
          }
          if (!reported && carriesValues(child)) {
            below = true;
            problems.push(
              problem(
                'PF_DECL_UNANNOTATED',
                `${childPath}: neither pd() nor pd.none(), so ${fate}; declare it with pd(), or pd.none() if it is not personal`,
                { schema: schemaId, path: childPath },
              ),
            );
          }
          if (allow && child.opaque && !child.object && !child.array) {
            problems.push(
              problem(
                'PF_DECL_OPAQUE_FIELD',
                `${childPath}: an unannotated field that accepts any value can carry undeclared personal data`,
                {
                  schema: schemaId,
                  path: childPath,
                },
              ),
            );
          }
        }
        stack.push([child, childPath, below]);
      }
    }
    below = reported;
    if (node.array) stack.push([node.array, `${path}[]`, below]);
    if (node.record) stack.push([node.record, `${path}{}`, below]);
    if (node.tuple) for (const [i, t] of node.tuple.entries()) stack.push([t, `${path}[${i}]`, below]);
    if (node.tupleRest) stack.push([node.tupleRest, `${path}[]`, below]);
  }
}

/** Every level a purpose may get on a field, whatever the actor's roles. */
export function levelsOf(access: { level: string; roles: Readonly<Record<string, string>> | undefined }): Set<string> {
  const out = new Set([access.level]);
  if (access.roles) for (const l of Object.values(access.roles)) out.add(l);
  out.delete('none');
  return out;
}

/** Checks a walked schema against its purposes; returns every problem found. */
export function validateSchemaFields(
  schemaId: string,
  fields: readonly FieldInfo[],
  root: ShapeNode,
  purposes: Purposes,
  subject: SubjectDeclaration | undefined,
  unannotated?: 'deny' | 'allow',
): DeclarationProblem[] {
  const problems: DeclarationProblem[] = [];
  const ids = new Map<string, FieldInfo>();
  const purposesUsed = new Set<string>();
  for (const f of fields) fieldProblems(schemaId, f, ids, purposes, purposesUsed, problems);
  subjectProblems(schemaId, subject, root, purposes, purposesUsed, problems);
  nameHeuristics(schemaId, root, problems, unannotated === 'allow');
  return problems;
}

/** One field: a stable id of its own, a purpose, encryption when sensitive, then each purpose it names (`ids` and `purposesUsed` grow). */
function fieldProblems(
  schemaId: string,
  f: FieldInfo,
  ids: Map<string, FieldInfo>,
  purposes: Purposes,
  purposesUsed: Set<string>,
  problems: DeclarationProblem[],
): void {
  const at = { schema: schemaId, path: f.path, declaredAt: f.declaredAt };
  const other = ids.get(f.id);
  if (other) {
    problems.push(
      problem(
        'PF_DECL_DUPLICATE_FIELD_ID',
        `${f.path} and ${other.path} share the stable id "${f.id}"; give one an explicit id`,
        at,
      ),
    );
  } else ids.set(f.id, f);
  if (f.access.size === 0) {
    problems.push(problem('PF_DECL_NO_PURPOSE', `${f.path} serves no purpose: declare one, or do not collect the field`, at));
  }
  if (f.sensitive && !f.encrypt) {
    problems.push(
      problem(
        'PF_DECL_SENSITIVE_UNENCRYPTED',
        `${f.path} holds sensitive data (${f.sensitiveKind}) and must be declared encrypt: true`,
        at,
      ),
    );
  }
  if (f.criminal) {
    problems.push(
      problem('PF_DECL_CRIMINAL_DATA', `${f.path} holds criminal-record data: check that a law authorizes processing it`, at),
    );
  }
  for (const [pid, access] of f.access) accessProblems(f, at, pid, access, purposes, purposesUsed, problems);
}

/** One purpose a field names: declared, and for a sensitive field its sensitive basis under each law, and a second factor advised. */
function accessProblems(
  f: FieldInfo,
  at: { schema: string; path: string; declaredAt: string | undefined },
  pid: string,
  access: FieldAccess,
  purposes: Purposes,
  purposesUsed: Set<string>,
  problems: DeclarationProblem[],
): void {
  const laws = purposes.jurisdictions;
  const p = purposes.get(pid);
  if (!p) {
    problems.push(
      problem(
        'PF_DECL_UNKNOWN_PURPOSE',
        `${f.path} names purpose "${pid}", which nobody declared${didYouMean(pid, purposes.ids)}`,
        {
          ...at,
          purpose: pid,
        },
      ),
    );
    return;
  }
  const levels = levelsOf(access);
  if (levels.size === 0) return;
  purposesUsed.add(pid);
  if (!f.sensitive) return;
  for (const j of laws) {
    if (p.declaration.sensitiveBasis?.[j] === undefined) {
      problems.push(
        problem(
          'PF_DECL_SENSITIVE_BASIS_MISSING',
          `purpose "${pid}" uses sensitive field ${f.path} (${f.sensitiveKind}) but declares no sensitiveBasis.${j} (${j === 'lgpd' ? 'LGPD Art. 11 replaces Art. 7' : 'GDPR Art. 9(2) applies on top of Art. 6'})`,
          { ...at, purpose: pid, article: j === 'lgpd' ? 'LGPD Art. 11' : 'GDPR Art. 9(2)' },
        ),
      );
    }
  }
  const mfa = p.declaration.mfa ?? 'never';
  if (levels.has('clear') && mfa === 'never') {
    problems.push(
      problem('PF_DECL_MFA_ADVISED', `purpose "${pid}" sees sensitive field ${f.path} in clear; consider mfa: 'sensitive'`, {
        ...at,
        purpose: pid,
      }),
    );
  }
}

/** The subject declaration: its kind, minors and id, and what minors among the subjects mean for each purpose used. */
function subjectProblems(
  schemaId: string,
  subject: SubjectDeclaration | undefined,
  root: ShapeNode,
  purposes: Purposes,
  purposesUsed: ReadonlySet<string>,
  problems: DeclarationProblem[],
): void {
  if (subject !== undefined) {
    const s = subject as unknown as Record<string, unknown>;
    if (typeof s !== 'object' || s === null || typeof s.kind !== 'string' || !s.kind) {
      problems.push(problem('PF_DECL_SUBJECT_INVALID', 'subject must be { kind, id?, minors? }', { schema: schemaId }));
    } else {
      if (!(DATA_SUBJECTS as readonly string[]).includes(s.kind)) {
        problems.push(
          problem('PF_DECL_SUBJECT_KIND_UNKNOWN', `subject kind "${s.kind}" is not a fideslang data subject`, {
            schema: schemaId,
          }),
        );
      }
      if (s.minors !== undefined && s.minors !== 'never' && s.minors !== 'possible' && s.minors !== 'always') {
        problems.push(
          problem('PF_DECL_SUBJECT_INVALID', "subject.minors must be 'never', 'possible' or 'always'", { schema: schemaId }),
        );
      }
      if (s.id !== undefined && (typeof s.id !== 'string' || !resolvePath(root, s.id))) {
        problems.push(
          problem('PF_DECL_SUBJECT_INVALID', `subject.id "${String(s.id)}" is not a field of the schema (outside arrays)`, {
            schema: schemaId,
            path: typeof s.id === 'string' ? s.id : undefined,
          }),
        );
      }
      if (s.minors === 'possible' || s.minors === 'always') minorsProblems(schemaId, purposes, purposesUsed, problems);
    }
  }
}

/** Subjects who may be minors: each purpose used is carried out in their best interest, with a guardian's consent, and not on legitimate interest alone. */
function minorsProblems(
  schemaId: string,
  purposes: Purposes,
  purposesUsed: ReadonlySet<string>,
  problems: DeclarationProblem[],
): void {
  for (const pid of purposesUsed) {
    const p = purposes.get(pid);
    if (!p) continue;
    // every basis, not only legitimate interest: Art. 7/11 bases serve minors only in their best interest
    const bases = [...new Set(Object.values(p.declaration.legalBasis ?? {}).filter((b) => typeof b === 'string'))];
    problems.push(
      problem(
        'PF_DECL_MINORS_BEST_INTEREST',
        `subjects may be minors: purpose "${pid}" (${bases.join(', ') || 'no basis'}) must be carried out in the child's or adolescent's best interest, assessed case by case`,
        { schema: schemaId, purpose: pid },
      ),
    );
    if (p.consentUnder.length) {
      problems.push(
        problem(
          'PF_DECL_MINORS_CONSENT',
          `subjects may be minors and purpose "${pid}" rests on consent: a guardian's specific and highlighted consent will be required for children (LGPD Art. 14 §1), and under the GDPR below the digital consent age when the purpose is offered directly to children (Art. 8)`,
          {
            schema: schemaId,
            purpose: pid,
          },
        ),
      );
    }
    const lb = p.declaration.legalBasis;
    if (lb.lgpd === 'legitimate_interest' || lb.gdpr === 'legitimate_interests') {
      problems.push(
        problem(
          'PF_DECL_MINORS_LEGITIMATE_INTEREST',
          `subjects may be minors and purpose "${pid}" rests on legitimate interest`,
          {
            schema: schemaId,
            purpose: pid,
          },
        ),
      );
    }
  }
}

/** The node at a dotted path through objects only (no arrays), or `undefined`. */
export function resolvePath(root: ShapeNode, path: string): ShapeNode | undefined {
  let node: ShapeNode | undefined = root;
  for (const seg of path.split('.')) {
    node = node?.object?.get(seg);
    if (!node) return undefined;
  }
  return node;
}
