import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PROTOBUF_INCLUDE, type PeerName } from '../../helpers/peers.js';

/** Directory of the .proto fixtures shared by the protobuf tests. */
export const FIXTURES = join(__dirname, '..', 'fixtures');

/** Where Debian's libprotobuf-dev keeps the well-known type sources. */
export const SYSTEM_INCLUDE = PROTOBUF_INCLUDE;

const IMPORT = /^\s*import\s+(?:public\s+|weak\s+)?"([^"]+)"/gm;

/** The peers protoc needs to compile `sources`: itself, and the system's copies of the well-known types any of them imports. */
export function protocPeers(...sources: string[]): PeerName[] {
  const wellKnown = sources.some((source) => [...source.matchAll(IMPORT)].some((m) => m[1]!.startsWith('google/protobuf/')));
  return wellKnown ? ['protoc', 'protobuf-includes'] : ['protoc'];
}

/** {@link protocPeers} of fixture files and of the fixtures they import, transitively. */
export function fixturePeers(files: string[]): PeerName[] {
  const sources = new Map<string, string>();
  const visit = (file: string): void => {
    if (sources.has(file) || !existsSync(join(FIXTURES, file))) return;
    const source = readFileSync(join(FIXTURES, file), 'utf8');
    sources.set(file, source);
    for (const m of source.matchAll(IMPORT)) visit(m[1]!);
  };
  files.forEach(visit);
  return protocPeers(...sources.values());
}

/** Runs `protoc --descriptor_set_out` over files under `includeDirs`; the FileDescriptorSet bytes. */
export function protocDescriptorSet(includeDirs: string[], files: string[], includeImports = true): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'heddle-protoc-'));
  try {
    const out = join(dir, 'set.pb');
    const args = [...includeDirs.map((d) => `-I${d}`), `--descriptor_set_out=${out}`];
    if (includeImports) args.push('--include_imports');
    execFileSync('protoc', [...args, ...files], { stdio: ['ignore', 'ignore', 'pipe'] });
    return new Uint8Array(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Compiles in-memory sources with protoc. `errors` is protoc's stderr when it rejects them. */
export function protocCompile(sources: Record<string, string>, main: string): { set?: Uint8Array; errors?: string } {
  const dir = mkdtempSync(join(tmpdir(), 'heddle-protoc-'));
  try {
    for (const [name, text] of Object.entries(sources)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    const out = join(dir, 'set.pb');
    const result = spawnSync('protoc', [`-I${dir}`, `-I${SYSTEM_INCLUDE}`, '--include_imports', `--descriptor_set_out=${out}`, main], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (result.status !== 0) return { errors: result.stderr };
    return { set: new Uint8Array(readFileSync(out)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The first `file:line:column: message` protoc printed, or its first line without a position. */
export function firstProtocError(stderr: string): { file: string; line?: number; column?: number; message: string } {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('[libprotobuf WARNING'));
  const first = lines[0] ?? '';
  const located = /^([^:]+):(\d+):(\d+): (.*)$/.exec(first);
  if (located) return { file: located[1]!, line: Number(located[2]), column: Number(located[3]), message: located[4]! };
  const bare = /^([^:]+): (.*)$/.exec(first);
  return { file: bare?.[1] ?? '', message: bare?.[2] ?? first };
}

/** `protoc --encode=type` of text-format input, with `sources` written to a scratch include dir. */
export function protocEncode(sources: Record<string, string>, file: string, type: string, text: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'heddle-protoc-'));
  try {
    for (const [name, source] of Object.entries(sources)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), source);
    }
    return new Uint8Array(execFileSync('protoc', [`-I${dir}`, `-I${SYSTEM_INCLUDE}`, `--encode=${type}`, file], {
      input: text,
      maxBuffer: 256 * 1024 * 1024,
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
