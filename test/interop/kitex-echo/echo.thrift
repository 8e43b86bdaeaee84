// The service heddle's RPC interop tests and benchmark share with a real Kitex peer.
namespace go echo

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

service BaseService {
  string ping()
}

service EchoService extends BaseService {
  Response echo(1: Request req) throws (1: EchoError err)
}
