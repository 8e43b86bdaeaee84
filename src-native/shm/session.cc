// Session lifecycle and control-socket I/O. The handshake lives in session_handshake.cc, the data
// plane in session_data.cc.
#include "shm/session.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

namespace heddle::shm {
namespace {
std::atomic<int64_t> live_sessions{0};
constexpr size_t kReadChunk = 64 * 1024;
// Reads per wake-up before yielding to the rest of the event loop (the poll is level-triggered,
// so what is left wakes us again).
constexpr int kReadsPerWakeup = 16;
}  // namespace

Session::Session(Role role, int fd, const SessionOptions& options)
    : state_(role == Role::kClient ? State::kConnecting : State::kAwaitFirstMessage),
      fd_(fd),
      options_(options),
      version_(role == Role::kClient ? options.version : kProtocolV2),
      in_(kReadChunk) {
  live_sessions.fetch_add(1, std::memory_order_relaxed);
}

Session::~Session() { Close(); }

int64_t Session::LiveCount() { return live_sessions.load(std::memory_order_relaxed); }

std::unique_ptr<Session> Session::AcceptServer(int fd, const PeerCredentials& peer, const SessionOptions& options) {
  std::unique_ptr<Session> session(new Session(Role::kServer, fd, options));
  session->peer_ = peer;
  return session;
}

Outcome Session::OnWritable() {
  if (state_ == State::kClosed) return Outcome::Fail(Status::kClosed, "session closed");
  if (state_ == State::kConnecting) return OnConnected();
  return Flush();
}

Outcome Session::OnReadable() {
  if (state_ == State::kClosed) return Outcome::Fail(Status::kClosed, "session closed");
  if (state_ == State::kConnecting) return Outcome::Ok();
  return ReadAvailable();
}

Outcome Session::Guard(const Outcome& outcome) const {
  const bool truncated = queue_region_.poisoned() || (buffer_region_ && buffer_region_->poisoned());
  return truncated ? Outcome::Fail(Status::kPeerViolation, "peer truncated the shared memory") : outcome;
}

Outcome Session::ReadAvailable() {
  for (int reads = 0; reads < kReadsPerWakeup && state_ != State::kClosed; ++reads) {
    if (state_ == State::kAwaitFds) {
      const Outcome o = ReceiveFds();
      if (!o.ok()) return o.status == Status::kWouldBlock ? Outcome::Ok() : o;
      continue;
    }
    // Make room: move what is unparsed to the front, then grow to the message being assembled
    // (its length passed ParseControlHeader's limit, so this is bounded).
    if (in_start_ > 0 && (in_end_ == in_.size() || in_start_ == in_end_)) {
      std::memmove(in_.data(), in_.data() + in_start_, in_end_ - in_start_);
      in_end_ -= in_start_;
      in_start_ = 0;
    }
    if (in_end_ == in_.size()) in_.resize(in_.size() * 2);
    size_t received = 0;
    int fds[1];
    int fd_count = 0;
    const size_t room = in_.size() - in_end_;
    Outcome o = ReceiveBytes(fd_, in_.data() + in_end_, room, &received, fds, 0, &fd_count);
    if (o.status == Status::kWouldBlock) return Outcome::Ok();
    if (!o.ok()) return o;
    in_end_ += received;
    // A read that did not fill the room took all the socket had: reading again would only return
    // EAGAIN, one more syscall per wake-up (each call of a single caller costs a wake-up per side).
    // Bytes arriving meanwhile wake the level-triggered poll again.
    const bool socket_emptied = received < room;

    while (in_end_ - in_start_ >= kControlHeaderSize && state_ != State::kClosed) {
      ControlHeader header;
      if (ParseControlHeader(in_.data() + in_start_, options_.max_message_bytes, &header) != Status::kOk) {
        // Checked before a byte of the body is buffered: a Polling or StreamClose that claims
        // megabytes is refused here, as a FallbackData over the limit is.
        return Outcome::At(Status::kBadFrame, "malformed control message header (bad magic, version or type, or a length "
                           "outside what the message type allows)", in_consumed_);
      }
      if (in_end_ - in_start_ < header.length) {
        if (header.length > in_.size()) in_.resize(std::max<size_t>(header.length, in_.size() * 2));
        break;
      }
      const uint8_t* body = in_.data() + in_start_ + kControlHeaderSize;
      const uint64_t message_position = in_consumed_;
      in_start_ += header.length;
      in_consumed_ += header.length;
      o = HandleMessage(header, body);
      if (o.status == Status::kBadFrame && o.position == kNoPosition) o.position = message_position;
      if (!o.ok()) return o;
      if (state_ == State::kAwaitFds && in_start_ != in_end_) {
        return Outcome::Fail(Status::kBadFrame, "peer sent data before AckReadyRecvFD");
      }
    }
    if (in_start_ == in_end_) in_start_ = in_end_ = 0;
    if (socket_emptied && state_ == State::kEstablished) return Outcome::Ok();
  }
  return Outcome::Ok();
}

Outcome Session::HandleMessage(const ControlHeader& header, const uint8_t* body) {
  if (state_ != State::kEstablished) return HandleHandshake(header, body);
  const uint32_t body_length = header.length - kControlHeaderSize;
  switch (header.type) {
    case MessageType::kPolling:
      ++stats_.polling_received;
      return Drain();
    case MessageType::kStreamClose:
      if (body_length != kStreamCloseBodySize) return Outcome::Fail(Status::kBadFrame, "StreamClose body is not 4 bytes");
      PushEvent(kEventStreamClosed, ReadBigEndian32(body), 0, 0, 0, 0);
      return Outcome::Ok();
    case MessageType::kFallbackData:
      return HandleFallback(body, body_length);
    case MessageType::kHotRestart:
    case MessageType::kHotRestartAck:
      // Hot restart is not supported; its notices carry nothing this session acts on.
      return Outcome::Ok();
    default:
      return Outcome::Fail(Status::kBadFrame, "handshake message after the session was established");
  }
}

Outcome Session::Write(const uint8_t* head, size_t head_length, const uint8_t* body, size_t body_length) {
  size_t sent = 0;
  if (out_offset_ == out_.size()) {
    out_.clear();
    out_offset_ = 0;
    if (!fds_pending_) {
      const Outcome o = SendBytes2(fd_, head, head_length, body, body_length, &sent);
      if (!o.ok()) return o;
      if (sent == head_length + body_length) return Outcome::Ok();
    }
  }
  // The socket is full: keep the rest for OnWritable. Copying payload here counts as a copy.
  if (sent < head_length) {
    out_.insert(out_.end(), head + sent, head + head_length);
    sent = 0;
  } else {
    sent -= head_length;
  }
  if (body_length > sent) {
    out_.insert(out_.end(), body + sent, body + body_length);
    stats_.bytes_copied += body_length - sent;
  }
  return Outcome::Ok();
}

Outcome Session::Flush() {
  while (out_offset_ < out_.size()) {
    size_t sent = 0;
    const Outcome o = SendBytes(fd_, out_.data() + out_offset_, out_.size() - out_offset_, &sent);
    if (!o.ok()) return o;
    if (sent == 0) return Outcome::Ok();
    out_offset_ += sent;
  }
  out_.clear();
  out_offset_ = 0;
  if (fds_pending_) {
    const int fds[kMemfdCount] = {buffer_fd_, queue_fd_};
    const Outcome o = SendFds(fd_, fds, kMemfdCount);
    if (o.status == Status::kWouldBlock) return Outcome::Ok();
    if (!o.ok()) return o;
    fds_pending_ = false;
    close(buffer_fd_);
    close(queue_fd_);
    buffer_fd_ = queue_fd_ = -1;
    state_ = State::kAwaitAckShareMemory;
  }
  return Outcome::Ok();
}

Outcome Session::NotifyPeer() {
  // Any Polling we send covers elements deferred sends put on the queue before it.
  notify_pending_ = false;
  if (!send_queue_.MarkWorking()) return Outcome::Ok();
  ++stats_.polling_sent;
  scratch_message_.clear();
  AppendEmptyMessage(&scratch_message_, version_, MessageType::kPolling);
  return WriteMessage(scratch_message_);
}

void Session::Close() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  live_sessions.fetch_sub(1, std::memory_order_relaxed);
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  if (queue_fd_ >= 0) close(queue_fd_);
  if (buffer_fd_ >= 0) close(buffer_fd_);
  queue_fd_ = buffer_fd_ = -1;
  queue_region_.Unmap();
  buffer_region_.reset();
  // A server removes a v2 client's files only once that client is gone: a live shmipc-go client
  // reuses its buffer file for its next session.
  const bool peer_gone = peer_files_ && peer_.pid > 0 && kill(peer_.pid, 0) != 0 && errno == ESRCH;
  if (owns_files_ || peer_gone) {
    unlink(queue_name_.c_str());
    unlink(buffer_name_.c_str());
  }
  owns_files_ = peer_files_ = false;
  for (std::vector<uint32_t>& allocation : allocations_) allocation.clear();
  std::vector<uint8_t>().swap(in_);
  std::vector<uint8_t>().swap(out_);
  in_start_ = in_end_ = out_offset_ = 0;
  fds_pending_ = false;
}

}  // namespace heddle::shm
