// One shmipc IO queue: a single-producer, single-consumer ring of (stream id, slice offset, status)
// elements in shared memory, plus the working flag that batches notifications: the producer sends
// a Polling message only when it flips the flag from 0 to 1, so a consumer that is still draining
// gets no system call at all.
#pragma once

#include <cstdint>

#include "shm/status.h"

namespace heddle::shm {

struct QueueElement {
  uint32_t stream_id;
  uint32_t offset;
  uint32_t status;
};

class IoQueue {
 public:
  IoQueue() = default;

  // Bytes one queue of `capacity` elements occupies.
  static uint64_t RegionSize(uint32_t capacity);
  // Initialises an empty queue at `base` (the creator's side).
  static Status Format(uint8_t* base, uint64_t region_size, uint32_t capacity, IoQueue* out);
  // Attaches to a queue the peer formatted; its capacity must fit `region_size`.
  static Status Attach(uint8_t* base, uint64_t region_size, IoQueue* out);

  // Producer side. kQueueFull when the consumer is `capacity` elements behind.
  Status Put(const QueueElement& element);
  // Sets the working flag; true when it was clear, i.e. the caller must send a Polling message.
  bool MarkWorking();

  // Consumer side. kQueueEmpty when drained.
  Status Pop(QueueElement* element);
  // Clears the working flag, then looks again: true when the queue is empty (the producer will
  // notify next time); false when elements arrived meanwhile (the flag is set again, keep draining).
  bool MarkNotWorking();

  uint32_t capacity() const { return capacity_; }

 private:
  uint8_t* base_ = nullptr;
  uint32_t capacity_ = 0;
};

}  // namespace heddle::shm
