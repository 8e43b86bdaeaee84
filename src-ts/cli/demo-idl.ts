import { ThriftException } from '../thrift/index.js';
/** The IDL `heddle demo` runs on: kitex-benchmark's echo service plus an e-commerce order. */
export const demoIdl = `namespace go heddle.demo

/** The echo request, as in kitex-benchmark. */
struct Request {
  1: string action
  2: string msg
}

struct Response {
  1: string action
  2: string msg
}

exception EchoError {
  1: i32 code
  2: string message
}

struct OrderItem {
  1: i64 sku_id
  2: string title
  3: i32 quantity
  4: i64 price_cents
  5: list<string> tags
}

struct Order {
  1: i64 order_id
  2: string platform
  3: string buyer_id
  4: list<OrderItem> items
  5: map<string, string> extra
  6: double total
  7: i64 created_at
  8: bool paid = false
}

service EchoService {
  Response echo(1: Request req) throws (1: EchoError err)
}
`;

/** The same echo as a Protobuf service, which `heddle demo` calls over Kitex Protobuf. */
export const demoProto = `syntax = "proto3";
package heddle.demo;

message EchoRequest {
  string action = 1;
  string msg = 2;
}

message EchoResponse {
  string action = 1;
  string msg = 2;
}

service Echo {
  rpc Echo(EchoRequest) returns (EchoResponse);
}
`;

/** The demo's Thrift echo handler: echoes, or throws the declared EchoError for action "fail". */
export async function thriftEcho({ req }: { req: { action: string; msg: string } }): Promise<{ action: string; msg: string }> {
  if (req.action === 'fail') throw new ThriftException('EchoError', { code: 7, message: req.msg });
  return { action: req.action, msg: req.msg };
}
