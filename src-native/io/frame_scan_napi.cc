// napi glue for the frame scanner on its own, outside a socket: scanFrame lets tests hold the
// native scan to its TypeScript twins on the same bytes (test/transport/thrift-compact-
// differential.test.ts). NativeSocket calls the scanner directly and does not come through here.
#include <napi.h>

#include <cstdint>

#include "core/addon_state.h"
#include "io/frame_scan.h"

namespace heddle {
namespace {

// scanFrame(bytes: Uint8Array, framing: 0 | 1 | 2 | 3, maxFrame) -> [status, length, need,
// errorOffset]. Framing 2 sniffs the first 4 bytes the way a server connection does, then scans.
Napi::Value ScanFrameForTest(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsTypedArray() || !info[1].IsNumber() || !info[2].IsNumber() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    Napi::TypeError::New(env, "scanFrame(bytes: Uint8Array, framing: number, maxFrame: number)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  const int32_t code = info[1].As<Napi::Number>().Int32Value();
  const int64_t max_frame = info[2].As<Napi::Number>().Int64Value();
  if ((code < 0 || code > 3) || max_frame < 0) {
    Napi::RangeError::New(env, "scanFrame: framing must be 0-3 and maxFrame non-negative").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const uint8_t* data = bytes.Data();
  const size_t size = bytes.ByteLength();
  io::ScanResult result{io::ScanStatus::kNeedMore, 0, 4, 0};
  if (code != io::kSniffFramingCode || size >= 4) {
    const io::Framing framing = code == io::kSniffFramingCode ? io::SniffFraming(data) : static_cast<io::Framing>(code);
    result = io::ScanFrame(framing, data, size, static_cast<size_t>(max_frame));
  }
  Napi::Array out = Napi::Array::New(env, 4);
  out.Set(0u, Napi::Number::New(env, static_cast<double>(result.status)));
  out.Set(1u, Napi::Number::New(env, static_cast<double>(result.frame_length)));
  out.Set(2u, Napi::Number::New(env, static_cast<double>(result.need)));
  out.Set(3u, Napi::Number::New(env, static_cast<double>(result.error_offset)));
  return out;
}

}  // namespace

void InitFrameScan(Napi::Env env, Napi::Object exports) {
  exports.Set("scanFrame", Napi::Function::New<ScanFrameForTest>(env, "scanFrame"));
}

}  // namespace heddle
