// The shmipc handshake. Client v2: send ShareMemoryByFilePath, done (no acknowledgement).
// Client v3: ExchangeProtoVersion both ways, ShareMemoryByMemfd, wait AckReadyRecvFD, send
// [buffer fd, queue fd] with SCM_RIGHTS, wait AckShareMemory. The server answers whichever the
// client starts, as shmipc-go's server does (v3 may also share by file path, then acknowledged).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <random>
#include <string>

#include "shm/session.h"

namespace heddle::shm {
namespace {
std::atomic<uint32_t> next_serial{1};

std::string SessionNameStem(const std::string& prefix) {
  static const uint32_t process_salt = std::random_device{}();
  const uint32_t serial = next_serial.fetch_add(1, std::memory_order_relaxed);
  char tail[64];
  snprintf(tail, sizeof tail, "_%d_%u-%08x", static_cast<int>(getpid()), serial, process_salt);
  return prefix + tail;
}

const std::vector<SliceShare>& DefaultSlices() {
  static const std::vector<SliceShare> defaults = {{kDefaultSliceCapacities[0], kDefaultSlicePercents[0]},
                                                   {kDefaultSliceCapacities[1], kDefaultSlicePercents[1]},
                                                   {kDefaultSliceCapacities[2], kDefaultSlicePercents[2]}};
  return defaults;
}
}  // namespace

bool UidAllowed(const SessionOptions& options, uint32_t uid) {
  if (options.allowed_uids.empty()) return uid == geteuid();
  return std::find(options.allowed_uids.begin(), options.allowed_uids.end(), uid) != options.allowed_uids.end();
}

Outcome Session::StartClient(const std::string& socket_path, const SessionOptions& options,
                             std::unique_ptr<Session>* out) {
  if (options.version != kProtocolV2 && options.version != kProtocolV3) {
    return Outcome::Fail(Status::kInvalidArgument, "protocol version must be 2 or 3");
  }
  int fd = -1;
  bool in_progress = false;
  Outcome o = ConnectUnix(socket_path, &fd, &in_progress);
  if (!o.ok()) return o;
  std::unique_ptr<Session> session(new Session(Role::kClient, fd, options));
  o = session->CreateClientMemory();
  if (!o.ok()) return o;
  if (!in_progress) {
    o = session->OnConnected();
    if (!o.ok()) return o;
  }
  *out = std::move(session);
  return Outcome::Ok();
}

Outcome Session::CreateClientMemory() {
  const std::string stem = SessionNameStem(options_.name_prefix);
  queue_name_ = stem + "_queue";
  buffer_name_ = stem + "_buffer";
  const uint64_t queue_bytes = IoQueue::RegionSize(options_.queue_capacity) * kQueueCount;
  Outcome o;
  if (options_.version == kProtocolV3) {
    o = CreateMemfd(queue_name_, queue_bytes, &queue_fd_);
    if (o.ok()) o = CreateMemfd(buffer_name_, options_.buffer_size, &buffer_fd_);
  } else {
    o = CreateShmFile(queue_name_, queue_bytes, options_.file_mode, &queue_fd_);
    if (o.ok()) o = CreateShmFile(buffer_name_, options_.buffer_size, options_.file_mode, &buffer_fd_);
    if (!o.ok() && queue_fd_ >= 0) unlink(queue_name_.c_str());
    owns_files_ = o.ok();
  }
  if (!o.ok()) return o;
  o = queue_region_.Map(queue_fd_, queue_bytes);
  if (!o.ok()) return o;
  buffer_region_ = std::make_shared<MappedRegion>();
  o = buffer_region_->Map(buffer_fd_, options_.buffer_size);
  if (!o.ok()) return o;
  const std::vector<SliceShare>& slices = options_.slices.empty() ? DefaultSlices() : options_.slices;
  if (BufferManager::Format(buffer_region_->data(), buffer_region_->size(), slices.data(), slices.size(), &buffers_) !=
      Status::kOk) {
    return Outcome::Fail(Status::kInvalidArgument, "slice sizes do not fit the buffer");
  }
  const uint64_t half = queue_bytes / kQueueCount;
  if (IoQueue::Format(queue_region_.data(), half, options_.queue_capacity, &send_queue_) != Status::kOk ||
      IoQueue::Format(queue_region_.data() + half, half, options_.queue_capacity, &recv_queue_) != Status::kOk) {
    return Outcome::Fail(Status::kInvalidArgument, "queue capacity out of range");
  }
  if (options_.version == kProtocolV2) {
    // Mapped and named: the descriptors are no longer needed.
    close(queue_fd_);
    close(buffer_fd_);
    queue_fd_ = buffer_fd_ = -1;
  }
  held_slices_.assign(buffers_.total_slices(), false);
  lent_slices_.assign(buffers_.total_slices(), false);
  return Outcome::Ok();
}

Outcome Session::OnConnected() {
  Outcome o = FinishConnect(fd_);
  if (!o.ok()) return o;
  o = GetPeerCredentials(fd_, &peer_);
  if (!o.ok()) return o;
  if (!UidAllowed(options_, peer_.uid)) return Outcome::Fail(Status::kPeerRejected, "server uid is not in the allowlist");
  scratch_message_.clear();
  if (version_ == kProtocolV3) {
    state_ = State::kAwaitVersion;
    AppendEmptyMessage(&scratch_message_, kProtocolV3, MessageType::kExchangeProtoVersion);
    return WriteMessage(scratch_message_);
  }
  AppendShareMemory(&scratch_message_, kProtocolV2, MessageType::kShareMemoryByFilePath, queue_name_, buffer_name_);
  o = WriteMessage(scratch_message_);
  if (!o.ok()) return o;
  Establish();
  return Outcome::Ok();
}

Outcome Session::HandleHandshake(const ControlHeader& header, const uint8_t* body) {
  const uint32_t body_length = header.length - kControlHeaderSize;
  const MessageType type = header.type;
  scratch_message_.clear();
  switch (state_) {
    case State::kAwaitFirstMessage:
      if (type == MessageType::kExchangeProtoVersion && header.version >= kProtocolV3) {
        version_ = kProtocolV3;
        state_ = State::kAwaitShareMemory;
        AppendEmptyMessage(&scratch_message_, kProtocolV3, MessageType::kExchangeProtoVersion);
        return WriteMessage(scratch_message_);
      }
      if (type == MessageType::kShareMemoryByFilePath && header.version == kProtocolV2) {
        version_ = kProtocolV2;
        const Outcome o = MapPeerFiles(body, body_length);
        if (o.ok()) Establish();
        return o;
      }
      return Outcome::Fail(Status::kPeerRejected, "unsupported shmipc version or first message");
    case State::kAwaitShareMemory:
      if (type == MessageType::kShareMemoryByFilePath) {
        const Outcome o = MapPeerFiles(body, body_length);
        if (!o.ok()) return o;
        AppendEmptyMessage(&scratch_message_, version_, MessageType::kAckShareMemory);
        Establish();
        return WriteMessage(scratch_message_);
      }
      if (type == MessageType::kShareMemoryByMemfd) {
        if (ParseShareMemoryBody(body, body_length, &queue_name_, &buffer_name_) != Status::kOk) {
          return Outcome::Fail(Status::kBadFrame, "malformed ShareMemoryByMemfd");
        }
        state_ = State::kAwaitFds;
        AppendEmptyMessage(&scratch_message_, version_, MessageType::kAckReadyRecvFd);
        return WriteMessage(scratch_message_);
      }
      return Outcome::Fail(Status::kBadFrame, "expected ShareMemoryByFilePath or ShareMemoryByMemfd");
    case State::kAwaitVersion: {
      if (type != MessageType::kExchangeProtoVersion) return Outcome::Fail(Status::kBadFrame, "expected ExchangeProtoVersion");
      // Memfds need version 3 on both sides.
      if (header.version < kProtocolV3) {
        return Outcome::Fail(Status::kPeerRejected, "server does not speak shmipc version 3");
      }
      state_ = State::kAwaitReadyRecvFd;
      AppendShareMemory(&scratch_message_, kProtocolV3, MessageType::kShareMemoryByMemfd, queue_name_, buffer_name_);
      return WriteMessage(scratch_message_);
    }
    case State::kAwaitReadyRecvFd:
      if (type != MessageType::kAckReadyRecvFd) return Outcome::Fail(Status::kBadFrame, "expected AckReadyRecvFD");
      fds_pending_ = true;
      return Flush();
    case State::kAwaitAckShareMemory:
      if (type != MessageType::kAckShareMemory) return Outcome::Fail(Status::kBadFrame, "expected AckShareMemory");
      Establish();
      return Outcome::Ok();
    default:
      return Outcome::Fail(Status::kBadFrame, "unexpected control message during the handshake");
  }
}

Outcome Session::ReceiveFds() {
  uint8_t dummy;
  size_t received = 0;
  int fds[kMemfdCount] = {-1, -1};
  int count = 0;
  Outcome o = ReceiveBytes(fd_, &dummy, 1, &received, fds, kMemfdCount, &count);
  if (!o.ok()) return o;
  if (count != static_cast<int>(kMemfdCount)) {
    for (int i = 0; i < count; ++i) close(fds[i]);
    return Outcome::Fail(Status::kPeerViolation, "expected two memfds with SCM_RIGHTS");
  }
  o = MapPeerMemory(fds[1], fds[0]);
  close(fds[0]);
  close(fds[1]);
  if (!o.ok()) return o;
  scratch_message_.clear();
  AppendEmptyMessage(&scratch_message_, version_, MessageType::kAckShareMemory);
  Establish();
  return WriteMessage(scratch_message_);
}

Outcome Session::MapPeerFiles(const uint8_t* body, uint32_t length) {
  if (ParseShareMemoryBody(body, length, &queue_name_, &buffer_name_) != Status::kOk) {
    return Outcome::Fail(Status::kBadFrame, "malformed ShareMemoryByFilePath");
  }
  int queue_fd = -1;
  int buffer_fd = -1;
  uint64_t size = 0;
  Outcome o = OpenPeerFile(queue_name_, peer_.uid, options_.max_peer_memory, &queue_fd, &size);
  if (!o.ok()) return o;
  o = OpenPeerFile(buffer_name_, peer_.uid, options_.max_peer_memory, &buffer_fd, &size);
  if (!o.ok()) {
    close(queue_fd);
    return o;
  }
  peer_files_ = true;
  o = MapPeerMemory(queue_fd, buffer_fd);
  close(queue_fd);
  close(buffer_fd);
  return o;
}

Outcome Session::MapPeerMemory(int queue_fd, int buffer_fd) {
  uint64_t queue_bytes = 0;
  uint64_t buffer_bytes = 0;
  Outcome o = PeerMemfdSize(queue_fd, options_.max_peer_memory, &queue_bytes);
  if (o.ok()) o = PeerMemfdSize(buffer_fd, options_.max_peer_memory, &buffer_bytes);
  if (!o.ok()) return o;
  // Sizes from fstat, before mapping: memory too small for even the headers is refused here; a
  // truncation after this point is the SIGBUS guard's to absorb.
  if (queue_bytes < uint64_t{kQueueCount} * kQueueHeaderSize || buffer_bytes < kManagerHeaderSize + kListHeaderSize) {
    return Outcome::Fail(Status::kPeerViolation, "peer's shared memory is smaller than its layout needs");
  }
  o = queue_region_.Map(queue_fd, queue_bytes);
  if (!o.ok()) return o;
  buffer_region_ = std::make_shared<MappedRegion>();
  o = buffer_region_->Map(buffer_fd, buffer_bytes);
  if (!o.ok()) return o;
  if (BufferManager::Attach(buffer_region_->data(), buffer_region_->size(), &buffers_) != Status::kOk) {
    return Outcome::Fail(Status::kPeerViolation, "peer's buffer manager header is invalid");
  }
  // The client sends on the first queue, so the server receives there and sends on the second.
  const uint64_t half = queue_bytes / kQueueCount;
  if (IoQueue::Attach(queue_region_.data(), half, &recv_queue_) != Status::kOk ||
      IoQueue::Attach(queue_region_.data() + half, half, &send_queue_) != Status::kOk) {
    return Outcome::Fail(Status::kPeerViolation, "peer's queue header is invalid");
  }
  held_slices_.assign(buffers_.total_slices(), false);
  lent_slices_.assign(buffers_.total_slices(), false);
  return Outcome::Ok();
}

void Session::Establish() {
  state_ = State::kEstablished;
  PushEvent(kEventEstablished, version_, 0, 0, 0, 0);
}

}  // namespace heddle::shm
