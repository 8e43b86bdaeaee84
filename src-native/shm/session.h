// One shmipc session over a connected Unix socket: the handshake (protocol v2 by file path, v3 by
// memfd), the data plane (streams of byte chunks in shared-memory slices, FallbackData through
// the socket when the pool is exhausted) and the notification protocol (Polling messages batched
// by the queue's working flag). Pure C++: the napi glue drives it from libuv's poll callbacks and
// turns the events it collects into one JavaScript call per wake-up.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "shm/buffer_manager.h"
#include "shm/control_message.h"
#include "shm/queue.h"
#include "shm/shared_memory.h"
#include "shm/status.h"
#include "shm/unix_socket.h"

namespace heddle::shm {

struct SessionOptions {
  // Client: kProtocolV3 shares memfds, kProtocolV2 files named after `name_prefix`.
  uint8_t version = kProtocolV3;
  // Names are `<name_prefix>_<pid>_<serial>_queue` and `..._buffer`; with v2 they are file paths.
  std::string name_prefix = "/dev/shm/heddle";
  uint32_t buffer_size = kDefaultBufferSize;
  uint32_t queue_capacity = kDefaultQueueCapacity;
  std::vector<SliceShare> slices;  // empty: shmipc-go's defaults
  uint32_t file_mode = 0600;
  // Peers whose socket credentials may talk to us (SO_PEERCRED); empty admits only our own uid.
  std::vector<uint32_t> allowed_uids;
  // Server: the largest buffer or queue memory a peer may ask us to map.
  uint64_t max_peer_memory = uint64_t{1} << 30;
  // The largest control message accepted or sent, FallbackData included.
  uint32_t max_message_bytes = (64u << 20) + kControlHeaderSize + kFallbackMetaSize;
  // The most output kept while the peer does not read the control socket: FallbackData that would
  // queue beyond it fails with kOutputLimit (what the socket takes at once never counts).
  uint64_t max_queued_output = uint64_t{64} << 20;
};

// Whether `uid` may connect: it is in options.allowed_uids, or that list is empty and `uid` is ours.
bool UidAllowed(const SessionOptions& options, uint32_t uid);

// Records the session hands to JavaScript, kEventRecordWords words each.
enum EventKind : uint32_t {
  kEventEstablished = 1,   // [kind, version, 0, 0, 0, 0]
  kEventData = 2,          // [kind, stream, slice offset, data offset, size, last-of-chunk]
  kEventFallbackData = 3,  // [kind, stream, payload index, size, 0, 0]
  kEventStreamClosed = 4,  // [kind, stream, 0, 0, 0, 0]
};
inline constexpr uint32_t kEventRecordWords = 6;

struct SessionStats {
  uint64_t bytes_copied = 0;  // payload bytes heddle itself copied (write(), FallbackData)
  uint64_t shm_chunks_sent = 0;
  uint64_t shm_bytes_sent = 0;
  uint64_t shm_chunks_received = 0;
  uint64_t shm_bytes_received = 0;
  uint64_t fallback_chunks_sent = 0;
  uint64_t fallback_bytes_sent = 0;
  uint64_t fallback_chunks_received = 0;
  uint64_t fallback_bytes_received = 0;
  uint64_t polling_sent = 0;
  uint64_t polling_received = 0;
};

class Session {
 public:
  enum class Role { kClient, kServer };
  enum class State {
    kConnecting,
    kAwaitVersion,          // client v3: sent ExchangeProtoVersion
    kAwaitReadyRecvFd,      // client v3: sent ShareMemoryByMemfd
    kAwaitAckShareMemory,   // client v3: sent the descriptors
    kAwaitFirstMessage,     // server
    kAwaitShareMemory,      // server v3: versions exchanged
    kAwaitFds,              // server v3: sent AckReadyRecvFd
    kEstablished,
    kClosed,
  };

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();

  // Client: creates the shared memory and starts connecting to `socket_path`.
  static Outcome StartClient(const std::string& socket_path, const SessionOptions& options,
                             std::unique_ptr<Session>* out);
  // Server: a session over an accepted socket whose peer passed the uid check.
  static std::unique_ptr<Session> AcceptServer(int fd, const PeerCredentials& peer, const SessionOptions& options);

  int fd() const { return fd_; }
  bool established() const { return state_ == State::kEstablished; }
  uint8_t version() const { return version_; }
  bool wants_write() const { return state_ == State::kConnecting || out_offset_ < out_.size() || fds_pending_; }
  // The consumer stopped draining at its per-wake-up limit with elements left: call Drain() again
  // on the next loop iteration (no Polling message will come for them).
  bool drain_pending() const { return drain_pending_; }
  const SessionStats& stats() const { return stats_; }
  const PeerCredentials& peer() const { return peer_; }
  // The buffer memory; JavaScript views it once established.
  const std::shared_ptr<MappedRegion>& buffer_region() const { return buffer_region_; }
  const BufferManager& buffer_manager() const { return buffers_; }

  Outcome OnWritable();
  Outcome OnReadable();
  Outcome Drain();
  // The outcome of a batch of shared-memory accesses, unless the peer truncated the memory meanwhile
  // (the SIGBUS guard absorbed the fault and the batch read zeros): then that, a kPeerViolation.
  // The caller applies this after every call that touched the memory, JavaScript's reads included.
  Outcome Guard(const Outcome& outcome) const;

  // Data plane; all require an established session. `*via_fallback` tells whether the bytes went
  // through the socket (pool exhausted or queue full) instead of shared memory. With
  // `defer_notify`, a chunk put on the queue does not wake the peer yet: NotifyIfPending() does,
  // once for a whole burst of chunks (one Polling message and one wake-up instead of several).
  Outcome Send(uint32_t stream_id, const uint8_t* data, size_t length, bool* via_fallback, bool defer_notify = false);
  Outcome Allocate(uint64_t bytes, uint32_t* allocation_id, const std::vector<uint32_t>** slices);
  Outcome Commit(uint32_t allocation_id, uint32_t stream_id, uint64_t bytes, bool* via_fallback, bool defer_notify = false);
  // Sends the Polling message deferred sends owe the peer, if any (and if it is not working).
  Outcome NotifyIfPending();
  Outcome Cancel(uint32_t allocation_id);
  Outcome SendFallback(uint32_t stream_id, const uint8_t* data, size_t length);
  // Whether SendFallback would take `length` payload bytes now rather than fail with kOutputLimit.
  bool FallbackHasRoom(size_t length) const;
  // Gives received slices back to the pool. A lent slice (MarkLent) is refused unless `lent` says
  // its ArrayBuffer was collected: until then a JavaScript view of it is alive.
  Outcome Release(const uint32_t* slice_offsets, size_t count, bool lent = false);
  // Whether [data_offset, data_offset + length) lies in the data of slice `slice_offset`, a slice
  // delivered to JavaScript, not released and not lent already: what may be handed out as its own
  // ArrayBuffer.
  bool HoldsDataOf(uint32_t slice_offset, uint32_t data_offset, uint32_t length) const;
  // Slice `slice_offset` (one HoldsDataOf accepted) is now lent to an ArrayBuffer.
  void MarkLent(uint32_t slice_offset);
  Outcome CloseStream(uint32_t stream_id);
  // Closes the socket and the queue mapping, drops this session's hold on the buffer mapping and
  // removes the files it is responsible for. Idempotent.
  void Close();

  // Events and FallbackData payloads gathered since the last call; the caller takes them.
  std::vector<uint32_t>& events() { return events_; }
  std::vector<std::vector<uint8_t>>& fallback_payloads() { return fallback_payloads_; }

  // Sessions in this process that are not closed yet.
  static int64_t LiveCount();

 private:
  Session(Role role, int fd, const SessionOptions& options);

  // Handshake (session_handshake.cc).
  Outcome CreateClientMemory();
  Outcome OnConnected();
  Outcome HandleHandshake(const ControlHeader& header, const uint8_t* body);
  Outcome ReceiveFds();
  Outcome MapPeerFiles(const uint8_t* body, uint32_t length);
  Outcome MapPeerMemory(int queue_fd, int buffer_fd);
  void Establish();

  // Socket I/O (session.cc).
  Outcome ReadAvailable();
  Outcome HandleMessage(const ControlHeader& header, const uint8_t* body);
  Outcome Flush();
  Outcome Write(const uint8_t* head, size_t head_length, const uint8_t* body, size_t body_length);
  Outcome WriteMessage(const std::vector<uint8_t>& message) { return Write(message.data(), message.size(), nullptr, 0); }
  Outcome NotifyPeer();

  // Data plane (session_data.cc).
  Outcome HandleElement(const QueueElement& element);
  Outcome HandleFallback(const uint8_t* body, uint32_t length);
  // Publish the slices in chain_for_send_, `bytes` of data, to the peer: through the send queue,
  // or as FallbackData copied from the first `used` slices when the queue is full.
  Outcome PublishChain(uint32_t stream_id, uint64_t bytes, bool* via_fallback, bool defer_notify);
  Outcome FallbackFromSlices(uint32_t stream_id, size_t used, uint64_t bytes);
  void PushEvent(uint32_t kind, uint32_t stream, uint32_t a, uint32_t b, uint32_t c, uint32_t d);
  // Moves allocation `id`'s slices into chain_for_send_ and frees the id; false when no such
  // allocation is outstanding.
  bool TakeAllocation(uint32_t id);

  State state_;
  int fd_;
  SessionOptions options_;
  uint8_t version_;
  PeerCredentials peer_{};
  std::string queue_name_;
  std::string buffer_name_;
  bool owns_files_ = false;   // client v2: unlink at close
  bool peer_files_ = false;   // server v2: unlink at close if the peer died
  int queue_fd_ = -1;         // client v3, until sent
  int buffer_fd_ = -1;
  bool fds_pending_ = false;  // client v3: send the descriptors once the output drains

  MappedRegion queue_region_;
  std::shared_ptr<MappedRegion> buffer_region_;
  BufferManager buffers_;
  IoQueue send_queue_;
  IoQueue recv_queue_;
  bool drain_pending_ = false;
  bool notify_pending_ = false;  // a deferred send put elements on the queue without notifying

  std::vector<uint8_t> in_;
  uint64_t in_consumed_ = 0;  // control-stream bytes before in_[in_start_], for error positions
  size_t in_start_ = 0;
  size_t in_end_ = 0;
  std::vector<uint8_t> out_;
  size_t out_offset_ = 0;
  std::vector<uint8_t> scratch_message_;

  // Received slices JavaScript holds: set from delivery until Release.
  std::vector<bool> held_slices_;
  // Held slices lent to an ArrayBuffer: set by MarkLent until the collected ArrayBuffer's Release.
  std::vector<bool> lent_slices_;
  std::vector<std::pair<uint32_t, SliceView>> chain_scratch_;
  // Outgoing allocations between Allocate and Commit/Cancel, by id.
  std::vector<std::vector<uint32_t>> allocations_;
  std::vector<uint32_t> free_allocation_ids_;
  // The slices a send, an allocation or a commit is working on. Allocations swap their vectors
  // with it, so slot and scratch keep trading the same capacity instead of allocating per call.
  std::vector<uint32_t> chain_for_send_;

  std::vector<uint32_t> events_;
  std::vector<std::vector<uint8_t>> fallback_payloads_;
  SessionStats stats_;
};

}  // namespace heddle::shm
