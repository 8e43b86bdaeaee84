/**
 * The dynamicgo side of the Thrift JSON differential tests (thrift-json-dynamicgo*.test.ts):
 * test/interop/dynamicgo-diff (CloudWeGo dynamicgo v0.8.0, conv/j2t and conv/t2j, Thrift Binary)
 * built from the Go module proxy and run once per batch of cases, the conv.Options that match
 * heddle's defaults, and heddle's transcoders of a struct on every path this process has.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildGoProgram } from '../../scripts/go-programs.mjs';
import { buildDescriptor, ThriftJsonTranscoder } from '../../src-ts/gateway/thrift-json/index.js';
import type { thrift } from '../../src-ts/index.js';
import { native } from '../../src-ts/native.js';
import { hasPeers } from '../helpers/peers.js';

export type Doc = ReturnType<typeof thrift.parse>;

/** conv.Options for heddle's defaults: i64 strings accepted, IDL defaults written, unknown members skipped. */
export const J2T = { String2Int64: true, WriteDefaultField: true };
/** conv.Options for heddle's toJSON defaults: i64 as numbers, absent fields left out. */
export const T2J = {};
export const T2J_I64_STRING = { Int642String: true };

export interface Case {
  dir: 'j2t' | 't2j';
  /** The struct: the IDL gets a service with one method per struct, named after it. */
  method: string;
  body: string | Uint8Array;
  options: Record<string, boolean>;
  /** Parse the IDL with dynamicgo's SetOptionalBitmap (optional fields filled by WriteOptionalField, their defaults written). */
  optionalBitmap?: boolean;
}
export type Outcome = { out: Buffer; error?: undefined } | { out?: undefined; error: string };

let binary = '';
let workDir = '';
let idlCount = 0;

/** Registers the build of the Go program (when Go is here) and the removal of its IDL files. */
export function setUpDynamicgo(): void {
  beforeAll(() => {
    if (!hasPeers(['go'])) return;
    binary = buildGoProgram('dynamicgo-diff');
    workDir = mkdtempSync(join(tmpdir(), 'heddle-dgdiff-'));
  }, 600_000);
  afterAll(() => {
    if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
  });
}

/** Runs `cases` through one dynamicgo process on `idl`, plus a service with a method per struct. */
export function dynamicgo(idl: string, structs: string[], cases: Case[]): Outcome[] {
  const path = join(workDir, `diff-${idlCount++}.thrift`);
  writeFileSync(path, `${idl}\nservice Diff {\n${structs.map((s) => `  void ${s}(1: ${s} arg)`).join('\n')}\n}\n`);
  const input = cases.map((c) => JSON.stringify({ dir: c.dir, method: c.method, body: Buffer.from(c.body).toString('base64'), options: c.options, optionalBitmap: c.optionalBitmap === true })).join('\n');
  const out = execFileSync(binary, [path], { input, maxBuffer: 256 << 20 }).toString('utf8');
  const lines = out.trim().split('\n');
  expect(lines).toHaveLength(cases.length);
  return lines.map((line) => {
    const o = JSON.parse(line) as { out?: string; error?: string };
    return o.error === undefined ? { out: Buffer.from(o.out!, 'base64') } : { error: o.error };
  });
}

/** Heddle's transcoders of one struct (Binary unless `compact`): the twin, and the native one when the addon is loaded. */
export function heddlePaths(doc: Doc, name: string, compact = false): Array<{ label: string; t: ThriftJsonTranscoder }> {
  const desc = buildDescriptor(doc.struct(name), (key) => doc.structByKey(key));
  const limits = { compact, maxDepth: 64, maxSize: 16 << 20 };
  const paths = [{ label: 'twin', t: new ThriftJsonTranscoder(desc, limits, false) }];
  if (native.loaded) {
    const nat = new ThriftJsonTranscoder(desc, limits, true);
    expect(nat.isNative).toBe(true);
    paths.push({ label: 'native', t: nat });
  }
  return paths;
}

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
