import { native } from '../native.js';
import { runDemo } from './demo.js';

const usage = `usage: heddle <command>

commands:
  demo      run heddle's main job on built-in defaults and print what it did
            (heddle demo --help for its options)
  info      print the version and whether the native addon is loaded
  help      print this text`;

/** Entry point of the `heddle` command; resolves to the process exit code. */
export async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  const out = (line: string) => process.stdout.write(line + '\n');
  switch (command) {
    case 'demo':
      return runDemo(rest, out);
    case 'info': {
      const { version } = require('../../package.json') as { version: string };
      out(`heddle ${version}, node ${process.version}`);
      out(native.loaded ? `native addon: loaded (${native.features.join(', ') || 'no SIMD features'})` : `native addon: not loaded (${native.reason})`);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out(usage);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`heddle: unknown command '${command}'\n${usage}\n`);
      return 2;
  }
}
