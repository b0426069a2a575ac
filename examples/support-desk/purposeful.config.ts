import type { PurposefulConfig } from '../../src/index.js';

// `purposeful check`, `map` and `diff` read the support desk's declarations from here.
export default {
  modules: ['./declarations.ts'],
  map: 'privacy-map.json',
} satisfies PurposefulConfig;
