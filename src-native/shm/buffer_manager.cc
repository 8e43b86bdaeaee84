#include "shm/buffer_manager.h"

#include <algorithm>

#include "shm/layout.h"
#include "shm/shared_word.h"

namespace heddle::shm {
namespace {
// shmipc-go retries a contended pop 200 times before reporting the list empty.
constexpr int kPopAttempts = 200;
// A push only loses its CAS to a concurrent push; a tail that keeps moving this often is not a
// peer recycling slices but one scribbling on the header.
constexpr int kPushAttempts = 100000;
}  // namespace

Status BufferManager::Format(uint8_t* base, uint64_t size, const SliceShare* shares, size_t share_count,
                             BufferManager* out) {
  if (share_count == 0 || share_count > kMaxLists || size > UINT32_MAX) return Status::kInvalidArgument;
  const uint64_t fixed = kManagerHeaderSize + uint64_t{kListHeaderSize} * share_count;
  if (size <= fixed) return Status::kInvalidArgument;
  const uint64_t region_capacity = size - fixed;

  BufferManager pool;
  pool.base_ = base;
  pool.size_ = size;
  pool.role_ = Role::kCreator;
  uint64_t used = kManagerHeaderSize;
  uint32_t percent_sum = 0;
  for (size_t i = 0; i < share_count; ++i) {
    const SliceShare share = shares[i];
    percent_sum += share.percent;
    if (share.capacity == 0 || percent_sum > 100) return Status::kInvalidArgument;
    if (i > 0 && share.capacity < shares[i - 1].capacity) return Status::kInvalidArgument;
    const uint64_t stride = uint64_t{kSliceHeaderSize} + share.capacity;
    const uint64_t count = (region_capacity * share.percent / 100) / stride;
    if (count == 0) return Status::kInvalidArgument;
    const uint64_t list_bytes = kListHeaderSize + count * stride;
    if (used + list_bytes > size) return Status::kInvalidArgument;

    ListGeometry g{static_cast<uint32_t>(used), static_cast<uint32_t>(used + kListHeaderSize), share.capacity,
                   static_cast<uint32_t>(count), static_cast<uint32_t>(stride)};
    // Every slice starts free and linked to the next; the last one has no successor.
    for (uint32_t s = 0; s < g.slice_count; ++s) {
      const uint64_t slice = uint64_t{g.region_offset} + uint64_t{s} * g.stride;
      const bool last = s + 1 == g.slice_count;
      StoreU32(base, slice + kSliceCapacityOffset, g.slice_capacity);
      StoreU32(base, slice + kSliceSizeOffset, 0);
      StoreU32(base, slice + kSliceStartOffset, 0);
      StoreU32(base, slice + kSliceNextOffset, last ? 0 : (s + 1) * g.stride);
      StoreU32(base, slice + kSliceFlagsOffset, last ? 0 : kSliceFlagHasNext);
    }
    StoreU32(base, g.header_offset + kListFreeCountOffset, g.slice_count);
    StoreU32(base, g.header_offset + kListCapacityOffset, g.slice_count);
    StoreU32(base, g.header_offset + kListHeadOffset, 0);
    StoreU32(base, g.header_offset + kListTailOffset, (g.slice_count - 1) * g.stride);
    StoreU32(base, g.header_offset + kListSliceCapacityOffset, g.slice_capacity);
    for (uint32_t o = kListCreatorCounterOffset; o < kListHeaderSize; o += 4) StoreU32(base, g.header_offset + o, 0);
    pool.lists_.push_back(g);
    pool.total_slices_ += g.slice_count;
    used += list_bytes;
  }
  const uint32_t list_count_and_reserved = static_cast<uint16_t>(share_count);  // reserved u16 = 0
  StoreU32(base, kManagerListCountOffset, list_count_and_reserved);
  StoreU32(base, kManagerUsedLengthOffset, static_cast<uint32_t>(used - kManagerHeaderSize));
  pool.max_slice_capacity_ = pool.lists_.back().slice_capacity;
  *out = std::move(pool);
  return Status::kOk;
}

Status BufferManager::Attach(uint8_t* base, uint64_t size, BufferManager* out) {
  if (size <= kManagerHeaderSize || size > UINT32_MAX) return Status::kPeerViolation;
  const uint16_t list_count = static_cast<uint16_t>(LoadU32(base, kManagerListCountOffset) & 0xffff);
  const uint32_t used_length = LoadU32(base, kManagerUsedLengthOffset);
  if (list_count == 0 || list_count > kMaxLists || used_length > size - kManagerHeaderSize) return Status::kPeerViolation;

  BufferManager pool;
  pool.base_ = base;
  pool.size_ = size;
  pool.role_ = Role::kMapper;
  uint64_t offset = kManagerHeaderSize;
  for (uint32_t i = 0; i < list_count; ++i) {
    if (offset + kListHeaderSize > size) return Status::kPeerViolation;
    const uint32_t count = LoadU32(base, offset + kListCapacityOffset);
    const uint32_t capacity = LoadU32(base, offset + kListSliceCapacityOffset);
    const uint64_t stride = uint64_t{kSliceHeaderSize} + capacity;
    if (count == 0 || capacity == 0) return Status::kPeerViolation;
    const uint64_t list_bytes = kListHeaderSize + uint64_t{count} * stride;
    if (offset + list_bytes > size) return Status::kPeerViolation;
    pool.lists_.push_back(ListGeometry{static_cast<uint32_t>(offset), static_cast<uint32_t>(offset + kListHeaderSize),
                                       capacity, count, static_cast<uint32_t>(stride)});
    pool.total_slices_ += count;
    offset += list_bytes;
  }
  pool.SortBySliceCapacity();
  pool.max_slice_capacity_ = pool.lists_.back().slice_capacity;
  *out = std::move(pool);
  return Status::kOk;
}

void BufferManager::SortBySliceCapacity() {
  std::stable_sort(lists_.begin(), lists_.end(),
                   [](const ListGeometry& a, const ListGeometry& b) { return a.slice_capacity < b.slice_capacity; });
}

int BufferManager::FindList(uint32_t slice_offset) const {
  for (size_t i = 0; i < lists_.size(); ++i) {
    const ListGeometry& g = lists_[i];
    if (slice_offset < g.region_offset) continue;
    const uint64_t relative = slice_offset - g.region_offset;
    if (relative >= uint64_t{g.slice_count} * g.stride) continue;
    return relative % g.stride == 0 ? static_cast<int>(i) : -1;
  }
  return -1;
}

bool BufferManager::IsFreeListOffset(const ListGeometry& g, uint32_t relative) const {
  return relative % g.stride == 0 && relative / g.stride < g.slice_count;
}

uint32_t BufferManager::SliceCapacity(uint32_t slice_offset) const {
  const int list = FindList(slice_offset);
  return list < 0 ? 0 : lists_[list].slice_capacity;
}

int64_t BufferManager::SliceIndex(uint32_t slice_offset) const {
  const int list = FindList(slice_offset);
  if (list < 0) return -1;
  int64_t before = 0;
  for (int i = 0; i < list; ++i) before += lists_[i].slice_count;
  return before + (slice_offset - lists_[list].region_offset) / lists_[list].stride;
}

Status BufferManager::PopFromList(const ListGeometry& g, uint32_t* slice_offset) {
  uint8_t* const b = base_;
  const uint32_t free_count = g.header_offset + kListFreeCountOffset;
  const uint32_t head = g.header_offset + kListHeadOffset;
  uint32_t old_head = LoadU32(b, head);
  // Reserve a slice first; the last free slice stays in the list so pop and push never meet.
  if (AddI32(b, free_count, -1) <= 0) {
    AddI32(b, free_count, 1);
    return Status::kPoolExhausted;
  }
  for (int attempt = 0; attempt < kPopAttempts; ++attempt) {
    if (!IsFreeListOffset(g, old_head)) {
      AddI32(b, free_count, 1);
      return Status::kPeerViolation;
    }
    const uint64_t slice = uint64_t{g.region_offset} + old_head;
    if (LoadU8(b, slice + kSliceFlagsOffset) & kSliceFlagHasNext) {
      const uint32_t next = LoadU32(b, slice + kSliceNextOffset);
      if (CasU32(b, head, old_head, next)) {
        StoreU8(b, slice + kSliceFlagsOffset, kSliceFlagInUse);
        AddI32(b, g.header_offset + (role_ == Role::kCreator ? kListCreatorCounterOffset : kListMapperCounterOffset), 1);
        *slice_offset = static_cast<uint32_t>(slice);
        return Status::kOk;
      }
    } else if (LoadI32(b, free_count) <= 1) {
      break;
    }
    old_head = LoadU32(b, head);
  }
  AddI32(b, free_count, 1);
  return Status::kPoolExhausted;
}

Status BufferManager::PopOne(uint32_t min_capacity, uint32_t* slice_offset) {
  for (const ListGeometry& g : lists_) {
    if (g.slice_capacity < min_capacity) continue;
    const Status s = PopFromList(g, slice_offset);
    if (s != Status::kPoolExhausted) return s;
  }
  return Status::kPoolExhausted;
}

Status BufferManager::PopChain(uint64_t bytes, std::vector<uint32_t>* slices) {
  slices->clear();
  if (bytes == 0) bytes = 1;  // an empty chunk still takes a slice, as it always has
  uint64_t covered = 0;
  // Lists above `largest` were found exhausted; a concurrent push may refill one, which only costs
  // this chain a smaller slice.
  size_t largest = lists_.size();
  while (covered < bytes) {
    const uint64_t remainder = bytes - covered;
    uint32_t one;
    // The rest fits one slice: take the smallest that covers it, so a frame a little over the
    // largest slice does not take two of them (4 MiB + 4 KiB once took two 4 MiB slices).
    if (remainder <= max_slice_capacity_) {
      const Status s = PopOne(static_cast<uint32_t>(remainder), &one);
      if (s == Status::kOk) {
        slices->push_back(one);
        return Status::kOk;
      }
      if (s != Status::kPoolExhausted) return Unwind(slices, s);
    }
    // Otherwise the largest slice still free, as shmipc-go does, to keep chains short.
    Status s = Status::kPoolExhausted;
    while (largest > 0) {
      s = PopFromList(lists_[largest - 1], &one);
      if (s != Status::kPoolExhausted) break;
      --largest;
    }
    if (s != Status::kOk) return Unwind(slices, s);
    slices->push_back(one);
    covered += lists_[largest - 1].slice_capacity;
  }
  return Status::kOk;
}

Status BufferManager::Unwind(std::vector<uint32_t>* slices, Status failure) {
  for (uint32_t slice : *slices) {
    const Status s = Push(slice);
    if (s != Status::kOk) return s;
  }
  slices->clear();
  return failure;
}

Status BufferManager::Push(uint32_t slice_offset) {
  const int index = FindList(slice_offset);
  if (index < 0) return Status::kPeerViolation;
  const ListGeometry& g = lists_[index];
  uint8_t* const b = base_;
  StoreU32(b, uint64_t{slice_offset} + kSliceCapacityOffset, g.slice_capacity);
  StoreU32(b, uint64_t{slice_offset} + kSliceSizeOffset, 0);
  StoreU32(b, uint64_t{slice_offset} + kSliceStartOffset, 0);
  StoreU8(b, uint64_t{slice_offset} + kSliceFlagsOffset, 0);
  const uint32_t new_tail = slice_offset - g.region_offset;
  const uint32_t tail = g.header_offset + kListTailOffset;
  for (int attempt = 0; attempt < kPushAttempts; ++attempt) {
    const uint32_t old_tail = LoadU32(b, tail);
    if (!IsFreeListOffset(g, old_tail)) return Status::kPeerViolation;
    if (CasU32(b, tail, old_tail, new_tail)) {
      const uint64_t previous = uint64_t{g.region_offset} + old_tail;
      StoreU32(b, previous + kSliceNextOffset, new_tail);
      OrU8(b, previous + kSliceFlagsOffset, kSliceFlagHasNext);
      AddI32(b, g.header_offset + kListFreeCountOffset, 1);
      AddI32(b, g.header_offset + (role_ == Role::kCreator ? kListCreatorCounterOffset : kListMapperCounterOffset), -1);
      return Status::kOk;
    }
  }
  return Status::kPeerViolation;
}

Status BufferManager::ReadSlice(uint32_t slice_offset, SliceView* out) const {
  const int index = FindList(slice_offset);
  if (index < 0) return Status::kPeerViolation;
  const uint32_t capacity = lists_[index].slice_capacity;
  const uint8_t* const b = base_;
  const uint32_t size = LoadU32(b, uint64_t{slice_offset} + kSliceSizeOffset);
  const uint32_t start = LoadU32(b, uint64_t{slice_offset} + kSliceStartOffset);
  const uint32_t next = LoadU32(b, uint64_t{slice_offset} + kSliceNextOffset);
  const uint8_t flags = LoadU8(b, uint64_t{slice_offset} + kSliceFlagsOffset);
  if (start > capacity || size > capacity - start) return Status::kPeerViolation;
  out->data_offset = slice_offset + kSliceHeaderSize + start;
  out->size = size;
  out->has_next = (flags & kSliceFlagHasNext) != 0;
  out->next = next;
  return Status::kOk;
}

void BufferManager::WriteSlice(uint32_t slice_offset, uint32_t size, bool has_next, uint32_t next) {
  uint8_t* const b = base_;
  StoreU32(b, uint64_t{slice_offset} + kSliceCapacityOffset, SliceCapacity(slice_offset));
  StoreU32(b, uint64_t{slice_offset} + kSliceSizeOffset, size);
  StoreU32(b, uint64_t{slice_offset} + kSliceStartOffset, 0);
  StoreU32(b, uint64_t{slice_offset} + kSliceNextOffset, has_next ? next : 0);
  StoreU8(b, uint64_t{slice_offset} + kSliceFlagsOffset,
          static_cast<uint8_t>(kSliceFlagInUse | (has_next ? kSliceFlagHasNext : 0)));
}

uint64_t BufferManager::FreeSlices() const {
  uint64_t total = 0;
  for (const ListGeometry& g : lists_) {
    const int32_t free_count = LoadI32(base_, g.header_offset + kListFreeCountOffset);
    if (free_count > 0) total += static_cast<uint32_t>(free_count);
  }
  return total;
}

}  // namespace heddle::shm
