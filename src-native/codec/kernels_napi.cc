// napi glue for the whole-buffer kernels (src-ts/kernels/native-kernels.ts is the other side).
//
// Every function takes TypedArrays plus integer offsets and counts that TypeScript has already
// validated; the checks here are assertions that keep a bug on the TS side from turning into a
// memory error. Outputs go into TypedArrays allocated in JS; statuses come back as numbers.
#include <napi.h>

#include <cstddef>
#include <cstdint>

#include "codec/byte_swap.h"
#include "codec/compact_field_index.h"
#include "codec/utf8_validate.h"
#include "codec/varint_decode.h"
#include "codec/varint_encode.h"
#include "core/addon_state.h"
#include "simd/kernel_variant.h"

namespace heddle {
namespace {

// The bytes a TypedArray views, and the size of its elements.
struct Bytes {
  uint8_t* data = nullptr;
  size_t length = 0;
  size_t element_size = 0;
};

size_t ElementSize(napi_typedarray_type type) {
  switch (type) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array: return 1;
    case napi_int16_array:
    case napi_uint16_array: return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array: return 4;
    default: return 8;
  }
}

bool GetBytes(napi_env env, napi_value value, Bytes* out) {
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (napi_get_typedarray_info(env, value, &type, &length, &data, nullptr, nullptr) != napi_ok) return false;
  out->data = static_cast<uint8_t*>(data);
  out->element_size = ElementSize(type);
  out->length = length * out->element_size;
  return true;
}

bool GetSize(napi_env env, napi_value value, size_t* out) {
  int64_t v = 0;
  if (napi_get_value_int64(env, value, &v) != napi_ok || v < 0) return false;
  *out = static_cast<size_t>(v);
  return true;
}

// Reads (src, start, end) from argv[0..2]: a TypedArray and a byte range inside it.
bool GetRange(napi_env env, const napi_value* argv, Bytes* src, size_t* start, size_t* end) {
  return GetBytes(env, argv[0], src) && GetSize(env, argv[1], start) && GetSize(env, argv[2], end) &&
         *end <= src->length && *start <= *end;
}

simd::KernelVariant GetVariant(napi_env env, napi_value value) {
  int32_t v = 0;
  if (napi_get_value_int32(env, value, &v) != napi_ok || v < 0 || v >= simd::kKernelVariantCount) {
    return simd::KernelVariant::kAuto;
  }
  return static_cast<simd::KernelVariant>(v);
}

// Throws for an argument TypeScript should never have let through, and returns undefined.
napi_value AssertionFailed(napi_env env, const char* what) {
  napi_throw_range_error(env, "ERR_INVALID_ARGUMENT", what);
  return nullptr;
}

// kernelVariants(): the names of the variants this process may run, kAuto first.
Napi::Value KernelVariants(const Napi::CallbackInfo& info) {
  Napi::Array names = Napi::Array::New(info.Env());
  uint32_t n = 0;
  for (int32_t v = 0; v < simd::kKernelVariantCount; v++) {
    const auto variant = static_cast<simd::KernelVariant>(v);
    if (simd::IsAvailable(variant)) names.Set(n++, simd::VariantName(variant));
  }
  return names;
}

// swapBytes(src, srcOffset, dst, dstOffset, count, width, variant): see codec::SwapBytes.
napi_value SwapBytes(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, cbinfo, &argc, argv, nullptr, nullptr);
  Bytes src, dst;
  size_t src_offset = 0, dst_offset = 0, count = 0, width = 0;
  if (argc < 7 || !GetBytes(env, argv[0], &src) || !GetSize(env, argv[1], &src_offset) || !GetBytes(env, argv[2], &dst) ||
      !GetSize(env, argv[3], &dst_offset) || !GetSize(env, argv[4], &count) || !GetSize(env, argv[5], &width) ||
      (width != 1 && width != 2 && width != 4 && width != 8)) {
    return AssertionFailed(env, "swapBytes: bad arguments");
  }
  if (src_offset > src.length || dst_offset > dst.length || count > (src.length - src_offset) / width ||
      count > (dst.length - dst_offset) / width) {
    return AssertionFailed(env, "swapBytes: out of bounds");
  }
  codec::SwapBytes(src.data + src_offset, dst.data + dst_offset, count, width, GetVariant(env, argv[6]));
  return nullptr;
}

// Packs a kernel result into one number: the end offset on success, else -(position * 4 + status),
// which src-ts/kernels/native-kernels.ts unpacks.
napi_value ResultValue(napi_env env, codec::KernelResult result, size_t base) {
  const double position = static_cast<double>(base + result.position);
  const double value = result.status == codec::KernelStatus::kOk
                           ? position
                           : -(position * 4 + static_cast<double>(result.status));
  napi_value out;
  napi_create_double(env, value, &out);
  return out;
}

// decodeVarints(src, start, end, out, zigzag, variant): decodes out.length varints from
// src[start, end) into an Int32Array (low 32 bits) or a BigInt64Array/BigUint64Array.
napi_value DecodeVarints(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, cbinfo, &argc, argv, nullptr, nullptr);
  Bytes src, out;
  size_t start = 0, end = 0;
  bool zigzag = false;
  if (argc < 6 || !GetRange(env, argv, &src, &start, &end) || !GetBytes(env, argv[3], &out) ||
      napi_get_value_bool(env, argv[4], &zigzag) != napi_ok || (out.element_size != 4 && out.element_size != 8)) {
    return AssertionFailed(env, "decodeVarints: bad arguments");
  }
  const size_t count = out.length / out.element_size;
  const simd::KernelVariant variant = GetVariant(env, argv[5]);
  const codec::KernelResult result =
      out.element_size == 4
          ? codec::DecodeVarint32s(src.data + start, end - start, count, zigzag, reinterpret_cast<int32_t*>(out.data), variant)
          : codec::DecodeVarint64s(src.data + start, end - start, count, zigzag, reinterpret_cast<uint64_t*>(out.data), variant);
  return ResultValue(env, result, start);
}

// countVarints(src, start, end, variant): how many varints end in src[start, end).
napi_value CountVarints(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, cbinfo, &argc, argv, nullptr, nullptr);
  Bytes src;
  size_t start = 0, end = 0;
  if (argc < 4 || !GetRange(env, argv, &src, &start, &end)) return AssertionFailed(env, "countVarints: bad arguments");
  napi_value out;
  napi_create_double(env, static_cast<double>(codec::CountVarintEnds(src.data + start, end - start, GetVariant(env, argv[3]))), &out);
  return out;
}

// skipVarints(src, start, end, count, maxBytes): the end of `count` varints of at most maxBytes
// bytes at src[start, end) (packed as ResultValue packs it), for the Compact field-path skipper.
napi_value SkipVarints(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, cbinfo, &argc, argv, nullptr, nullptr);
  Bytes src;
  size_t start = 0, end = 0, count = 0, max_bytes = 0;
  if (argc < 5 || !GetRange(env, argv, &src, &start, &end) || !GetSize(env, argv[3], &count) ||
      !GetSize(env, argv[4], &max_bytes) || max_bytes == 0 || max_bytes > codec::kMaxVarintBytes) {
    return AssertionFailed(env, "skipVarints: bad arguments");
  }
  return ResultValue(env, codec::SkipVarints(src.data + start, end - start, count, max_bytes), start);
}

// compactFieldIndex(src, maxDepth, out: Int32Array): the top-level fields of the Compact struct
// in src, kFieldIndexInts numbers each in out, and their count; -1 when JS must walk src itself.
napi_value CompactFieldIndex(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, cbinfo, &argc, argv, nullptr, nullptr);
  Bytes src, out;
  int32_t max_depth = 0;
  if (argc < 3 || !GetBytes(env, argv[0], &src) || napi_get_value_int32(env, argv[1], &max_depth) != napi_ok || !GetBytes(env, argv[2], &out) ||
      out.element_size != 4) {
    return AssertionFailed(env, "compactFieldIndex: bad arguments");
  }
  const int64_t count = codec::IndexCompactFields(src.data, src.length, max_depth, reinterpret_cast<int32_t*>(out.data),
                                                  out.length / (4 * codec::kFieldIndexInts));
  napi_value result;
  napi_create_int32(env, static_cast<int32_t>(count), &result);
  return result;
}

// varintsSize(values, zigzag): the bytes encodeVarints writes for an Int32Array or a
// BigInt64Array/BigUint64Array.
napi_value VarintsSize(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, cbinfo, &argc, argv, nullptr, nullptr);
  Bytes values;
  bool zigzag = false;
  if (argc < 2 || !GetBytes(env, argv[0], &values) || napi_get_value_bool(env, argv[1], &zigzag) != napi_ok ||
      (values.element_size != 4 && values.element_size != 8)) {
    return AssertionFailed(env, "varintsSize: bad arguments");
  }
  const size_t count = values.length / values.element_size;
  const size_t size = values.element_size == 4
                          ? codec::Varint32sSize(reinterpret_cast<const int32_t*>(values.data), count, zigzag)
                          : codec::Varint64sSize(reinterpret_cast<const uint64_t*>(values.data), count, zigzag);
  napi_value out;
  napi_create_double(env, static_cast<double>(size), &out);
  return out;
}

// encodeVarints(values, zigzag, dst, offset, variant): writes the varints at dst[offset]; the
// offset after the last byte, or -1 when dst has no room for them all.
napi_value EncodeVarints(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, cbinfo, &argc, argv, nullptr, nullptr);
  Bytes values, dst;
  bool zigzag = false;
  size_t offset = 0;
  if (argc < 5 || !GetBytes(env, argv[0], &values) || napi_get_value_bool(env, argv[1], &zigzag) != napi_ok ||
      !GetBytes(env, argv[2], &dst) || !GetSize(env, argv[3], &offset) || offset > dst.length ||
      (values.element_size != 4 && values.element_size != 8)) {
    return AssertionFailed(env, "encodeVarints: bad arguments");
  }
  const size_t count = values.length / values.element_size;
  const simd::KernelVariant variant = GetVariant(env, argv[4]);
  const codec::KernelResult result =
      values.element_size == 4
          ? codec::EncodeVarint32s(reinterpret_cast<const int32_t*>(values.data), count, zigzag, dst.data + offset,
                                   dst.length - offset, variant)
          : codec::EncodeVarint64s(reinterpret_cast<const uint64_t*>(values.data), count, zigzag, dst.data + offset,
                                   dst.length - offset, variant);
  napi_value out;
  napi_create_double(env, result.status == codec::KernelStatus::kOk ? static_cast<double>(offset + result.position) : -1.0, &out);
  return out;
}

// validateUtf8(src, start, end, variant): -1 when src[start, end) is valid UTF-8, else the
// offset in src of the first invalid sequence.
napi_value ValidateUtf8(napi_env env, napi_callback_info cbinfo) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, cbinfo, &argc, argv, nullptr, nullptr);
  Bytes src;
  size_t start = 0, end = 0;
  if (argc < 4 || !GetRange(env, argv, &src, &start, &end)) return AssertionFailed(env, "validateUtf8: bad arguments");
  const codec::KernelResult result = codec::ValidateUtf8(src.data + start, end - start, GetVariant(env, argv[3]));
  napi_value out;
  napi_create_double(env, result.status == codec::KernelStatus::kOk ? -1.0 : static_cast<double>(start + result.position), &out);
  return out;
}

// Raw napi callbacks: the kernels are called per array on hot paths, so they skip
// Napi::CallbackInfo's bookkeeping.
void Export(Napi::Env env, Napi::Object exports, const char* name, napi_callback callback) {
  napi_value fn;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, callback, nullptr, &fn) == napi_ok) {
    exports.Set(name, Napi::Value(env, fn));
  }
}

}  // namespace

void InitKernels(Napi::Env env, Napi::Object exports) {
  exports.Set("kernelVariants", Napi::Function::New<KernelVariants>(env, "kernelVariants"));
  Export(env, exports, "swapBytes", SwapBytes);
  Export(env, exports, "decodeVarints", DecodeVarints);
  Export(env, exports, "countVarints", CountVarints);
  Export(env, exports, "skipVarints", SkipVarints);
  Export(env, exports, "compactFieldIndex", CompactFieldIndex);
  Export(env, exports, "validateUtf8", ValidateUtf8);
  Export(env, exports, "varintsSize", VarintsSize);
  Export(env, exports, "encodeVarints", EncodeVarints);
}

}  // namespace heddle
