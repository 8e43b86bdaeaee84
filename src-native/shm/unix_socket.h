// Non-blocking Unix-domain stream sockets for the control connection: listening with a chosen file
// mode, connecting, peer credentials (SO_PEERCRED), and passing file descriptors (SCM_RIGHTS).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "shm/status.h"

namespace heddle::shm {

struct PeerCredentials {
  uint32_t uid;
  uint32_t gid;
  int32_t pid;
};

// Binds and listens at `path`, whose file gets `mode` before the socket accepts anything. A stale
// socket file nobody listens on is replaced; anything else at `path` is an error (EADDRINUSE).
Outcome ListenUnix(const std::string& path, uint32_t mode, int backlog, int* fd);
// Starts connecting; `*in_progress` means: wait for writability, then call FinishConnect.
Outcome ConnectUnix(const std::string& path, int* fd, bool* in_progress);
Outcome FinishConnect(int fd);
// Accepts one connection; kWouldBlock when none is pending.
Outcome AcceptUnix(int listen_fd, int* fd);
Outcome GetPeerCredentials(int fd, PeerCredentials* out);

// Sends `count` descriptors with one 0x00 data byte, as shmipc-go's sendFd does.
Outcome SendFds(int fd, const int* fds, int count);
// Reads up to `capacity` bytes. Descriptors that arrive are stored in `fds` (up to `max_fds`; any
// beyond are closed and reported as kPeerViolation). kConnectionLost on end of stream.
Outcome ReceiveBytes(int fd, uint8_t* buffer, size_t capacity, size_t* received, int* fds, int max_fds, int* fd_count);
// Writes as much as the socket takes now.
Outcome SendBytes(int fd, const uint8_t* data, size_t length, size_t* sent);
// Gathers two buffers in one system call.
Outcome SendBytes2(int fd, const uint8_t* a, size_t a_length, const uint8_t* b, size_t b_length, size_t* sent);

}  // namespace heddle::shm
