// napi glue for ListenReusePort: TypeScript validates the host and port, native returns a status.
#include <napi.h>

#include <string>

#include "core/addon_state.h"
#include "io/reuse_port.h"

namespace heddle {
namespace {

// listenReusePort(host: string, port: number, backlog: number) -> [fd, port], or [-errno, 0].
Napi::Value ListenReusePortJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsNumber() || !info[2].IsNumber()) {
    Napi::TypeError::New(env, "listenReusePort(host: string, port: number, backlog: number)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const std::string host = info[0].As<Napi::String>().Utf8Value();
  const int64_t port = info[1].As<Napi::Number>().Int64Value();
  const int64_t backlog = info[2].As<Napi::Number>().Int64Value();
  if (port < 0 || port > 65535 || backlog < 1 || backlog > 65535) {
    Napi::RangeError::New(env, "listenReusePort: port must be 0-65535 and backlog 1-65535").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const io::ReusePortListen result = io::ListenReusePort(host.c_str(), static_cast<uint16_t>(port), static_cast<int>(backlog));
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, result.fd));
  out.Set(1u, Napi::Number::New(env, result.port));
  return out;
}

}  // namespace

void InitReusePort(Napi::Env env, Napi::Object exports) {
  exports.Set("listenReusePort", Napi::Function::New<ListenReusePortJs>(env, "listenReusePort"));
}

}  // namespace heddle
