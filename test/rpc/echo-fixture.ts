import { readFileSync } from 'node:fs';
import * as thrift from '../../src-ts/thrift/index.js';

/** The echo IDL shared with the Kitex peer program (test/interop/kitex-echo). */
export const echoIdlSource = readFileSync(new URL('../interop/kitex-echo/echo.thrift', import.meta.url), 'utf8');
export const echoDoc = thrift.parse(echoIdlSource, { filename: 'echo.thrift' });

/** Handlers behaving like the Kitex peer's: echo, throw, sleep, meta. */
export const echoHandlers = {
  ping: async () => 'pong',
  echo: async ({ req }: { req: { action: string; msg: string } }, ctx: import('../../src-ts/rpc/index.js').RpcContext) => {
    switch (req.action) {
      case 'throw':
        throw new thrift.Exception('EchoError', { code: 7, message: req.msg });
      case 'sleep':
        await new Promise((resolve) => setTimeout(resolve, Number(req.msg)));
        break;
      case 'crash':
        throw new Error(`handler crashed: ${req.msg}`);
      case 'meta': {
        ctx.responseMetainfo.setBackward('served-by', 'heddle');
        const seen = { transient: Object.fromEntries(ctx.metainfo.transient()), persistent: Object.fromEntries(ctx.metainfo.persistent()) };
        return { action: req.action, msg: JSON.stringify(seen) };
      }
    }
    return { action: req.action, msg: req.msg };
  },
};
