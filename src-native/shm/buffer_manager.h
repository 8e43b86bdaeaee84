// The shmipc buffer manager: the pool of fixed-size slices both processes allocate from and recycle
// into, lock-free across processes. The client formats it; the server attaches to it. Everything
// read from the memory is validated against the geometry fixed when formatting or attaching (kept
// in this process), so a corrupt or hostile peer yields kPeerViolation, never an out-of-bounds access.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "shm/status.h"

namespace heddle::shm {

// One list of the pool: `percent` of the memory goes to slices of `capacity` data bytes.
struct SliceShare {
  uint32_t capacity;
  uint32_t percent;
};

// Where one list lives, copied out of shared memory once and trusted from then on.
struct ListGeometry {
  uint32_t header_offset;
  uint32_t region_offset;  // first slice header
  uint32_t slice_capacity;
  uint32_t slice_count;
  uint32_t stride;  // kSliceHeaderSize + slice_capacity
};

// A validated slice of a received message.
struct SliceView {
  uint32_t data_offset;  // absolute offset of the first data byte in the buffer memory
  uint32_t size;
  bool has_next;
  uint32_t next;  // header offset of the next slice, meaningful with has_next (not yet validated)
};

class BufferManager {
 public:
  enum class Role { kCreator, kMapper };

  BufferManager() = default;

  // Lays out an empty pool over [base, base + size), as shmipc-go's createBufferManager does:
  // `shares` sorted by capacity, percents summing to at most 100.
  static Status Format(uint8_t* base, uint64_t size, const SliceShare* shares, size_t share_count, BufferManager* out);
  // Attaches to a pool the peer formatted, validating its headers.
  static Status Attach(uint8_t* base, uint64_t size, BufferManager* out);

  // Pops one slice of at least `min_capacity` bytes: the smallest list that fits, then larger ones.
  Status PopOne(uint32_t min_capacity, uint32_t* slice_offset);
  // Pops slices whose capacities add up to at least `bytes`: while the rest is larger than any
  // slice, the largest free slices (shmipc-go's order); then the smallest slice that covers the
  // rest, or if none is free, more of the largest smaller ones. All or nothing: on kPoolExhausted
  // nothing is held.
  Status PopChain(uint64_t bytes, std::vector<uint32_t>* slices);
  // Returns a slice to its list.
  Status Push(uint32_t slice_offset);

  // Reads a received slice's header once and validates it.
  Status ReadSlice(uint32_t slice_offset, SliceView* out) const;
  // Writes the header of one slice of an outgoing chain: data at [0, size), linked to `next` when
  // `has_next`. `slice_offset` must have come from PopOne/PopChain.
  void WriteSlice(uint32_t slice_offset, uint32_t size, bool has_next, uint32_t next);

  // Capacity of the slice at `slice_offset`, or 0 when that is not a slice boundary.
  uint32_t SliceCapacity(uint32_t slice_offset) const;
  // A dense index in [0, total_slices()) of the slice at `slice_offset`, or -1 when that is not a
  // slice boundary.
  int64_t SliceIndex(uint32_t slice_offset) const;
  uint32_t total_slices() const { return total_slices_; }
  const std::vector<ListGeometry>& lists() const { return lists_; }
  // Free slices over all lists, as the shared counters say (monitoring only).
  uint64_t FreeSlices() const;
  uint8_t* base() const { return base_; }
  uint64_t size() const { return size_; }

 private:
  // Index into lists_ of the list whose slice region holds a slice header at `slice_offset`.
  int FindList(uint32_t slice_offset) const;
  Status PopFromList(const ListGeometry& list, uint32_t* slice_offset);
  // Pushes back the slices of a chain that could not be completed; returns `failure`, or the
  // push's own failure.
  Status Unwind(std::vector<uint32_t>* slices, Status failure);
  bool IsFreeListOffset(const ListGeometry& list, uint32_t relative) const;
  void SortBySliceCapacity();

  uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
  Role role_ = Role::kCreator;
  std::vector<ListGeometry> lists_;  // ascending slice capacity
  uint32_t total_slices_ = 0;
  uint32_t max_slice_capacity_ = 0;
};

}  // namespace heddle::shm
