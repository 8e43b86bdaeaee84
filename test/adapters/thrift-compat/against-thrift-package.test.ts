import { beforeAll, describe, expect, it } from 'vitest';
import { describeWithPeers } from '../../helpers/peers.js';
import { generateNodeCode, runProgram, startServerProgram, type ProgramEnv } from './run-programs.js';

// The tutorial-shaped Calculator programs and the ThriftTest-shaped programs, run with the real
// `thrift` package and `thrift --gen js:node,es6` code, and with only their requires switched to
// heddle/thrift-compat: all four pairings of client and server print the same, line for line.

const programs = [
  // program, server variant, client variant, the line a oneway call prints on the server, generated
  // code (promise forms from js:node,es6, callback forms from js:node: see generateNodeCode)
  ['calculator', 'promise', 'promise', 'zip()', 'es6'],
  ['calculator', 'callback', 'callback', 'zip()', 'classic'],
  ['thrifttest', 'sync', 'promise', 'testOneway(1)', 'es6'],
  ['thrifttest', 'async', 'callback', 'testOneway(1)', 'classic'],
] as const;
const stacks = (['buffered', 'framed'] as const).flatMap((transport) => (['binary', 'compact'] as const).map((protocol) => [transport, protocol] as const));
const cases = programs.flatMap((p) => stacks.map((s) => [...p, ...s] as const));

describeWithPeers(['thrift'], 'heddle/thrift-compat against the thrift package', () => {
  let generated: { es6: string; classic: string };
  beforeAll(() => {
    generated = generateNodeCode();
  }, 60_000);

  describe.each(cases)('%s, %s server, %s client, oneway %s, %s code, %s, %s', (program, serverVariant, clientVariant, oneway, code, transport, protocol) => {
    it('prints the same in all four pairings of thrift package and heddle', async () => {
      const env = (lib: 'thrift' | 'heddle', variant: string): ProgramEnv => ({ THRIFT_LIB: lib, GEN_DIR: generated[code], TRANSPORT: transport, PROTOCOL: protocol, VARIANT: variant });
      const clients: Record<string, string> = {};
      const servers: Record<string, string> = {};
      for (const serverLib of ['thrift', 'heddle'] as const) {
        const server = await startServerProgram(`${program}-server.js`, env(serverLib, serverVariant));
        try {
          for (const clientLib of ['thrift', 'heddle'] as const) {
            clients[`${clientLib} client, ${serverLib} server`] = await runProgram(`${program}-client.js`, { ...env(clientLib, clientVariant), PORT: String(server.port) });
          }
        } finally {
          servers[serverLib] = (await server.stop(oneway, 2)).replace(/^listening \d+\n/, '');
        }
      }
      const baseline = clients['thrift client, thrift server']!;
      // The baseline itself is what the programs are meant to print.
      if (program === 'calculator') {
        expect(baseline).toContain('1+1=2\n');
        expect(baseline).toContain('InvalidOperation InvalidOperation: whatOp=4 why=Cannot divide by 0 instanceof=true isError=true\n');
        expect(baseline).toContain('Check log: 5 {"key":1,"value":"5"}\n');
      } else {
        expect(baseline).toContain('testI64 -> "i64:7fffffffffffffff"\n');
        expect(baseline).toContain('testException threw Xception errorCode=1001 message=Xception isError=true name=Xception\n');
        expect(baseline).toContain('testException threw TApplicationException name=TApplicationException\n');
        expect(baseline).toContain('testMultiException threw Xception2 errorCode=2002');
      }
      expect(clients).toEqual({
        'thrift client, thrift server': baseline,
        'heddle client, thrift server': baseline,
        'thrift client, heddle server': baseline,
        'heddle client, heddle server': baseline,
      });
      expect(servers.heddle).toBe(servers.thrift);
      expect(servers.thrift!.split(oneway).length - 1).toBe(2);
    }, 90_000);
  });
});
