import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode, HeddleError } from '../src-ts/errors.js';

describe('HeddleError', () => {
  it('carries a stable code and names where the error happened', () => {
    const err = new HeddleError(ErrorCode.ERR_TRUNCATED, 'string field ends past the input', { path: 'Order.items[3].title', offset: 117 });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('HeddleError');
    expect(err.code).toBe('ERR_TRUNCATED');
    expect(err.path).toBe('Order.items[3].title');
    expect(err.offset).toBe(117);
    expect(err.message).toBe('string field ends past the input (at Order.items[3].title, at byte 117)');
  });

  it('formats IDL locations as file:line:column and keeps the cause', () => {
    const cause = new RangeError('inner');
    const err = new HeddleError(ErrorCode.ERR_IDL_SYNTAX, "expected '}'", { file: 'a.thrift', line: 3, column: 9, cause });
    expect(err.message).toBe("expected '}' (a.thrift:3:9)");
    expect(err.cause).toBe(cause);
    expect([err.file, err.line, err.column]).toEqual(['a.thrift', 3, 9]);
    expect(new HeddleError(ErrorCode.ERR_TIMEOUT, 'call timed out').message).toBe('call timed out');
  });

  it('documents every code where it is defined: when it happens and what to do', () => {
    const source = readFileSync(new URL('../src-ts/errors.ts', import.meta.url), 'utf8');
    for (const code of Object.keys(ErrorCode)) {
      expect(ErrorCode[code as keyof typeof ErrorCode]).toBe(code);
      const definition = new RegExp(`/\\*\\*[^]*?\\*/\\s*${code}: '${code}'`);
      expect(source, `${code} has a doc comment`).toMatch(definition);
    }
  });
});
