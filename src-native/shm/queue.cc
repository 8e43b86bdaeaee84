#include "shm/queue.h"

#include "shm/layout.h"
#include "shm/shared_word.h"

namespace heddle::shm {

uint64_t IoQueue::RegionSize(uint32_t capacity) { return kQueueHeaderSize + uint64_t{kQueueElementSize} * capacity; }

Status IoQueue::Format(uint8_t* base, uint64_t region_size, uint32_t capacity, IoQueue* out) {
  if (capacity == 0 || capacity > kMaxQueueCapacity || RegionSize(capacity) > region_size) return Status::kInvalidArgument;
  StoreU32(base, kQueueCapacityOffset, capacity);
  StoreI64(base, kQueueHeadOffset, 0);
  StoreI64(base, kQueueTailOffset, 0);
  StoreU32(base, kQueueWorkingOffset, 0);
  out->base_ = base;
  out->capacity_ = capacity;
  return Status::kOk;
}

Status IoQueue::Attach(uint8_t* base, uint64_t region_size, IoQueue* out) {
  if (region_size < kQueueHeaderSize) return Status::kPeerViolation;
  const uint32_t capacity = LoadU32(base, kQueueCapacityOffset);
  if (capacity == 0 || capacity > kMaxQueueCapacity || RegionSize(capacity) > region_size) return Status::kPeerViolation;
  out->base_ = base;
  out->capacity_ = capacity;
  return Status::kOk;
}

Status IoQueue::Put(const QueueElement& element) {
  const int64_t head = LoadI64(base_, kQueueHeadOffset);
  const int64_t tail = LoadI64(base_, kQueueTailOffset);
  if (head < 0 || tail < head || tail - head > capacity_) return Status::kPeerViolation;
  if (tail - head == capacity_) return Status::kQueueFull;
  const uint64_t slot = kQueueHeaderSize + static_cast<uint64_t>(tail % capacity_) * kQueueElementSize;
  StoreU32(base_, slot + kElementStreamIdOffset, element.stream_id);
  StoreU32(base_, slot + kElementOffsetOffset, element.offset);
  StoreU32(base_, slot + kElementStatusOffset, element.status);
  StoreI64(base_, kQueueTailOffset, tail + 1);
  return Status::kOk;
}

bool IoQueue::MarkWorking() { return CasU32(base_, kQueueWorkingOffset, 0, 1); }

Status IoQueue::Pop(QueueElement* element) {
  const int64_t head = LoadI64(base_, kQueueHeadOffset);
  const int64_t tail = LoadI64(base_, kQueueTailOffset);
  if (head < 0 || tail < head || tail - head > capacity_) return Status::kPeerViolation;
  if (head == tail) return Status::kQueueEmpty;
  const uint64_t slot = kQueueHeaderSize + static_cast<uint64_t>(head % capacity_) * kQueueElementSize;
  element->stream_id = LoadU32(base_, slot + kElementStreamIdOffset);
  element->offset = LoadU32(base_, slot + kElementOffsetOffset);
  element->status = LoadU32(base_, slot + kElementStatusOffset);
  StoreI64(base_, kQueueHeadOffset, head + 1);
  return Status::kOk;
}

bool IoQueue::MarkNotWorking() {
  StoreU32(base_, kQueueWorkingOffset, 0);
  if (LoadI64(base_, kQueueTailOffset) == LoadI64(base_, kQueueHeadOffset)) return true;
  StoreU32(base_, kQueueWorkingOffset, 1);
  return false;
}

}  // namespace heddle::shm
