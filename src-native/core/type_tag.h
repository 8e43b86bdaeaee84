// Type tags for wrapped objects: a method called with a foreign `this` (another class's wrapped
// object, or a plain object) throws "Illegal invocation" instead of reinterpreting its memory.
#pragma once

#include <napi.h>

namespace heddle {

inline void TagObject(Napi::Env env, Napi::Object object, const napi_type_tag& tag) {
  napi_type_tag_object(env, object, &tag);
}

// Throws a TypeError and returns false when `value` does not carry `tag`.
inline bool CheckTag(Napi::Env env, Napi::Value value, const napi_type_tag& tag) {
  bool matches = false;
  if (value.IsObject()) napi_check_object_type_tag(env, value, &tag, &matches);
  if (!matches) Napi::TypeError::New(env, "Illegal invocation").ThrowAsJavaScriptException();
  return matches;
}

}  // namespace heddle
