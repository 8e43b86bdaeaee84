// The lookup tables of the SIMD UTF-8 check (see utf8_simd.h for what each bit means).
#include "simd/utf8_simd.h"

namespace heddle::simd {

using namespace utf8_error;

alignas(16) const Utf8Tables kUtf8Tables = {
    // byte1_high: the previous byte's high nibble.
    {kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, kTooLong,  // 0..7: ASCII
     kTwoConts, kTwoConts, kTwoConts, kTwoConts,                                      // 8..B: continuation
     kTooShort | kOverlong2,                                                          // C
     kTooShort,                                                                       // D
     kTooShort | kOverlong3 | kSurrogate,                                             // E
     kTooShort | kTooLarge | kTooLarge1000 | kOverlong4},                             // F
    // byte1_low: the previous byte's low nibble.
    {kCarry | kOverlong3 | kOverlong2 | kOverlong4,  // x0
     kCarry | kOverlong2,                           // x1
     kCarry, kCarry,                                // x2, x3
     kCarry | kTooLarge,                            // x4
     kCarry | kTooLarge | kTooLarge1000, kCarry | kTooLarge | kTooLarge1000,  // x5, x6
     kCarry | kTooLarge | kTooLarge1000, kCarry | kTooLarge | kTooLarge1000,  // x7, x8
     kCarry | kTooLarge | kTooLarge1000, kCarry | kTooLarge | kTooLarge1000,  // x9, xA
     kCarry | kTooLarge | kTooLarge1000, kCarry | kTooLarge | kTooLarge1000,  // xB, xC
     kCarry | kTooLarge | kTooLarge1000 | kSurrogate,                         // xD
     kCarry | kTooLarge | kTooLarge1000, kCarry | kTooLarge | kTooLarge1000},  // xE, xF
    // byte2_high: this byte's high nibble.
    {kTooShort, kTooShort, kTooShort, kTooShort, kTooShort, kTooShort, kTooShort, kTooShort,  // 0..7
     kTooLong | kOverlong2 | kTwoConts | kOverlong3 | kTooLarge1000 | kOverlong4,             // 8
     kTooLong | kOverlong2 | kTwoConts | kOverlong3 | kTooLarge,                               // 9
     kTooLong | kOverlong2 | kTwoConts | kSurrogate | kTooLarge,                               // A
     kTooLong | kOverlong2 | kTwoConts | kSurrogate | kTooLarge,                               // B
     kTooShort, kTooShort, kTooShort, kTooShort},                                             // C..F
};

}  // namespace heddle::simd
