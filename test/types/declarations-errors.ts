import { pd } from 'purposeful';
import { z } from 'zod';
import './declarations.js';

pd(z.string(), { category: 'user.contact.whatsapp', purposes: ['support.ticket'] });
pd(z.string(), { category: 'user.contact.email', purposes: { 'support.ticket': 'masked', 'billing.invoice': 'clear' } });
// @ts-expect-error misspelt purpose in a list
pd(z.string(), { category: 'user.contact.email', purposes: ['suport.ticket'] });
// @ts-expect-error misspelt purpose in a map
pd(z.string(), { category: 'user.contact.email', purposes: { 'suport.ticket': 'clear' } });
// @ts-expect-error misspelt purpose next to a declared one
pd(z.string(), { category: 'user.contact.email', purposes: { 'support.ticket': 'clear', 'biling.invoice': 'clear' } });
// @ts-expect-error misspelt category
pd(z.string(), { category: 'user.contcat.email', purposes: ['support.ticket'] });
// @ts-expect-error misspelt custom category
pd(z.string(), { category: 'user.contact.whatsap', purposes: ['support.ticket'] });
