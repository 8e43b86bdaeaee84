// The result every decoding kernel returns: a status and the byte position it refers to. Pure C++.
#pragma once

#include <cstddef>
#include <cstdint>

namespace heddle::codec {

// Mirrored by KernelStatus in src-ts/kernels/native-kernels.ts.
enum class KernelStatus : uint32_t {
  kOk = 0,
  kTruncated = 1,  // the input ended inside a value → ERR_TRUNCATED
  kTooLong = 2,    // a varint did not end within 10 bytes → ERR_BAD_VALUE
  kInvalid = 3,    // invalid UTF-8 → ERR_BAD_VALUE
  kNoRoom = 4,     // an encoder's output buffer is too small → the caller's bug, ERR_INVALID_ARGUMENT
};

struct KernelResult {
  KernelStatus status;
  // kOk: the offset after the last byte read; otherwise the offset where the failing value starts.
  size_t position;
};

}  // namespace heddle::codec
