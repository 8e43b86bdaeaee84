/**
 * The arguments of a `callRaw` call on their way through middleware and governance: `raw` holds
 * the encoded argument struct (Thrift) or request message (Protobuf). Connection clients send the
 * bytes as they are; inline calls (a server of this process) decode them for the handler and
 * encode its result back to bytes.
 */
export class RawArgs {
  constructor(readonly raw: Uint8Array) {}
}
