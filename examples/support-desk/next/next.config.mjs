// @ts-check
/**
 * The support desk on Next.js: route handlers only, importing the library
 * from the repository's source (no build of the package needed).
 *
 * Build with webpack (`next build --webpack`): the sources use NodeNext-style
 * `./file.js` imports of `.ts` files, which webpack maps with
 * `resolve.extensionAlias` and Turbopack (Next 16.4) cannot resolve yet.
 */
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..', '..', '..');

/** @type {import('next').NextConfig} */
const config = {
  // the app imports files outside its folder: ../app.ts, the adapters, src/
  outputFileTracingRoot: repo,
  poweredByHeader: false,
  webpack: (webpackConfig) => {
    webpackConfig.resolve.extensionAlias = { ...webpackConfig.resolve.extensionAlias, '.js': ['.ts', '.js'] };
    // the package's own name, as an application imports it: here, its source
    webpackConfig.resolve.alias = {
      ...webpackConfig.resolve.alias,
      purposeful$: join(repo, 'src', 'index.ts'),
      'purposeful/next$': join(repo, 'adapters', 'next.ts'),
    };
    return webpackConfig;
  },
};

export default config;
