// The data plane: chunks of a stream travel as chains of slices announced by queue elements, or
// inline in FallbackData messages when no slice is free or the queue is full.
#include <algorithm>
#include <cstring>

#include "shm/layout.h"
#include "shm/session.h"

namespace heddle::shm {
namespace {
Outcome Violation(const char* what) { return Outcome::Fail(Status::kPeerViolation, what); }
Outcome NotEstablished() { return Outcome::Fail(Status::kClosed, "session is not established"); }
}  // namespace

void Session::PushEvent(uint32_t kind, uint32_t stream, uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  const uint32_t record[kEventRecordWords] = {kind, stream, a, b, c, d};
  events_.insert(events_.end(), record, record + kEventRecordWords);
}

Outcome Session::Drain() {
  drain_pending_ = false;
  if (state_ != State::kEstablished) return Outcome::Ok();
  // A producer that never stops must not starve the event loop: after one queue's worth of
  // elements, leave the working flag set (so no Polling comes) and continue on the next iteration.
  uint32_t budget = recv_queue_.capacity();
  for (;;) {
    QueueElement element;
    for (;;) {
      if (budget == 0) {
        drain_pending_ = true;
        return Outcome::Ok();
      }
      const Status s = recv_queue_.Pop(&element);
      if (s == Status::kQueueEmpty) break;
      if (s != Status::kOk) return Violation("receive queue head/tail out of range");
      --budget;
      const Outcome o = HandleElement(element);
      if (!o.ok()) return o;
    }
    if (recv_queue_.MarkNotWorking()) return Outcome::Ok();
  }
}

Outcome Session::HandleElement(const QueueElement& element) {
  if ((element.status & kStreamStatusMask) == kStreamClosed) {
    PushEvent(kEventStreamClosed, element.stream_id, 0, 0, 0, 0);
    return Outcome::Ok();
  }
  chain_scratch_.clear();
  uint32_t offset = element.offset;
  for (;;) {
    if (chain_scratch_.size() >= buffers_.total_slices()) return Violation("slice chain longer than the pool (a loop)");
    SliceView view;
    if (buffers_.ReadSlice(offset, &view) != Status::kOk) return Violation("slice offset or slice header out of bounds");
    const int64_t index = buffers_.SliceIndex(offset);
    if (held_slices_[index]) return Violation("slice delivered while still held");
    held_slices_[index] = true;
    chain_scratch_.emplace_back(offset, view);
    if (!view.has_next) break;
    offset = view.next;
  }
  size_t last = chain_scratch_.size();
  for (size_t i = 0; i < chain_scratch_.size(); ++i) {
    if (chain_scratch_[i].second.size > 0) last = i;
  }
  uint64_t bytes = 0;
  for (size_t i = 0; i < chain_scratch_.size(); ++i) {
    const auto& [slice, view] = chain_scratch_[i];
    if (view.size == 0) {
      // Nothing to show JavaScript: recycle at once.
      held_slices_[buffers_.SliceIndex(slice)] = false;
      if (buffers_.Push(slice) != Status::kOk) return Violation("buffer list tail out of range");
      continue;
    }
    PushEvent(kEventData, element.stream_id, slice, view.data_offset, view.size, i == last ? 1 : 0);
    bytes += view.size;
  }
  if (last != chain_scratch_.size()) {
    ++stats_.shm_chunks_received;
    stats_.shm_bytes_received += bytes;
  }
  return Outcome::Ok();
}

Outcome Session::HandleFallback(const uint8_t* body, uint32_t length) {
  if (length < kFallbackMetaSize) return Outcome::Fail(Status::kBadFrame, "FallbackData shorter than its metadata");
  const uint32_t stream_id = ReadBigEndian32(body);
  const uint32_t status = ReadBigEndian32(body + 4) & kStreamStatusMask;
  const uint32_t size = length - kFallbackMetaSize;
  if (status == kStreamClosed) {
    PushEvent(kEventStreamClosed, stream_id, 0, 0, 0, 0);
    return Outcome::Ok();
  }
  if (size == 0) return Outcome::Ok();
  fallback_payloads_.emplace_back(body + kFallbackMetaSize, body + length);
  stats_.bytes_copied += size;
  ++stats_.fallback_chunks_received;
  stats_.fallback_bytes_received += size;
  PushEvent(kEventFallbackData, stream_id, static_cast<uint32_t>(fallback_payloads_.size() - 1), size, 0, 0);
  return Outcome::Ok();
}

Outcome Session::Send(uint32_t stream_id, const uint8_t* data, size_t length, bool* via_fallback, bool defer_notify) {
  if (state_ != State::kEstablished) return NotEstablished();
  if (length == 0) return Outcome::Fail(Status::kInvalidArgument, "empty chunk");
  const Status s = buffers_.PopChain(length, &chain_for_send_);
  if (s == Status::kPoolExhausted) {
    *via_fallback = true;
    return SendFallback(stream_id, data, length);
  }
  if (s != Status::kOk) return Violation("buffer list head out of range");
  size_t done = 0;
  for (uint32_t slice : chain_for_send_) {
    const size_t n = std::min<size_t>(buffers_.SliceCapacity(slice), length - done);
    std::memcpy(buffers_.base() + slice + kSliceHeaderSize, data + done, n);
    done += n;
    if (done == length) break;
  }
  stats_.bytes_copied += length;
  return PublishChain(stream_id, length, via_fallback, defer_notify);
}

Outcome Session::Allocate(uint64_t bytes, uint32_t* allocation_id, const std::vector<uint32_t>** slices) {
  if (state_ != State::kEstablished) return NotEstablished();
  if (bytes == 0) return Outcome::Fail(Status::kInvalidArgument, "empty allocation");
  const Status s = buffers_.PopChain(bytes, &chain_for_send_);
  if (s == Status::kPoolExhausted) return Outcome::Fail(s, "shared-memory pool exhausted");
  if (s != Status::kOk) return Violation("buffer list head out of range");
  uint32_t id;
  if (free_allocation_ids_.empty()) {
    id = static_cast<uint32_t>(allocations_.size());
    allocations_.emplace_back();
  } else {
    id = free_allocation_ids_.back();
    free_allocation_ids_.pop_back();
  }
  allocations_[id].swap(chain_for_send_);
  *allocation_id = id;
  *slices = &allocations_[id];
  return Outcome::Ok();
}

Outcome Session::Commit(uint32_t allocation_id, uint32_t stream_id, uint64_t bytes, bool* via_fallback, bool defer_notify) {
  if (state_ != State::kEstablished) return NotEstablished();
  if (!TakeAllocation(allocation_id)) return Outcome::Fail(Status::kInvalidArgument, "unknown allocation");
  uint64_t capacity = 0;
  for (uint32_t slice : chain_for_send_) capacity += buffers_.SliceCapacity(slice);
  if (bytes == 0 || bytes > capacity) {
    for (uint32_t slice : chain_for_send_) {
      if (buffers_.Push(slice) != Status::kOk) return Violation("buffer list tail out of range");
    }
    return Outcome::Fail(Status::kInvalidArgument, "committed length is zero or exceeds the allocation");
  }
  return PublishChain(stream_id, bytes, via_fallback, defer_notify);
}

Outcome Session::Cancel(uint32_t allocation_id) {
  if (!TakeAllocation(allocation_id)) return Outcome::Fail(Status::kInvalidArgument, "unknown allocation");
  if (state_ != State::kEstablished) return Outcome::Ok();
  for (uint32_t slice : chain_for_send_) {
    if (buffers_.Push(slice) != Status::kOk) return Violation("buffer list tail out of range");
  }
  return Outcome::Ok();
}

bool Session::TakeAllocation(uint32_t id) {
  if (id >= allocations_.size() || allocations_[id].empty()) return false;
  chain_for_send_.swap(allocations_[id]);
  allocations_[id].clear();
  free_allocation_ids_.push_back(id);
  return true;
}

Outcome Session::PublishChain(uint32_t stream_id, uint64_t bytes, bool* via_fallback, bool defer_notify) {
  const std::vector<uint32_t>& slices = chain_for_send_;
  size_t used = 0;
  for (uint64_t covered = 0; used < slices.size() && covered < bytes; ++used) covered += buffers_.SliceCapacity(slices[used]);
  for (size_t i = used; i < slices.size(); ++i) {
    if (buffers_.Push(slices[i]) != Status::kOk) return Violation("buffer list tail out of range");
  }
  uint64_t remaining = bytes;
  for (size_t i = 0; i < used; ++i) {
    const uint32_t size = static_cast<uint32_t>(std::min<uint64_t>(buffers_.SliceCapacity(slices[i]), remaining));
    remaining -= size;
    const bool has_next = i + 1 < used;
    buffers_.WriteSlice(slices[i], size, has_next, has_next ? slices[i + 1] : 0);
  }
  const Status s = send_queue_.Put(QueueElement{stream_id, slices[0], kStreamOpened});
  if (s == Status::kQueueFull) {
    *via_fallback = true;
    return FallbackFromSlices(stream_id, used, bytes);
  }
  if (s != Status::kOk) return Violation("send queue head/tail out of range");
  *via_fallback = false;
  ++stats_.shm_chunks_sent;
  stats_.shm_bytes_sent += bytes;
  if (defer_notify) {
    notify_pending_ = true;
    return Outcome::Ok();
  }
  return NotifyPeer();
}

Outcome Session::NotifyIfPending() {
  if (!notify_pending_ || state_ != State::kEstablished) return Outcome::Ok();
  notify_pending_ = false;
  return NotifyPeer();
}

Outcome Session::FallbackFromSlices(uint32_t stream_id, size_t used, uint64_t bytes) {
  const std::vector<uint32_t>& slices = chain_for_send_;
  std::vector<uint8_t> payload;
  payload.reserve(bytes);
  uint64_t remaining = bytes;
  for (size_t i = 0; i < used; ++i) {
    const uint32_t size = static_cast<uint32_t>(std::min<uint64_t>(buffers_.SliceCapacity(slices[i]), remaining));
    const uint8_t* data = buffers_.base() + slices[i] + kSliceHeaderSize;
    payload.insert(payload.end(), data, data + size);
    remaining -= size;
    if (buffers_.Push(slices[i]) != Status::kOk) return Violation("buffer list tail out of range");
  }
  stats_.bytes_copied += bytes;
  return SendFallback(stream_id, payload.data(), payload.size());
}

Outcome Session::SendFallback(uint32_t stream_id, const uint8_t* data, size_t length) {
  if (state_ != State::kEstablished) return NotEstablished();
  if (length == 0 || length > options_.max_message_bytes - kControlHeaderSize - kFallbackMetaSize) {
    return Outcome::Fail(Status::kInvalidArgument, "chunk is empty or larger than the control message limit");
  }
  // With output already waiting, all of this message would wait too: bound what a peer that stopped
  // reading can make us hold.
  if (!FallbackHasRoom(length)) {
    return Outcome::Fail(Status::kOutputLimit, "the peer is not reading the control socket: FallbackData output limit reached");
  }
  // Chunks queued with a deferred notification come first: the peer must drain them before it
  // reads this one from the socket.
  const Outcome notified = NotifyIfPending();
  if (!notified.ok()) return notified;
  scratch_message_.clear();
  AppendFallbackHead(&scratch_message_, version_, stream_id, kStreamOpened, static_cast<uint32_t>(length));
  ++stats_.fallback_chunks_sent;
  stats_.fallback_bytes_sent += length;
  return Write(scratch_message_.data(), scratch_message_.size(), data, length);
}

bool Session::FallbackHasRoom(size_t length) const {
  const size_t queued = out_.size() - out_offset_;
  return queued == 0 || queued + kControlHeaderSize + kFallbackMetaSize + length <= options_.max_queued_output;
}

Outcome Session::Release(const uint32_t* slice_offsets, size_t count, bool lent) {
  if (state_ != State::kEstablished) return Outcome::Ok();
  Outcome result = Outcome::Ok();
  for (size_t i = 0; i < count; ++i) {
    const int64_t index = buffers_.SliceIndex(slice_offsets[i]);
    if (index < 0 || !held_slices_[index]) {
      result = Outcome::Fail(Status::kInvalidArgument, "released a slice that is not held");
      continue;
    }
    if (lent_slices_[index] != lent) {
      result = Outcome::Fail(Status::kInvalidArgument, lent ? "a collected loan of a slice not lent" : "released a slice lent to an ArrayBuffer");
      continue;
    }
    held_slices_[index] = false;
    lent_slices_[index] = false;
    if (buffers_.Push(slice_offsets[i]) != Status::kOk) return Violation("buffer list tail out of range");
  }
  return result;
}

bool Session::HoldsDataOf(uint32_t slice_offset, uint32_t data_offset, uint32_t length) const {
  if (state_ != State::kEstablished) return false;
  const int64_t index = buffers_.SliceIndex(slice_offset);
  if (index < 0 || !held_slices_[index] || lent_slices_[index] || length == 0) return false;
  // Our own geometry bounds the range, not the slice header the peer can rewrite.
  const uint64_t data = uint64_t{slice_offset} + kSliceHeaderSize;
  return data_offset >= data && uint64_t{data_offset} + length <= data + buffers_.SliceCapacity(slice_offset);
}

void Session::MarkLent(uint32_t slice_offset) {
  const int64_t index = buffers_.SliceIndex(slice_offset);
  if (index >= 0) lent_slices_[index] = true;
}

Outcome Session::CloseStream(uint32_t stream_id) {
  if (state_ != State::kEstablished) return NotEstablished();
  const Status s = send_queue_.Put(QueueElement{stream_id, 0, kStreamClosed});
  if (s == Status::kQueueFull) {
    // As for FallbackData: the chunks already queued must reach the peer before the close does.
    const Outcome notified = NotifyIfPending();
    if (!notified.ok()) return notified;
    scratch_message_.clear();
    AppendStreamClose(&scratch_message_, version_, stream_id);
    return WriteMessage(scratch_message_);
  }
  if (s != Status::kOk) return Violation("send queue head/tail out of range");
  return NotifyPeer();
}

}  // namespace heddle::shm
