// The EchoService of kitex-echo/echo.thrift, so heddle clients and servers built from that IDL
// speak to this program unchanged.
namespace go echo

struct Request {
  1: string action
  2: string msg
}

struct Response {
  1: string action
  2: string msg
}

service EchoService {
  Response echo(1: Request req)
}
