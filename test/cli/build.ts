import { build, type Options } from 'tsup';
import configs from '../../tsup.config.js';

/**
 * Builds dist/ as `npm run build` does, without type declarations (the slow
 * part): the CLI runs from dist/cli.js, and the fixture projects import
 * 'purposeful', which inside this package resolves to dist/.
 */
export async function buildForCli(): Promise<void> {
  const list = (Array.isArray(configs) ? configs : [configs]) as Options[];
  for (const options of list) await build({ ...options, dts: false, clean: false, silent: true });
}
