#include "shm/unix_socket.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace heddle::shm {
namespace {
bool FillAddress(const std::string& path, sockaddr_un* addr) {
  if (path.empty() || path.size() >= sizeof(addr->sun_path)) return false;
  std::memset(addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  std::memcpy(addr->sun_path, path.data(), path.size());
  return true;
}

int NewSocket() { return socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0); }

Outcome Errno(const char* what) { return Outcome::Fail(Status::kSystemError, what, errno); }

// True when `path` is a socket file nobody accepts on, i.e. left by a process that died.
bool IsStaleSocket(const std::string& path, const sockaddr_un& addr) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) return false;
  const int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe < 0) return false;
  const bool refused = connect(probe, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 && errno == ECONNREFUSED;
  close(probe);
  return refused;
}
}  // namespace

Outcome ListenUnix(const std::string& path, uint32_t mode, int backlog, int* fd) {
  sockaddr_un addr;
  if (!FillAddress(path, &addr)) return Outcome::Fail(Status::kInvalidArgument, "socket path is empty or too long");
  const int f = NewSocket();
  if (f < 0) return Errno("socket");
  if (bind(f, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EADDRINUSE || !IsStaleSocket(path, addr) || unlink(path.c_str()) != 0 ||
        bind(f, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
      const Outcome o = Errno("bind");
      close(f);
      return o;
    }
  }
  // Until listen() nobody can connect, so the mode is in place before the first peer arrives.
  if (chmod(path.c_str(), mode) != 0 || listen(f, backlog) != 0) {
    const Outcome o = Errno("chmod/listen");
    close(f);
    unlink(path.c_str());
    return o;
  }
  *fd = f;
  return Outcome::Ok();
}

Outcome ConnectUnix(const std::string& path, int* fd, bool* in_progress) {
  sockaddr_un addr;
  if (!FillAddress(path, &addr)) return Outcome::Fail(Status::kInvalidArgument, "socket path is empty or too long");
  const int f = NewSocket();
  if (f < 0) return Errno("socket");
  *in_progress = false;
  if (connect(f, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS && errno != EAGAIN) {
      const Outcome o = Errno("connect");
      close(f);
      return o;
    }
    *in_progress = true;
  }
  *fd = f;
  return Outcome::Ok();
}

Outcome FinishConnect(int fd) {
  int error = 0;
  socklen_t len = sizeof error;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0) return Errno("getsockopt SO_ERROR");
  if (error != 0) return Outcome::Fail(Status::kSystemError, "connect", error);
  return Outcome::Ok();
}

Outcome AcceptUnix(int listen_fd, int* fd) {
  const int f = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (f < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED) {
      return Outcome::Fail(Status::kWouldBlock, "accept");
    }
    return Errno("accept");
  }
  *fd = f;
  return Outcome::Ok();
}

Outcome GetPeerCredentials(int fd, PeerCredentials* out) {
  ucred cred;
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return Errno("getsockopt SO_PEERCRED");
  *out = PeerCredentials{cred.uid, cred.gid, cred.pid};
  return Outcome::Ok();
}

Outcome SendFds(int fd, const int* fds, int count) {
  uint8_t dummy = 0;
  iovec iov{&dummy, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
  if (count <= 0 || count > 4) return Outcome::Fail(Status::kInvalidArgument, "descriptor count");
  std::memset(control, 0, sizeof control);
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = CMSG_SPACE(sizeof(int) * count);
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int) * count);
  std::memcpy(CMSG_DATA(c), fds, sizeof(int) * count);
  for (;;) {
    if (sendmsg(fd, &msg, MSG_NOSIGNAL) == 1) return Outcome::Ok();
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return Outcome::Fail(Status::kWouldBlock, "sendmsg SCM_RIGHTS");
    return Errno("sendmsg SCM_RIGHTS");
  }
}

Outcome ReceiveBytes(int fd, uint8_t* buffer, size_t capacity, size_t* received, int* fds, int max_fds, int* fd_count) {
  iovec iov{buffer, capacity};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 8)];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  *fd_count = 0;
  ssize_t n;
  do {
    n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Outcome::Fail(Status::kWouldBlock, "recvmsg");
    if (errno == ECONNRESET) return Outcome::Fail(Status::kConnectionLost, "connection reset by peer", errno);
    return Errno("recvmsg");
  }
  bool overflow = (msg.msg_flags & MSG_CTRUNC) != 0;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int received_fd;
      std::memcpy(&received_fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      if (*fd_count < max_fds) {
        fds[(*fd_count)++] = received_fd;
      } else {
        close(received_fd);
        overflow = true;
      }
    }
  }
  if (overflow) return Outcome::Fail(Status::kPeerViolation, "peer sent more descriptors than expected");
  if (n == 0) return Outcome::Fail(Status::kConnectionLost, "peer closed the control connection");
  *received = static_cast<size_t>(n);
  return Outcome::Ok();
}

Outcome SendBytes(int fd, const uint8_t* data, size_t length, size_t* sent) {
  return SendBytes2(fd, data, length, nullptr, 0, sent);
}

Outcome SendBytes2(int fd, const uint8_t* a, size_t a_length, const uint8_t* b, size_t b_length, size_t* sent) {
  iovec iov[2] = {{const_cast<uint8_t*>(a), a_length}, {const_cast<uint8_t*>(b), b_length}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = b_length == 0 ? 1 : 2;
  ssize_t n;
  do {
    n = sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    *sent = 0;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Outcome::Ok();
    if (errno == EPIPE || errno == ECONNRESET) return Outcome::Fail(Status::kConnectionLost, "peer closed the control connection", errno);
    return Errno("sendmsg");
  }
  *sent = static_cast<size_t>(n);
  return Outcome::Ok();
}

}  // namespace heddle::shm
