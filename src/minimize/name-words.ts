/**
 * Words a free-text vocabulary may not keep (LGPD Art. 12): common given
 * names and surnames in Brazil and Portugal, many of which are also ordinary
 * words (costa, lima, rocha, rosa, paz), and the words that open a street
 * address. The list is not exhaustive, which is why a field that keeps free
 * text anonymized also declares its residual risk.
 *
 * @module
 * @internal
 */

/** Lower case, without diacritics (compared after the same folding). */
const NAMES = `
maria jose ana joao antonio francisco carlos paulo pedro lucas luiz luis marcos gabriel rafael daniel marcelo bruno
eduardo felipe raimundo rodrigo manoel manuel mateus matheus andre fernando fabio leonardo gustavo guilherme leandro
tiago thiago anderson ricardo marcio jorge sebastiao alexandre roberto edson diego vitor victor sergio claudio geraldo
adriano luciano julio renato alex vinicius rogerio samuel ronaldo mario flavio igor douglas davi david jefferson severino
miguel arthur heitor bernardo theo gael ravi noah enzo benicio joaquim henrique murilo caio otavio rui nuno tomas
francisca antonia adriana juliana marcia fernanda patricia aline sandra camila amanda bruna jessica leticia julia
luciana vanessa mariana gabriela vera vitoria larissa claudia beatriz rita luana sonia renata eliane josefa simone
natalia cristina carla raimunda rosa luz paz gloria graca aparecida fatima conceicao helena alice laura valentina sofia
sophia isabela isabel manuela livia heloisa luiza luisa cecilia eloa lorena clara lara marta teresa tereza lucia regina
silvia denise debora raquel sara sarah ester rebeca joana ines carolina catarina margarida madalena dores penha
socorro luzia angela angelica monica priscila tatiana viviane daniela paula pietra yasmin giovanna agatha esperanca
silva santos oliveira souza sousa rodrigues ferreira alves pereira lima gomes costa ribeiro martins carvalho almeida
lopes soares fernandes vieira barbosa rocha dias nascimento andrade moreira nunes marques machado mendes freitas
cardoso ramos goncalves santana teixeira araujo cavalcanti cavalcante castro campos pinto correia monteiro moura cruz
reis batista borges prado neves pires miranda duarte fonseca sampaio paiva bezerra melo mello farias brito rezende
resende leite azevedo cunha siqueira medeiros xavier tavares coelho viana jesus matos queiroz bastos fontes peixoto
guimaraes amaral lacerda aguiar bueno franco pacheco magalhaes figueiredo leal lins barros serra moraes morais toledo
sales salles vasconcelos cabral camargo valente brandao assis bento lobo leao pestana pimentel rangel sa vaz
`;

/** Words that open or structure a street address, in Portuguese and English. */
const ADDRESS = `
rua avenida av travessa alameda praca rodovia estrada largo beco viela bairro quadra lote bloco apartamento apto
condominio edificio cep logradouro endereco complemento street avenue road lane boulevard apartment suite zip postcode
`;

/** Lower case, NFD without combining marks: how both lists and a vocabulary are compared. */
export const foldWord = (w: string): string => w.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

const words = (s: string) => new Set(s.split(/\s+/).filter(Boolean));

/** Common given names and surnames. @internal */
export const NAME_WORDS: ReadonlySet<string> = words(NAMES);

/** Street-address words. @internal */
export const ADDRESS_WORDS: ReadonlySet<string> = words(ADDRESS);
