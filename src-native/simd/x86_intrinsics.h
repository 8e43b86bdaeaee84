// <immintrin.h> for the x86 kernel files, which compile each function with its own target
// attribute. Include only under HEDDLE_X86_SIMD.
#pragma once

// GCC 12's AVX-512 intrinsic headers trip its own uninitialized-use warnings (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
