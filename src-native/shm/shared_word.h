// Atomic access to the words of shared memory. The peer is another process, so every header field
// is read and written with __atomic builtins: the compiler may neither tear, cache nor reorder
// them. All are sequentially consistent, because the working-flag handshake (store the flag, then
// read the tail) needs a store-load fence. shmipc's x86 queue header keeps 64-bit head/tail at
// unaligned offsets; x86 performs locked operations on such addresses atomically (they never
// straddle a cache line there).
#pragma once

#include <cstdint>

namespace heddle::shm {

inline uint32_t LoadU32(const uint8_t* base, uint64_t offset) {
  return __atomic_load_n(reinterpret_cast<const uint32_t*>(base + offset), __ATOMIC_SEQ_CST);
}
inline void StoreU32(uint8_t* base, uint64_t offset, uint32_t value) {
  __atomic_store_n(reinterpret_cast<uint32_t*>(base + offset), value, __ATOMIC_SEQ_CST);
}
inline bool CasU32(uint8_t* base, uint64_t offset, uint32_t expected, uint32_t desired) {
  return __atomic_compare_exchange_n(reinterpret_cast<uint32_t*>(base + offset), &expected, desired, false,
                                     __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
// Returns the value after the addition, as Go's atomic.AddInt32 does.
inline int32_t AddI32(uint8_t* base, uint64_t offset, int32_t delta) {
  return __atomic_add_fetch(reinterpret_cast<int32_t*>(base + offset), delta, __ATOMIC_SEQ_CST);
}
inline int32_t LoadI32(const uint8_t* base, uint64_t offset) {
  return __atomic_load_n(reinterpret_cast<const int32_t*>(base + offset), __ATOMIC_SEQ_CST);
}
inline int64_t LoadI64(const uint8_t* base, uint64_t offset) {
  return __atomic_load_n(reinterpret_cast<const int64_t*>(base + offset), __ATOMIC_SEQ_CST);
}
inline void StoreI64(uint8_t* base, uint64_t offset, int64_t value) {
  __atomic_store_n(reinterpret_cast<int64_t*>(base + offset), value, __ATOMIC_SEQ_CST);
}
inline uint8_t LoadU8(const uint8_t* base, uint64_t offset) { return __atomic_load_n(base + offset, __ATOMIC_SEQ_CST); }
inline void StoreU8(uint8_t* base, uint64_t offset, uint8_t value) { __atomic_store_n(base + offset, value, __ATOMIC_SEQ_CST); }
inline void OrU8(uint8_t* base, uint64_t offset, uint8_t bits) { __atomic_fetch_or(base + offset, bits, __ATOMIC_SEQ_CST); }

}  // namespace heddle::shm
