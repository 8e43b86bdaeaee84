// A listening TCP socket that shares its port with others (SO_REUSEPORT), so that each worker
// thread of a heddle server owns one and the kernel spreads new connections over them. Node's
// net.Server can only ask for SO_REUSEPORT from Node 22.12/23.1 on; heddle supports Node 20.
#pragma once

#include <cstdint>

namespace heddle::io {

struct ReusePortListen {
  int fd;         // the listening socket (non-blocking, close-on-exec), or -errno on failure
  uint16_t port;  // the bound port (the one the kernel picked when asked for 0)
};

// Binds `host` (a numeric IPv4 or IPv6 address) and `port` with SO_REUSEADDR and SO_REUSEPORT,
// then listens with `backlog`. The caller owns the descriptor.
ReusePortListen ListenReusePort(const char* host, uint16_t port, int backlog) noexcept;

}  // namespace heddle::io
