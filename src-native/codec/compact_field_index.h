// The top-level fields of a Thrift Compact struct, found in one native pass for peekMany
// (src-ts/gateway/paths/thrift-paths.ts): each field's header offset, type, id, value start and
// value end, every value skipped as src-ts/gateway/paths/fast-skip.ts skips it. Pure C++.
//
// It never reports why it stops: input it cannot index the way the TypeScript walk would (a
// long-form field id, more fields than the caller's room) or input the walk might reject is
// refused, and the caller then runs the walk, which gives the exact error. So every check here
// is fast-skip.ts's or stricter, and an index returned is the one the walk would have found.
#pragma once

#include <cstddef>
#include <cstdint>

namespace heddle::codec {

// Numbers per field in the index: header offset, Compact type, id, value start, value end.
inline constexpr size_t kFieldIndexInts = 5;

// Indexes the struct at src[0, length) up to its STOP byte, with values nested `max_depth` levels
// at most (the top-level struct's fields are at depth 2, as skipField is called); writes
// kFieldIndexInts numbers per field into out (room for max_fields) and returns the field count,
// or -1 when the caller must walk the input itself.
int64_t IndexCompactFields(const uint8_t* src, size_t length, int32_t max_depth, int32_t* out, size_t max_fields) noexcept;

}  // namespace heddle::codec
