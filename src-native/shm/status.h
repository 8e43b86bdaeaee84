// Status codes of the pure shared-memory core. Negative codes are failures and, all but
// kOutputLimit, end the session; the napi glue passes
// them to TypeScript, which maps them to HeddleError codes (src-ts/shm/status.ts mirrors them).
#pragma once

#include <cstdint>

namespace heddle::shm {

enum class Status : int32_t {
  kOk = 0,
  kPoolExhausted = 1,     // no free slice large enough: the caller sends FallbackData instead
  kQueueFull = 2,         // the peer has not consumed: the caller sends through the socket instead
  kQueueEmpty = 3,        // nothing to pop
  kWouldBlock = 4,        // the socket cannot take or give more bytes now
  kPeerViolation = -1,    // the peer broke the shared-memory contract (ERR_SHM_PEER)
  kBadFrame = -2,         // a malformed control message (ERR_BAD_FRAME)
  kConnectionLost = -3,   // the control socket closed or failed (ERR_CONNECTION)
  kSystemError = -4,      // a system call failed; errno is kept beside the status
  kInvalidArgument = -5,  // the local caller passed something impossible
  kPeerRejected = -6,     // the peer's uid is not in the allowlist, or it refused our version
  kClosed = -7,           // the session is already closed
  kOutputLimit = -8,      // the peer is not reading the control socket: this chunk was not sent,
                          // the session lives on (ERR_SIZE_LIMIT)
};

constexpr bool IsFatal(Status s) { return static_cast<int32_t>(s) < 0 && s != Status::kOutputLimit; }

// A status with what failed: `detail` is static text naming the step ("mmap buffer"), `sys_errno`
// the errno of a failed system call, `position` where in the peer's control stream a malformed
// message starts (kNoPosition when the failure is not about one).
inline constexpr uint64_t kNoPosition = ~uint64_t{0};
struct Outcome {
  Status status = Status::kOk;
  int sys_errno = 0;
  const char* detail = "";
  uint64_t position = kNoPosition;

  bool ok() const { return status == Status::kOk; }
  bool fatal() const { return IsFatal(status); }
  static Outcome Ok() { return {}; }
  static Outcome Fail(Status status, const char* detail, int sys_errno = 0) { return {status, sys_errno, detail, kNoPosition}; }
  static Outcome At(Status status, const char* detail, uint64_t position) { return {status, 0, detail, position}; }
};

}  // namespace heddle::shm
