/**
 * The `purposeful` executable.
 *
 * @module
 * @internal
 */
import { main } from './main.js';

main(process.argv.slice(2), { cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    // The command is over. A declarations module may have started a server or a
    // timer as it loaded (an app's entry file, say): end the process rather than
    // wait for it, once what was written has been flushed.
    process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  },
);
