// Unit tests of the pure C++ shared-memory core (no Node-API): buffer manager, IO queue, control
// messages, and the buffer manager shared by two processes at once. Built and run by
// test/shm/native-core.test.ts, with AddressSanitizer and UndefinedBehaviorSanitizer.
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <set>
#include <vector>

#include "shm/buffer_manager.h"
#include "shm/control_message.h"
#include "shm/fault_guard.h"
#include "shm/layout.h"
#include "shm/queue.h"
#include "shm/shared_memory.h"
#include "shm/shared_word.h"

using namespace heddle::shm;

namespace {
int failures = 0;
#define CHECK(cond)                                                  \
  do {                                                               \
    if (!(cond)) {                                                   \
      std::fprintf(stderr, "%s:%d: CHECK(%s)\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                    \
    }                                                                \
  } while (0)
#define CHECK_EQ(a, b)                                                                              \
  do {                                                                                              \
    const auto va = (a);                                                                            \
    const auto vb = (b);                                                                            \
    if (!(va == vb)) {                                                                              \
      std::fprintf(stderr, "%s:%d: %s == %s (%lld vs %lld)\n", __FILE__, __LINE__, #a, #b,          \
                   static_cast<long long>(va), static_cast<long long>(vb));                         \
      ++failures;                                                                                   \
    }                                                                                               \
  } while (0)

uint8_t* SharedAnonymous(size_t size) {
  void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    std::perror("mmap");
    std::exit(2);
  }
  return static_cast<uint8_t*>(p);
}

const SliceShare kGoDefaults[3] = {{8172, 50}, {32748, 30}, {131052, 20}};

// shmipc-go's createBufferManager on 32 MiB: region = 32 MiB - 8 - 3 * 36 = 33554316 bytes;
// 50% / 8192 = 2047, 30% / 32768 = 307, 20% / 131072 = 51 slices.
void TestDefaultGeometryMatchesShmipcGo() {
  const uint64_t size = kDefaultBufferSize;
  uint8_t* mem = SharedAnonymous(size);
  BufferManager created;
  CHECK(BufferManager::Format(mem, size, kGoDefaults, 3, &created) == Status::kOk);
  CHECK_EQ(created.lists().size(), 3u);
  CHECK_EQ(created.lists()[0].slice_count, 2047u);
  CHECK_EQ(created.lists()[1].slice_count, 307u);
  CHECK_EQ(created.lists()[2].slice_count, 51u);
  CHECK_EQ(created.lists()[0].header_offset, 8u);
  CHECK_EQ(created.lists()[1].header_offset, 8u + 36 + 2047u * 8192);
  uint16_t list_count;
  std::memcpy(&list_count, mem, 2);
  CHECK_EQ(list_count, 3);
  const uint32_t used = LoadU32(mem, kManagerUsedLengthOffset);
  CHECK_EQ(used, 3u * 36 + 2047u * 8192 + 307u * 32768 + 51u * 131072);
  // List 0 header: free = capacity = 2047, head 0, tail = last slice, slice capacity 8172.
  CHECK_EQ(LoadI32(mem, 8 + kListFreeCountOffset), 2047);
  CHECK_EQ(LoadU32(mem, 8 + kListTailOffset), 2046u * 8192);
  CHECK_EQ(LoadU32(mem, 8 + kListSliceCapacityOffset), 8172u);
  // First slice: capacity 8172, linked to the second (relative offset 8192), hasNext.
  CHECK_EQ(LoadU32(mem, 44 + kSliceCapacityOffset), 8172u);
  CHECK_EQ(LoadU32(mem, 44 + kSliceNextOffset), 8192u);
  CHECK_EQ(mem[44 + kSliceFlagsOffset], kSliceFlagHasNext);

  BufferManager attached;
  CHECK(BufferManager::Attach(mem, size, &attached) == Status::kOk);
  CHECK_EQ(attached.total_slices(), 2405u);
  for (size_t i = 0; i < 3; ++i) {
    CHECK_EQ(attached.lists()[i].region_offset, created.lists()[i].region_offset);
    CHECK_EQ(attached.lists()[i].stride, created.lists()[i].stride);
  }
  munmap(mem, size);
}

void TestPopPushKeepsTheLastSlice() {
  const uint64_t size = 1 << 20;
  uint8_t* mem = SharedAnonymous(size);
  const SliceShare one[1] = {{4076, 100}};  // stride 4096
  BufferManager pool;
  CHECK(BufferManager::Format(mem, size, one, 1, &pool) == Status::kOk);
  const uint32_t count = pool.lists()[0].slice_count;
  std::vector<uint32_t> held;
  std::set<uint32_t> distinct;
  uint32_t slice;
  while (pool.PopOne(1, &slice) == Status::kOk) {
    held.push_back(slice);
    distinct.insert(slice);
    CHECK_EQ(mem[slice + kSliceFlagsOffset], kSliceFlagInUse);
  }
  CHECK_EQ(held.size(), count - 1);  // the last free slice is never handed out
  CHECK_EQ(distinct.size(), held.size());
  CHECK(pool.PopOne(1, &slice) == Status::kPoolExhausted);
  CHECK(pool.PopOne(5000, &slice) == Status::kPoolExhausted);  // larger than any slice
  for (uint32_t s : held) CHECK(pool.Push(s) == Status::kOk);
  CHECK_EQ(pool.FreeSlices(), count);
  // Recycled slices come back in FIFO order after the one that stayed.
  CHECK(pool.PopOne(1, &slice) == Status::kOk);
  CHECK_EQ(slice, pool.lists()[0].region_offset + (count - 1) * 4096u);
  CHECK(pool.PopOne(1, &slice) == Status::kOk);
  CHECK_EQ(slice, held[0]);
  munmap(mem, size);
}

void TestChainAllocationIsAllOrNothing() {
  const uint64_t size = 4 << 20;
  uint8_t* mem = SharedAnonymous(size);
  BufferManager pool;
  const SliceShare shares[2] = {{1004, 50}, {16364, 50}};
  CHECK(BufferManager::Format(mem, size, shares, 2, &pool) == Status::kOk);
  std::vector<uint32_t> chain;
  CHECK(pool.PopChain(100, &chain) == Status::kOk);  // one small slice
  CHECK_EQ(chain.size(), 1u);
  CHECK_EQ(pool.SliceCapacity(chain[0]), 1004u);
  for (uint32_t s : chain) CHECK(pool.Push(s) == Status::kOk);
  CHECK(pool.PopChain(40000, &chain) == Status::kOk);  // largest slices first: 3 x 16364
  CHECK_EQ(chain.size(), 3u);
  for (uint32_t s : chain) CHECK_EQ(pool.SliceCapacity(s), 16364u);
  for (uint32_t s : chain) CHECK(pool.Push(s) == Status::kOk);
  const uint64_t free_before = pool.FreeSlices();
  CHECK(pool.PopChain(uint64_t{64} << 20, &chain) == Status::kPoolExhausted);
  CHECK(chain.empty());
  CHECK_EQ(pool.FreeSlices(), free_before);

  // When every list that could cover the rest is exhausted, the chain goes on with smaller slices.
  std::vector<uint32_t> large;
  uint32_t slice;
  while (pool.PopOne(16364, &slice) == Status::kOk) large.push_back(slice);
  CHECK(pool.PopChain(5000, &chain) == Status::kOk);
  CHECK_EQ(chain.size(), 5u);
  for (uint32_t s : chain) CHECK_EQ(pool.SliceCapacity(s), 1004u);
  for (uint32_t s : chain) CHECK(pool.Push(s) == Status::kOk);
  // Larger than any slice with the largest list empty: all small slices, or nothing at all.
  CHECK(pool.PopChain(20000, &chain) == Status::kOk);
  CHECK_EQ(chain.size(), 20u);
  for (uint32_t s : chain) CHECK(pool.Push(s) == Status::kOk);
  CHECK(pool.PopChain(uint64_t{1004} * pool.lists()[0].slice_count, &chain) == Status::kPoolExhausted);
  CHECK(chain.empty());
  for (uint32_t s : large) CHECK(pool.Push(s) == Status::kOk);
  CHECK_EQ(pool.FreeSlices(), free_before);
  munmap(mem, size);
}

// Free slices of each list, as the shared counters say.
std::vector<int32_t> FreePerList(const uint8_t* mem, const BufferManager& pool) {
  std::vector<int32_t> out;
  for (const ListGeometry& g : pool.lists()) out.push_back(LoadI32(mem, g.header_offset + kListFreeCountOffset));
  return out;
}

// heddle's default v3 pool (src-ts/shm/layout.ts DEFAULT_V3_SLICE_SIZES). A frame a little over the
// largest slice takes one largest slice and one smallest slice for its tail: finishing the chain
// with another 4 MiB slice, as the largest-first order did, let 7 such frames exhaust the 15-slot
// 4 MiB list (the last free slice is never handed out, so 14 chains fit now).
void TestChainFinishesWithTheSmallestCoveringSlice() {
  const uint64_t size = 192u << 20;
  uint8_t* mem = SharedAnonymous(size);
  const SliceShare shares[5] = {{8172, 10}, {32748, 7}, {131052, 10}, {1052652, 40}, {4198380, 33}};
  BufferManager pool;
  CHECK(BufferManager::Format(mem, size, shares, 5, &pool) == Status::kOk);
  const std::vector<int32_t> initial = FreePerList(mem, pool);
  CHECK_EQ(initial[4], 15);
  const uint64_t frame = (uint64_t{4} << 20) + 4077;  // 4 MiB of payload and a frame header
  std::vector<uint32_t> chain;
  CHECK(pool.PopChain(frame, &chain) == Status::kOk);
  CHECK_EQ(chain.size(), 2u);
  CHECK_EQ(pool.SliceCapacity(chain[0]), 4198380u);
  CHECK_EQ(pool.SliceCapacity(chain[1]), 8172u);
  std::vector<int32_t> expected = initial;
  expected[0] -= 1;
  expected[4] -= 1;
  CHECK(FreePerList(mem, pool) == expected);
  for (uint32_t s : chain) CHECK(pool.Push(s) == Status::kOk);
  CHECK(FreePerList(mem, pool) == initial);

  // A rest of 600,000 bytes goes in one 1 MiB slice, not in five 128 KiB ones nor a 4 MiB one.
  CHECK(pool.PopChain(4198380u + 600000u, &chain) == Status::kOk);
  CHECK_EQ(chain.size(), 2u);
  CHECK_EQ(pool.SliceCapacity(chain[1]), 1052652u);
  for (uint32_t s : chain) CHECK(pool.Push(s) == Status::kOk);

  std::vector<std::vector<uint32_t>> held;
  for (int i = 0; i < 14; ++i) {
    CHECK(pool.PopChain(frame, &chain) == Status::kOk);
    CHECK_EQ(chain.size(), 2u);
    CHECK_EQ(pool.SliceCapacity(chain[0]), 4198380u);
    held.push_back(chain);
  }
  CHECK_EQ(FreePerList(mem, pool)[4], 1);
  // With the 4 MiB list exhausted, a large frame is carried by four 1 MiB slices (4,210,608 bytes).
  CHECK(pool.PopChain(frame, &chain) == Status::kOk);
  CHECK_EQ(chain.size(), 4u);
  for (uint32_t s : chain) CHECK_EQ(pool.SliceCapacity(s), 1052652u);
  held.push_back(chain);
  for (const auto& c : held) {
    for (uint32_t s : c) CHECK(pool.Push(s) == Status::kOk);
  }
  CHECK(FreePerList(mem, pool) == initial);
  munmap(mem, size);
}

void TestCorruptHeadersAreViolations() {
  const uint64_t size = 1 << 20;
  uint8_t* mem = SharedAnonymous(size);
  const SliceShare one[1] = {{4076, 100}};
  BufferManager pool;
  CHECK(BufferManager::Format(mem, size, one, 1, &pool) == Status::kOk);
  const ListGeometry g = pool.lists()[0];
  uint32_t slice;
  CHECK(pool.PopOne(1, &slice) == Status::kOk);
  SliceView view;
  pool.WriteSlice(slice, 10, false, 0);
  CHECK(pool.ReadSlice(slice, &view) == Status::kOk);
  CHECK_EQ(view.size, 10u);
  CHECK_EQ(view.data_offset, slice + kSliceHeaderSize);
  // Size beyond the capacity, start beyond the capacity, size + start beyond it.
  StoreU32(mem, slice + kSliceSizeOffset, 4077);
  CHECK(pool.ReadSlice(slice, &view) == Status::kPeerViolation);
  StoreU32(mem, slice + kSliceSizeOffset, 1);
  StoreU32(mem, slice + kSliceStartOffset, 4076);
  CHECK(pool.ReadSlice(slice, &view) == Status::kPeerViolation);
  StoreU32(mem, slice + kSliceStartOffset, 0xffffffff);
  CHECK(pool.ReadSlice(slice, &view) == Status::kPeerViolation);
  // Offsets that are not slice headers.
  CHECK(pool.ReadSlice(0, &view) == Status::kPeerViolation);
  CHECK(pool.ReadSlice(g.header_offset, &view) == Status::kPeerViolation);
  CHECK(pool.ReadSlice(slice + 4, &view) == Status::kPeerViolation);
  CHECK(pool.ReadSlice(0xfffffff0, &view) == Status::kPeerViolation);
  CHECK(pool.Push(slice + 4) == Status::kPeerViolation);
  // A head or tail that is not a slice of the list.
  StoreU32(mem, g.header_offset + kListHeadOffset, 13);
  CHECK(pool.PopOne(1, &slice) == Status::kPeerViolation);
  StoreU32(mem, g.header_offset + kListHeadOffset, g.stride * g.slice_count);
  CHECK(pool.PopOne(1, &slice) == Status::kPeerViolation);
  StoreU32(mem, g.header_offset + kListTailOffset, 0x7fffffff);
  CHECK(pool.Push(g.region_offset) == Status::kPeerViolation);
  // Attach refuses headers that do not fit the memory.
  BufferManager attached;
  StoreU32(mem, g.header_offset + kListCapacityOffset, 0x10000000);
  CHECK(BufferManager::Attach(mem, size, &attached) == Status::kPeerViolation);
  StoreU32(mem, g.header_offset + kListCapacityOffset, g.slice_count);
  StoreU32(mem, 0, 0);  // zero lists
  CHECK(BufferManager::Attach(mem, size, &attached) == Status::kPeerViolation);
  StoreU32(mem, 0, 1000);  // more lists than allowed
  CHECK(BufferManager::Attach(mem, size, &attached) == Status::kPeerViolation);
  munmap(mem, size);
}

// Two processes pop and recycle concurrently on one pool, as a client and server do. An ownership
// table in shared memory catches a slice handed out twice; at the end every free list must be
// intact: walking it from head reaches exactly freeCount slices, ending at tail.
void TestTwoProcessesShareThePool() {
  const uint64_t size = 2 << 20;
  uint8_t* mem = SharedAnonymous(size);
  const SliceShare shares[2] = {{492, 60}, {4076, 40}};
  BufferManager pool;
  CHECK(BufferManager::Format(mem, size, shares, 2, &pool) == Status::kOk);
  uint32_t* owner = reinterpret_cast<uint32_t*>(SharedAnonymous(pool.total_slices() * 4 + 4));
  uint32_t* double_allocations = owner + pool.total_slices();

  auto worker = [&](uint32_t me, BufferManager local, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<uint32_t> held;
    for (int i = 0; i < 200000; ++i) {
      if (held.size() < 40 && (rng() % 2 == 0 || held.empty())) {
        uint32_t slice;
        const uint32_t want = rng() % 2 == 0 ? 100 : 3000;
        if (local.PopOne(want, &slice) != Status::kOk) continue;
        const int64_t index = local.SliceIndex(slice);
        uint32_t expected = 0;
        if (!__atomic_compare_exchange_n(&owner[index], &expected, me, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
          __atomic_fetch_add(double_allocations, 1, __ATOMIC_SEQ_CST);
        }
        held.push_back(slice);
      } else {
        const size_t pick = rng() % held.size();
        const uint32_t slice = held[pick];
        held[pick] = held.back();
        held.pop_back();
        __atomic_store_n(&owner[local.SliceIndex(slice)], 0u, __ATOMIC_SEQ_CST);
        if (local.Push(slice) != Status::kOk) __atomic_fetch_add(double_allocations, 1, __ATOMIC_SEQ_CST);
      }
    }
    for (uint32_t slice : held) {
      __atomic_store_n(&owner[local.SliceIndex(slice)], 0u, __ATOMIC_SEQ_CST);
      local.Push(slice);
    }
  };

  const pid_t child = fork();
  if (child == 0) {
    BufferManager mapped;
    if (BufferManager::Attach(mem, size, &mapped) != Status::kOk) _exit(3);
    worker(2, mapped, 7);
    _exit(0);
  }
  worker(1, pool, 11);
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CHECK_EQ(*double_allocations, 0u);
  for (const ListGeometry& g : pool.lists()) {
    const int32_t free_count = LoadI32(mem, g.header_offset + kListFreeCountOffset);
    CHECK_EQ(free_count, static_cast<int32_t>(g.slice_count));
    uint32_t at = LoadU32(mem, g.header_offset + kListHeadOffset);
    int32_t walked = 1;
    while (mem[g.region_offset + at + kSliceFlagsOffset] & kSliceFlagHasNext) {
      at = LoadU32(mem, g.region_offset + at + kSliceNextOffset);
      if (++walked > free_count) break;
    }
    CHECK_EQ(walked, free_count);
    CHECK_EQ(at, LoadU32(mem, g.header_offset + kListTailOffset));
  }
  munmap(owner, pool.total_slices() * 4 + 4);
  munmap(mem, size);
}

void TestQueueFifoFullAndWorkingFlag() {
  const uint32_t capacity = 4;
  const uint64_t region = IoQueue::RegionSize(capacity);
  CHECK_EQ(region, 24u + 48u);
  uint8_t* mem = SharedAnonymous(region * 2);
  IoQueue producer;
  IoQueue consumer;
  CHECK(IoQueue::Format(mem, region, capacity, &producer) == Status::kOk);
  CHECK(IoQueue::Attach(mem, region, &consumer) == Status::kOk);
  CHECK_EQ(consumer.capacity(), capacity);
  QueueElement e;
  CHECK(consumer.Pop(&e) == Status::kQueueEmpty);
  for (uint32_t i = 0; i < capacity; ++i) CHECK(producer.Put({i, 100 + i, 0}) == Status::kOk);
  CHECK(producer.Put({9, 9, 0}) == Status::kQueueFull);
  // Element layout: stream id, offset, status at +24.
  CHECK_EQ(LoadU32(mem, 24 + 12 * 2 + kElementOffsetOffset), 102u);
  CHECK_EQ(LoadI64(mem, kQueueTailOffset), 4);
  for (uint32_t i = 0; i < capacity; ++i) {
    CHECK(consumer.Pop(&e) == Status::kOk);
    CHECK_EQ(e.stream_id, i);
    CHECK_EQ(e.offset, 100 + i);
  }
  CHECK(producer.Put({5, 5, 1}) == Status::kOk);  // wraps to slot 0
  CHECK(consumer.Pop(&e) == Status::kOk);
  CHECK_EQ(e.status, 1u);
  // Working flag: only the 0 -> 1 transition asks for a notification.
  CHECK(producer.MarkWorking());
  CHECK(!producer.MarkWorking());
  CHECK(consumer.MarkNotWorking());  // empty: cleared for good
  CHECK(producer.Put({6, 6, 0}) == Status::kOk);
  CHECK(producer.MarkWorking());
  CHECK(!consumer.MarkNotWorking());  // not empty: set again, keep draining
  CHECK_EQ(LoadU32(mem, kQueueWorkingOffset), 1u);
  CHECK(consumer.Pop(&e) == Status::kOk);
  CHECK(consumer.MarkNotWorking());
  // Corrupt head/tail and capacity are violations.
  StoreI64(mem, kQueueTailOffset, LoadI64(mem, kQueueHeadOffset) + capacity + 1);
  CHECK(consumer.Pop(&e) == Status::kPeerViolation);
  CHECK(producer.Put({1, 1, 0}) == Status::kPeerViolation);
  StoreI64(mem, kQueueHeadOffset, -5);
  CHECK(consumer.Pop(&e) == Status::kPeerViolation);
  StoreU32(mem, kQueueCapacityOffset, 1000);
  CHECK(IoQueue::Attach(mem, region, &consumer) == Status::kPeerViolation);
  StoreU32(mem, kQueueCapacityOffset, 0);
  CHECK(IoQueue::Attach(mem, region, &consumer) == Status::kPeerViolation);
  munmap(mem, region * 2);
}

void TestControlMessages() {
  std::vector<uint8_t> out;
  AppendShareMemory(&out, 3, MessageType::kShareMemoryByMemfd, "/q", "/buf");
  const uint8_t expected[] = {0, 0, 0, 18, 0x77, 0x58, 3, 5, 0, 2, '/', 'q', 0, 4, '/', 'b', 'u', 'f'};
  CHECK_EQ(out.size(), sizeof expected);
  CHECK(std::memcmp(out.data(), expected, sizeof expected) == 0);
  ControlHeader h;
  CHECK(ParseControlHeader(out.data(), 1024, &h) == Status::kOk);
  CHECK_EQ(h.length, 18u);
  CHECK_EQ(h.version, 3);
  CHECK(h.type == MessageType::kShareMemoryByMemfd);
  std::string q, b;
  CHECK(ParseShareMemoryBody(out.data() + 8, 10, &q, &b) == Status::kOk);
  CHECK(q == "/q" && b == "/buf");
  CHECK(ParseShareMemoryBody(out.data() + 8, 9, &q, &b) == Status::kBadFrame);  // truncated name
  const uint8_t empty_name[] = {0, 0, 0, 1, 'x'};
  CHECK(ParseShareMemoryBody(empty_name, 5, &q, &b) == Status::kBadFrame);
  const uint8_t nul_name[] = {0, 1, 0, 0, 1, 'x'};
  CHECK(ParseShareMemoryBody(nul_name, 6, &q, &b) == Status::kBadFrame);

  out.clear();
  AppendFallbackHead(&out, 2, 7, 0, 5);
  const uint8_t fallback[] = {0, 0, 0, 21, 0x77, 0x58, 2, 3, 0, 0, 0, 7, 0, 0, 0, 0};
  CHECK_EQ(out.size(), sizeof fallback);
  CHECK(std::memcmp(out.data(), fallback, sizeof fallback) == 0);
  out.clear();
  AppendStreamClose(&out, 3, 0x01020304);
  const uint8_t close_msg[] = {0, 0, 0, 12, 0x77, 0x58, 3, 2, 1, 2, 3, 4};
  CHECK(std::memcmp(out.data(), close_msg, sizeof close_msg) == 0);

  uint8_t bad[8] = {0, 0, 0, 8, 0x77, 0x58, 2, 1};
  CHECK(ParseControlHeader(bad, 64, &h) == Status::kOk);
  bad[5] = 0x59;
  CHECK(ParseControlHeader(bad, 64, &h) == Status::kBadFrame);  // magic
  bad[5] = 0x58;
  bad[6] = 0;
  CHECK(ParseControlHeader(bad, 64, &h) == Status::kBadFrame);  // version 0
  bad[6] = 2;
  bad[7] = 10;
  CHECK(ParseControlHeader(bad, 64, &h) == Status::kBadFrame);  // type
  bad[7] = 1;
  bad[3] = 7;
  CHECK(ParseControlHeader(bad, 64, &h) == Status::kBadFrame);  // shorter than the header
  bad[3] = 65;
  CHECK(ParseControlHeader(bad, 64, &h) == Status::kBadFrame);  // over the limit

  // Small control messages are bounded by their type, not by the FallbackData limit: a Polling
  // that claims a body, or a StreamClose longer than its stream id, is refused at the header.
  const uint32_t fallback_limit = 64u << 20;
  uint8_t header[8] = {0, 0, 0, 0, 0x77, 0x58, 3, 0};
  const auto parse = [&](MessageType type, uint32_t length) {
    header[0] = static_cast<uint8_t>(length >> 24);
    header[1] = static_cast<uint8_t>(length >> 16);
    header[2] = static_cast<uint8_t>(length >> 8);
    header[3] = static_cast<uint8_t>(length);
    header[7] = static_cast<uint8_t>(type);
    return ParseControlHeader(header, fallback_limit, &h);
  };
  CHECK(parse(MessageType::kPolling, 8) == Status::kOk);
  CHECK(parse(MessageType::kPolling, 9) == Status::kBadFrame);
  CHECK(parse(MessageType::kPolling, fallback_limit) == Status::kBadFrame);
  CHECK(parse(MessageType::kStreamClose, 12) == Status::kOk);
  CHECK(parse(MessageType::kStreamClose, 13) == Status::kBadFrame);
  CHECK(parse(MessageType::kStreamClose, 0xffffffffu) == Status::kBadFrame);
  CHECK(parse(MessageType::kHotRestart, 16) == Status::kOk);
  CHECK(parse(MessageType::kHotRestart, 17) == Status::kBadFrame);
  CHECK(parse(MessageType::kAckShareMemory, 8 + kSmallMessageSlack) == Status::kOk);
  CHECK(parse(MessageType::kAckShareMemory, 9 + kSmallMessageSlack) == Status::kBadFrame);
  CHECK(parse(MessageType::kShareMemoryByMemfd, 8 + 2 * (2 + 4096)) == Status::kOk);
  CHECK(parse(MessageType::kShareMemoryByMemfd, 9 + 2 * (2 + 4096)) == Status::kBadFrame);
  CHECK(parse(MessageType::kFallbackData, fallback_limit) == Status::kOk);
  CHECK(parse(MessageType::kFallbackData, fallback_limit + 1) == Status::kBadFrame);
  CHECK_EQ(MaxControlMessageLength(MessageType::kFallbackData, 100), 100u);
  CHECK_EQ(MaxControlMessageLength(MessageType::kStreamClose, 10), 10u);  // never above the limit
}

// A peer truncating memory we mapped: the access that would raise SIGBUS reads zeros instead, the
// region is poisoned, the pages before the new end are still shared, and a SIGBUS outside every
// guarded mapping still reaches the handler that was there first.
volatile sig_atomic_t previous_handler_calls = 0;
void PreviousHandler(int, siginfo_t*, void*) { previous_handler_calls = previous_handler_calls + 1; }

void TestTruncationIsAbsorbed() {
  struct sigaction previous = {};
  previous.sa_sigaction = PreviousHandler;
  previous.sa_flags = SA_SIGINFO;
  sigemptyset(&previous.sa_mask);
  struct sigaction saved;
  CHECK(sigaction(SIGBUS, &previous, &saved) == 0);

  const long page = sysconf(_SC_PAGESIZE);
  const int fd = memfd_create("heddle-core-test", MFD_CLOEXEC);
  CHECK(fd >= 0);
  CHECK(ftruncate(fd, 4 * page) == 0);
  const int guarded_before = GuardedMappingCount();
  {
    MappedRegion region;
    CHECK(region.Map(fd, 4 * page).ok());
    CHECK(GuardedMappingCount() == guarded_before + 1);
    std::memset(region.data(), 0x5a, 4 * page);
    CHECK(!region.poisoned());
    CHECK(ftruncate(fd, page) == 0);
    volatile uint8_t* bytes = region.data();
    CHECK(bytes[3 * page] == 0);  // SIGBUS without the guard
    CHECK(region.poisoned());
    CHECK(bytes[page - 1] == 0x5a);  // still the file's page
    CHECK(bytes[2 * page] == 0);
    bytes[2 * page] = 1;  // writable private pages: a write that faulted resumes too
    CHECK(previous_handler_calls == 0);
  }
  CHECK(GuardedMappingCount() == guarded_before);
  close(fd);

  // A SIGBUS sent by someone is not ours: the previous handler gets it.
  raise(SIGBUS);
  CHECK(previous_handler_calls == 1);
  CHECK(sigaction(SIGBUS, &saved, nullptr) == 0);
}
}  // namespace

int main() {
  TestDefaultGeometryMatchesShmipcGo();
  TestPopPushKeepsTheLastSlice();
  TestChainAllocationIsAllOrNothing();
  TestChainFinishesWithTheSmallestCoveringSlice();
  TestCorruptHeadersAreViolations();
  TestTwoProcessesShareThePool();
  TestQueueFifoFullAndWorkingFlag();
  TestControlMessages();
  TestTruncationIsAbsorbed();
  if (failures != 0) {
    std::fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  std::printf("core tests passed\n");
  return 0;
}
