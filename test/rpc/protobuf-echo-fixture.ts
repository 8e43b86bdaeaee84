import { readFileSync } from 'node:fs';
import * as protobuf from '../../src-ts/protobuf/index.js';
import { bizStatusError, type RpcContext } from '../../src-ts/rpc/index.js';

/** The echo service shared with the Kitex Protobuf peer program (test/interop/kitex-protobuf-echo). */
export const echoProtoSource = readFileSync(new URL('../interop/kitex-protobuf-echo/echo.proto', import.meta.url), 'utf8');
export const echoRoot = protobuf.parse(echoProtoSource, { filename: 'echo.proto' });

export interface EchoMessage {
  action: string;
  msg: string;
  id: bigint;
  tags: string[];
}

/** Handlers behaving like the Kitex peer's: echo, biz, fail, sleep, meta. */
export const echoProtoHandlers = {
  Echo: async (req: EchoMessage, ctx: RpcContext): Promise<EchoMessage> => {
    switch (req.action) {
      case 'biz':
        throw bizStatusError(1001, req.msg, { reason: 'quota' });
      case 'fail':
        throw new Error(`handler failed: ${req.msg}`);
      case 'sleep':
        await new Promise((resolve) => setTimeout(resolve, Number(req.msg)));
        break;
      case 'meta': {
        ctx.responseMetainfo.setBackward('served-by', 'heddle');
        const seen = { transient: Object.fromEntries(ctx.metainfo.transient()), persistent: Object.fromEntries(ctx.metainfo.persistent()) };
        return { ...req, msg: JSON.stringify(seen) };
      }
    }
    return req;
  },
};
