// <immintrin.h> for the x86 kernel files, which compile each function with its own target
// attribute. Include only under HEDDLE_X86_SIMD.
#pragma once

// GCC 12's AVX-512 intrinsic headers trip its own uninitialized-use warnings (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

// Clang 18 and later (zig's, for the prebuilds) keep 512-bit vectors behind the 'evex512' feature,
// separate from the AVX-512 instruction sets; GCC before 14 rejects the name. Append this to every
// target attribute that uses __m512i.
#if defined(__clang__) && __clang_major__ >= 18
#define HEDDLE_EVEX512 ",evex512"
#else
#define HEDDLE_EVEX512 ""
#endif
