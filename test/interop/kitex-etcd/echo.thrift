// The part of kitex-echo's echo.thrift the discovery interop uses: the same EchoService.echo
// method, so heddle's client and server (built from kitex-echo/echo.thrift) speak to it unchanged.
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
