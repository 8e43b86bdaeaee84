// What the JSON transcoders (thrift_json*, proto_json*) report and write into: the error (a code
// named as in src-ts/errors.ts, a message, the JSON byte offset, the field path), the growable
// output buffer reused across calls, and the outcome of one conversion. Pure C++ (no napi.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace heddle::codec::json {

// Error codes, named as ErrorCode in src-ts/errors.ts.
enum class ErrorKind : int32_t {
  kTruncated = 0,
  kBadValue = 1,
  kBadType = 2,
  kDepthLimit = 3,
  kSizeLimit = 4,
  kRequiredField = 5,
};

const char* ErrorCodeName(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::kBadValue;
  std::string message;
  // -1: the error names no offset.
  int64_t offset = -1;
  std::string path;
};

// A growable output buffer, reused across calls.
class Sink {
 public:
  Sink() = default;
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;
  ~Sink();
  // Makes room for n more bytes; false, with the buffer unchanged, when memory runs out. Every
  // converter makes its room through this and reports a failure as ERR_SIZE_LIMIT: a sink that
  // aborted the process on a failed allocation would let one hostile message stop a server.
  [[nodiscard]] bool TryEnsure(size_t n) noexcept { return pos + n <= cap || TryGrow(n); }
  // Unchecked writes into room a TryEnsure made.
  void Put(uint8_t b) noexcept { buf[pos++] = b; }
  void Put(const void* src, size_t n) noexcept {
    if (n != 0) std::memcpy(buf + pos, src, n);
    pos += n;
  }
  // Drops a large buffer after use, as the TS sink does, so one huge message does not pin memory.
  void Trim();

  uint8_t* buf = nullptr;
  size_t pos = 0;
  size_t cap = 0;

 private:
  bool TryGrow(size_t n) noexcept;
};

enum class Outcome { kOk, kError, kDefer };

}  // namespace heddle::codec::json
