import { native } from '../native.js';
import { runCall } from './call.js';
import { runDemo } from './demo.js';
import { runTypes } from './types.js';

const usage = `usage: heddle <command>

commands:
  demo      run heddle's main job on built-in defaults and print what it did
            (heddle demo --help for its options)
  call      call one method of a Kitex, Thrift or gRPC service with a JSON request
            (heddle call --help)
  types     write TypeScript declarations for Thrift IDL and .proto files
            (heddle types --help)
  info      print the version and whether the native addon is loaded
  help      print this text`;

/** Entry point of the `heddle` command; resolves to the process exit code. */
export async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  const out = (line: string) => process.stdout.write(line + '\n');
  switch (command) {
    case 'demo':
      return runDemo(rest, out);
    case 'call':
      return runCall(rest, { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text), stdin: readStdin });
    case 'types':
      return runTypes(rest, (text) => process.stdout.write(text), (text) => process.stderr.write(text));
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

/** All of stdin as text, or undefined when it is a terminal (nothing was piped). */
async function readStdin(): Promise<string | undefined> {
  if (process.stdin.isTTY) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
