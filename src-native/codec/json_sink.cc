// The JSON transcoders' error codes and output buffer (json_sink.h).
#include "codec/json_sink.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace heddle::codec::json {

const char* ErrorCodeName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kTruncated: return "ERR_TRUNCATED";
    case ErrorKind::kBadType: return "ERR_BAD_TYPE";
    case ErrorKind::kDepthLimit: return "ERR_DEPTH_LIMIT";
    case ErrorKind::kSizeLimit: return "ERR_SIZE_LIMIT";
    case ErrorKind::kRequiredField: return "ERR_REQUIRED_FIELD";
    default: return "ERR_BAD_VALUE";
  }
}

// ---- Sink ----

Sink::~Sink() { std::free(buf); }

bool Sink::TryGrow(size_t n) noexcept {
  if (n > SIZE_MAX / 4 - pos) return false;
  size_t size = cap == 0 ? 64 * 1024 : cap * 2;
  while (size < pos + n) size *= 2;
  void* next = std::realloc(buf, size);
  if (next == nullptr) return false;
  buf = static_cast<uint8_t*>(next);
  cap = size;
  return true;
}

void Sink::Trim() {
  pos = 0;
  if (cap > 1024 * 1024) {
    std::free(buf);
    buf = nullptr;
    cap = 0;
  }
}

}  // namespace heddle::codec::json
