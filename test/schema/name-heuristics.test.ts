import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { purposes } from '../../examples/support-desk/declarations.js';
import { defineSchema, pd } from '../../src/index.js';

/** The `PF_DECL_LIKELY_PERSONAL` hints of a schema with one unannotated string field named `key`. */
function hints(key: string) {
  const s = defineSchema('hinted', z.object({ [key]: z.string() }), { purposes });
  return s.problems.filter((p) => p.code === 'PF_DECL_LIKELY_PERSONAL');
}

describe('PF_DECL_LIKELY_PERSONAL name heuristics', () => {
  it.each([
    // tax, identity and bank numbers
    'taxNumber',
    'taxId',
    'tax_id',
    'customerTaxCode',
    'taxpayer',
    'nif',
    'nie',
    'dni',
    'ssn',
    'socialSecurityNumber',
    'nationalId',
    'passport',
    'passportNumber',
    'iban',
    // Portuguese
    'cpf',
    'cnpj',
    'cpfCnpj',
    'rg',
    'cnh',
    'ctps',
    'pis',
    'nome',
    'nomeCompleto',
    'sobrenome',
    'endereco',
    'endereço',
    'telefone',
    'celular',
    'email',
    'e-mail',
    'nascimento',
    'dataNascimento',
    'data_nasc',
    'cep',
    'chavePix',
    'chave pix',
    'pixKey',
    'tituloEleitor',
    'titulo_de_eleitor',
    // racial or ethnic origin (sensitive), vehicle plates, nicknames
    'raca',
    'raça',
    'corRaca',
    'cor_raça',
    'etnia',
    'origemEtnica',
    'race',
    'ethnicity',
    'ethnicOrigin',
    'placa',
    'placaVeiculo',
    'renavam',
    'licensePlate',
    'number_plate',
    'apelido',
    'nickname',
    'username',
    'biometria',
    // other national and tax numbers
    'bsn',
    'nino',
    'vatNumber',
    'vat_id',
    'pan',
  ])('%s is hinted', (key) => {
    const found = hints(key);
    expect(found).toHaveLength(1);
    expect(found[0]?.severity).toBe('warning');
    expect(found[0]?.path).toBe(key);
  });

  it.each([
    'status',
    'createdAt',
    'updatedAt',
    'description',
    'taxRate',
    'taxAmount',
    'taxIncluded',
    'titulo',
    'title',
    'pixEnabled',
    'valor',
    'quantity',
    'socialMedia',
    'priority',
    'plate',
    'vatRate',
    'vatIncluded',
  ])('%s is not hinted', (key) => {
    expect(hints(key)).toEqual([]);
  });

  it.each([
    ['raca', 'racial or ethnic origin'],
    ['etnia', 'racial or ethnic origin'],
    ['ethnicity', 'racial or ethnic origin'],
    ['religiao', 'religious belief'],
    ['saude', 'health'],
    ['dadosBiometricos', 'biometric data'],
  ])('%s is hinted as sensitive data (%s)', (key, kind) => {
    const [found] = hints(key);
    expect(found?.message).toContain(`sensitive personal data (${kind})`);
    expect(found?.article).toBe('LGPD Art. 5 II, 11; GDPR Art. 9');
  });

  it('a name that suggests ordinary personal data is not called sensitive', () => {
    const [found] = hints('placa');
    expect(found?.message).toContain('suggests personal data');
    expect(found?.message).not.toContain('sensitive');
  });

  it('pd.none() silences the hint', () => {
    const s = defineSchema('hinted', z.object({ taxId: pd.none(z.string()), chavePix: pd.none(z.string()) }), { purposes });
    expect(s.problems.filter((p) => p.code === 'PF_DECL_LIKELY_PERSONAL')).toEqual([]);
  });
});
