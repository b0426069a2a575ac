/** One customer record of the support desk, as the application keeps it in memory (plaintext). */
export const sampleCustomer = {
  id: '0b4f0d3e-8a3c-4a39-9a53-2f1c3f8f5d10',
  channel: 'chat',
  name: 'João da Silva',
  cpf: '529.982.247-25',
  email: 'joao.silva@example.com',
  phone: '+55 11 98765-4321',
  address: { city: 'São Paulo', postalCode: '01310-100' },
  accessibility: 'low vision',
} as const;
