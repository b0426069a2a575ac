import { build, type Options } from 'tsup';
import configs from '../../tsup.config.js';

/**
 * Builds dist/ as `npm run build` does, without type declarations (the slow
 * part): the CLI runs from dist/cli.js, and the fixture projects import
 * 'purposeful', which inside this package resolves to dist/.
 */
export async function buildForCli(): Promise<void> {
  const list = (Array.isArray(configs) ? configs : [configs]) as Options[];
  // config: false, or tsup would read tsup.config.ts again and build every entry of it per call
  for (const options of list) await build({ ...options, config: false, dts: false, clean: false, silent: true });
}
