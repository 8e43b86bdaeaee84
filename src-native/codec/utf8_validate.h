// UTF-8 validation exactly as WHATWG's decoder with fatal: true accepts bytes (Unicode Table 3-7):
// no overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated
// sequence. Pure C++ (no napi.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "codec/kernel_status.h"
#include "simd/kernel_variant.h"

namespace heddle::codec {

// kOk with position == length when src[0, length) is valid; otherwise kInvalid with the offset
// where the first invalid sequence starts (a sequence cut off by the end is invalid at its lead).
KernelResult ValidateUtf8(const uint8_t* src, size_t length,
                          simd::KernelVariant variant = simd::KernelVariant::kAuto) noexcept;

}  // namespace heddle::codec
