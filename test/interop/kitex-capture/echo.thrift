// The service the capture program runs. echo_thrift.go implements these types by hand (no kitex
// code generation step), with the same wire encoding kitex-generated code produces.
namespace go echo

struct EchoRequest {
  1: string message
  2: i64 id
}

struct EchoResponse {
  1: string message
  2: i64 id
}

exception EchoError {
  1: i32 code
  2: string message
}

service EchoService {
  EchoResponse echo(1: EchoRequest req) throws (1: EchoError err)
}
