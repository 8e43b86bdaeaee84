import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildGoProgram } from '../../../scripts/go-programs.mjs';
import * as compat from '../../../src-ts/adapters/thrift-compat/index.js';
import { startGoServer } from '../../rpc/go-peer.js';
import { itWithPeers } from '../../helpers/peers.js';
import { runProgram, startServerProgram, type ProgramEnv } from './run-programs.js';

// The tutorial-shaped Calculator server on heddle/thrift-compat (the same program the thrift
// package comparisons run) called by a real Go Kitex client over TTHeader and Framed, and by the
// compat client over TTHeader.

const run = promisify(execFile);
const heddleEnv = (variant: string, transport: string): ProgramEnv => ({ THRIFT_LIB: 'heddle', GEN_DIR: '', TRANSPORT: transport, PROTOCOL: 'binary', VARIANT: variant });

describe.each(['promise', 'callback'])('Calculator on heddle/thrift-compat, %s handlers', (variant) => {
  itWithPeers(['go'], 'a Go Kitex client gets the tutorial answers over TTHeader and Framed', async () => {
    const binary = buildGoProgram('kitex-thrift-compat', { kitexIdl: 'calculator.thrift' });
    const server = await startServerProgram('calculator-server.js', heddleEnv(variant, 'buffered'));
    const outputs: string[] = [];
    try {
      for (const transport of ['ttheader', 'framed']) {
        outputs.push((await run(binary, ['client', '-addr', `127.0.0.1:${server.port}`, '-transport', transport], { timeout: 20_000 })).stdout);
      }
    } finally {
      const log = await server.stop('zip()', 2);
      expect(log.split('calculate(1, {"num1":15,"num2":10,"op":2,"comment":"fifteen minus ten"})').length - 1).toBe(2);
    }
    const expected = 'ping()\n1+1=2\nInvalidOperation whatOp=4 why=Cannot divide by 0\n15-10=5\nCheck log: 1 5\nzip sent\n';
    expect(outputs).toEqual([expected, expected]);
  }, 300_000);

  it('the compat client over TTHeader prints what it prints over Buffered', async () => {
    const server = await startServerProgram('calculator-server.js', heddleEnv(variant, 'buffered'));
    let ttheader: string;
    let buffered: string;
    try {
      ttheader = await runProgram('calculator-client.js', { ...heddleEnv(variant, 'ttheader'), PORT: String(server.port) });
      buffered = await runProgram('calculator-client.js', { ...heddleEnv(variant, 'buffered'), PORT: String(server.port) });
    } finally {
      await server.stop('zip()', 2);
    }
    expect(ttheader).toContain('Check log: 5 {"key":1,"value":"5"}\n');
    expect(ttheader).toBe(buffered);
  }, 60_000);
});

describe('compat client -> Go Kitex server', () => {
  itWithPeers(['go'], 'calls the kitex-echo server over TTHeader and Framed: results, inherited methods, declared exceptions', async () => {
    const server = await startGoServer(buildGoProgram('kitex-echo', { kitexIdl: 'echo.thrift' }));
    const echo = compat.load(`${__dirname}/../../interop/kitex-echo/echo.thrift`);
    try {
      for (const transport of ['ttheader', 'framed'] as const) {
        const connection = compat.createConnection('127.0.0.1', Number(server.address.split(':').pop()), { transport: transport === 'framed' ? compat.TFramedTransport : 'ttheader', timeout: 5000 });
        const client = compat.createClient(echo.EchoService, connection);
        try {
          expect(await client.echo(new echo.types.Request({ action: 'echo', msg: `over ${transport}` }))).toEqual({ action: 'echo', msg: `over ${transport}` });
          expect(await client.ping()).toBe('pong');
          const thrown = await client.echo({ action: 'throw', msg: 'declared' }).catch((e: unknown) => e);
          expect(thrown).toBeInstanceOf(echo.types.EchoError);
          expect(thrown).toMatchObject({ name: 'EchoError', code: 7, message: 'declared' });
        } finally {
          connection.end();
        }
      }
    } finally {
      await server.stop();
    }
  }, 300_000);
});
