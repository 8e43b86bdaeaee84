// The shm functions heddle.node exports. TypeScript (src-ts/shm/native-shm.ts) validates every
// argument first; these check types only to never crash, and return status codes (negative:
// failure, details from shmLastError()) instead of throwing.
#include <napi.h>

#include <algorithm>
#include <string>

#include "core/addon_state.h"
#include "shm/environment_napi.h"
#include "shm/fault_guard.h"
#include "shm/layout.h"
#include "shm/listener_napi.h"
#include "shm/session_napi.h"
#include "shm/shared_memory.h"
#include "shm/unix_socket.h"

namespace heddle {
namespace shm {
namespace {

uint32_t U32(const Napi::Object& o, const char* key, uint32_t fallback) {
  const Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().Uint32Value() : fallback;
}

std::vector<uint32_t> U32List(const Napi::Object& o, const char* key) {
  std::vector<uint32_t> out;
  const Napi::Value v = o.Get(key);
  if (!v.IsArray()) return out;
  const Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); ++i) out.push_back(a.Get(i).As<Napi::Number>().Uint32Value());
  return out;
}

SessionOptions ReadOptions(const Napi::Value& value) {
  SessionOptions options;
  if (!value.IsObject()) return options;
  const Napi::Object o = value.As<Napi::Object>();
  options.version = static_cast<uint8_t>(U32(o, "version", options.version));
  const Napi::Value prefix = o.Get("namePrefix");
  if (prefix.IsString()) options.name_prefix = prefix.As<Napi::String>().Utf8Value();
  options.buffer_size = U32(o, "bufferSize", options.buffer_size);
  options.queue_capacity = U32(o, "queueCapacity", options.queue_capacity);
  const std::vector<uint32_t> capacities = U32List(o, "sliceCapacities");
  const std::vector<uint32_t> percents = U32List(o, "slicePercents");
  for (size_t i = 0; i < capacities.size() && i < percents.size(); ++i) {
    options.slices.push_back(SliceShare{capacities[i], percents[i]});
  }
  options.file_mode = U32(o, "fileMode", options.file_mode);
  options.allowed_uids = U32List(o, "allowedUids");
  const Napi::Value max_peer = o.Get("maxPeerMemory");
  if (max_peer.IsNumber()) options.max_peer_memory = static_cast<uint64_t>(max_peer.As<Napi::Number>().Int64Value());
  options.max_message_bytes = U32(o, "maxMessageBytes", options.max_message_bytes);
  const Napi::Value max_queued = o.Get("maxQueuedOutput");
  if (max_queued.IsNumber()) options.max_queued_output = static_cast<uint64_t>(max_queued.As<Napi::Number>().Int64Value());
  return options;
}

bool IsCallable(const Napi::Value& v, const char* what) {
  if (v.IsFunction()) return true;
  Napi::TypeError::New(v.Env(), std::string(what) + " must be a function").ThrowAsJavaScriptException();
  return false;
}

// shmConnect(socketPath, options, onEvents) -> session | { status, errno, message }
Napi::Value Connect(const Napi::CallbackInfo& info) {
  ShmEnvironment* environment = EnvironmentOf(info);
  if (!info[0].IsString() || !IsCallable(info[2], "onEvents")) return info.Env().Undefined();
  std::unique_ptr<Session> session;
  const Outcome o = Session::StartClient(info[0].As<Napi::String>().Utf8Value(), ReadOptions(info[1]), &session);
  if (!o.ok()) return FailureObject(info.Env(), o, "connect");
  auto* handle = new SessionHandle(environment, std::move(session));
  Napi::Object wrapper = handle->Wrap(info.Env());
  handle->Bind(info.Env(), info[2].As<Napi::Function>());
  return wrapper;
}

// shmBind(session, onEvents): starts a server session the listener handed over.
Napi::Value Bind(const Napi::CallbackInfo& info) {
  SessionHandle* handle = SessionHandle::Unwrap(info[0]);
  if (handle == nullptr || !IsCallable(info[1], "onEvents")) return info.Env().Undefined();
  if (!handle->closed()) handle->Bind(info.Env(), info[1].As<Napi::Function>());
  return info.Env().Undefined();
}

// shmListen(socketPath, options, onAccept) -> listener | { status, errno, message }
Napi::Value Listen(const Napi::CallbackInfo& info) {
  if (!info[0].IsString() || !IsCallable(info[2], "onAccept")) return info.Env().Undefined();
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  const Napi::Object options = info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(info.Env());
  int fd = -1;
  const Outcome o = ListenUnix(path, U32(options, "socketMode", 0600), static_cast<int>(U32(options, "backlog", 511)), &fd);
  if (!o.ok()) return FailureObject(info.Env(), o, "listen on " + path);
  auto* handle = new ListenerHandle(EnvironmentOf(info), fd, path, ReadOptions(options));
  Napi::Object wrapper = handle->Wrap(info.Env());
  handle->Start(info.Env(), info[2].As<Napi::Function>());
  return wrapper;
}

Napi::Value ListenerClose(const Napi::CallbackInfo& info) {
  ListenerHandle* handle = ListenerHandle::Unwrap(info[0]);
  if (handle != nullptr) handle->Close(info.Env());
  return info.Env().Undefined();
}

// shmSend(session, streamId, bytes, deferNotify?) -> 0 through shared memory, 1 through FallbackData,
// < 0 failed. With deferNotify the peer is woken by the next shmNotify (or any later notifying send).
Napi::Value Send(const Napi::CallbackInfo& info) {
  SessionHandle* handle = SessionHandle::Unwrap(info[0]);
  if (handle == nullptr || !info[2].IsTypedArray()) return info.Env().Undefined();
  const Napi::Uint8Array bytes = info[2].As<Napi::Uint8Array>();
  bool via_fallback = false;
  const Outcome o = handle->session().Send(info[1].As<Napi::Number>().Uint32Value(), bytes.Data(), bytes.ByteLength(),
                                           &via_fallback, info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value());
  const int32_t status = handle->Finish(info.Env(), o, "send");
  return Napi::Number::New(info.Env(), status == 0 && via_fallback ? 1 : status);
}

// shmSendFallback(session, streamId, bytes): FallbackData for a chunk JavaScript built on the heap.
Napi::Value SendFallback(const Napi::CallbackInfo& info) {
  SessionHandle* handle = SessionHandle::Unwrap(info[0]);
  if (handle == nullptr || !info[2].IsTypedArray()) return info.Env().Undefined();
  const Napi::Uint8Array bytes = info[2].As<Napi::Uint8Array>();
  const Outcome o = handle->session().SendFallback(info[1].As<Napi::Number>().Uint32Value(), bytes.Data(), bytes.ByteLength());
  return Napi::Number::New(info.Env(), handle->Finish(info.Env(), o, "send fallback data"));
}

// shmAllocate(session, bytes, out) -> allocation id; kAllocatePoolExhausted when no slices are free
// (send FallbackData instead); kAllocateOutputFull when none are free and FallbackData of that size
// would be refused too (kOutputLimit: retry later, before encoding anything); another negative
// status on failure. out = [count, (data offset, capacity)*].
constexpr int32_t kAllocatePoolExhausted = -100;
constexpr int32_t kAllocateOutputFull = -101;
Napi::Value Allocate(const Napi::CallbackInfo& info) {
  SessionHandle* handle = SessionHandle::Unwrap(info[0]);
  if (handle == nullptr || !info[2].IsTypedArray()) return info.Env().Undefined();
  Napi::Uint32Array out = info[2].As<Napi::Uint32Array>();
  uint32_t id = 0;
  const std::vector<uint32_t>* slices = nullptr;
  Session& session = handle->session();
  // Allocating reads the free lists: a truncation found there ends the session, not a fallback.
  const Outcome o = session.Guard(session.Allocate(static_cast<uint64_t>(info[1].As<Napi::Number>().Int64Value()), &id, &slices));
  if (o.status == Status::kPoolExhausted) {
    const bool room = session.FallbackHasRoom(static_cast<size_t>(info[1].As<Napi::Number>().Int64Value()));
    return Napi::Number::New(info.Env(), room ? kAllocatePoolExhausted : kAllocateOutputFull);
  }
  if (!o.ok()) return Napi::Number::New(info.Env(), handle->Finish(info.Env(), o, "allocate"));
  if (out.ElementLength() < 1 + 2 * slices->size()) {
    handle->session().Cancel(id);
    return Napi::Number::New(info.Env(), handle->Finish(info.Env(), Outcome::Fail(Status::kInvalidArgument, "allocation result array too short"), "allocate"));
  }
  out[0] = static_cast<uint32_t>(slices->size());
  for (size_t i = 0; i < slices->size(); ++i) {
    const uint32_t slice = (*slices)[i];
    out[1 + 2 * i] = slice + kSliceHeaderSize;
    out[2 + 2 * i] = handle->session().buffer_manager().SliceCapacity(slice);
  }
  return Napi::Number::New(info.Env(), id);
}

// shmCommit(session, allocationId, streamId, bytes, deferNotify?) -> 0 shared memory, 1 fallback, < 0 failed
Napi::Value Commit(const Napi::CallbackInfo& info) {
  SessionHandle* handle = SessionHandle::Unwrap(info[0]);
  if (handle == nullptr) return info.Env().Undefined();
  bool via_fallback = false;
  const Outcome o = handle->session().Commit(info[1].As<Napi::Number>().Uint32Value(), info[2].As<Napi::Number>().Uint32Value(),
                                             static_cast<uint64_t>(info[3].As<Napi::Number>().Int64Value()), &via_fallback,
                                             info[4].IsBoolean() && info[4].As<Napi::Boolean>().Value());
  const int32_t status = handle->Finish(info.Env(), o, "commit");
  return Napi::Number::New(info.Env(), status == 0 && via_fallback ? 1 : status);
}

// shmNotify(session) -> 0, or < 0 failed: wakes the peer for chunks sent with deferNotify.
Napi::Value Notify(const Napi::CallbackInfo& info) {
  SessionHandle* handle = SessionHandle::Unwrap(info[0]);
  if (handle == nullptr) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), handle->Finish(info.Env(), handle->session().NotifyIfPending(), "notify"));
}

Napi::Value Cancel(const Napi::CallbackInfo& info) {
  SessionHandle* handle = SessionHandle::Unwrap(info[0]);
  if (handle == nullptr) return info.Env().Undefined();
  const Outcome o = handle->session().Cancel(info[1].As<Napi::Number>().Uint32Value());
  return Napi::Number::New(info.Env(), handle->Finish(info.Env(), o, "cancel"));
}

// shmRelease(session, sliceOffsets, count): returns received slices to the pool.
Napi::Value Release(const Napi::CallbackInfo& info) {
  SessionHandle* handle = SessionHandle::Unwrap(info[0]);
  if (handle == nullptr || !info[1].IsTypedArray()) return info.Env().Undefined();
  const Napi::Uint32Array offsets = info[1].As<Napi::Uint32Array>();
  const size_t count = std::min<size_t>(info[2].As<Napi::Number>().Uint32Value(), offsets.ElementLength());
  const Outcome o = handle->session().Release(offsets.Data(), count);
  return Napi::Number::New(info.Env(), handle->Finish(info.Env(), o, "release"));
}

// shmHold(session, sliceOffset, dataOffset, length) -> an ArrayBuffer of its own over those bytes
// of a received slice, which goes back to the pool when the ArrayBuffer is collected (not through
// shmRelease); undefined when that is not possible (copy instead).
Napi::Value Hold(const Napi::CallbackInfo& info) {
  SessionHandle* handle = SessionHandle::Unwrap(info[0]);
  if (handle == nullptr) return info.Env().Undefined();
  return handle->Hold(info.Env(), info[1].As<Napi::Number>().Uint32Value(), info[2].As<Napi::Number>().Uint32Value(),
                      info[3].As<Napi::Number>().Uint32Value());
}

Napi::Value CloseStream(const Napi::CallbackInfo& info) {
  SessionHandle* handle = SessionHandle::Unwrap(info[0]);
  if (handle == nullptr) return info.Env().Undefined();
  const Outcome o = handle->session().CloseStream(info[1].As<Napi::Number>().Uint32Value());
  return Napi::Number::New(info.Env(), handle->Finish(info.Env(), o, "close stream"));
}

Napi::Value Close(const Napi::CallbackInfo& info) {
  SessionHandle* handle = SessionHandle::Unwrap(info[0]);
  if (handle != nullptr) handle->Close(info.Env());
  return info.Env().Undefined();
}

// shmSessionInfo(session) -> { version, peerUid, peerPid, queueName, bufferName, bufferSize,
//   sliceCapacities, stats: Float64Array }
Napi::Value SessionInfo(const Napi::CallbackInfo& info) {
  SessionHandle* handle = SessionHandle::Unwrap(info[0]);
  if (handle == nullptr) return info.Env().Undefined();
  Napi::Env env = info.Env();
  const Session& s = handle->session();
  Napi::Object out = Napi::Object::New(env);
  out.Set("version", s.version());
  out.Set("peerUid", s.peer().uid);
  out.Set("peerPid", s.peer().pid);
  out.Set("established", s.established());
  Napi::Array capacities = Napi::Array::New(env);
  for (const ListGeometry& g : s.buffer_manager().lists()) capacities.Set(capacities.Length(), g.slice_capacity);
  out.Set("sliceCapacities", capacities);
  const SessionStats& st = s.stats();
  const double values[] = {double(st.bytes_copied),          double(st.shm_chunks_sent),
                           double(st.shm_bytes_sent),        double(st.shm_chunks_received),
                           double(st.shm_bytes_received),    double(st.fallback_chunks_sent),
                           double(st.fallback_bytes_sent),   double(st.fallback_chunks_received),
                           double(st.fallback_bytes_received), double(st.polling_sent),
                           double(st.polling_received)};
  Napi::Float64Array stats = Napi::Float64Array::New(env, sizeof values / sizeof values[0]);
  for (size_t i = 0; i < stats.ElementLength(); ++i) stats[i] = values[i];
  out.Set("stats", stats);
  return out;
}

// shmPeerCredentials(fd) -> { uid, pid } | { status, errno, message }: SO_PEERCRED of a connected
// Unix socket Node owns (the fallback listener's connections), read without taking the descriptor.
Napi::Value PeerCredentialsOf(const Napi::CallbackInfo& info) {
  if (!info[0].IsNumber()) return info.Env().Undefined();
  PeerCredentials peer{};
  const Outcome o = GetPeerCredentials(info[0].As<Napi::Number>().Int32Value(), &peer);
  if (!o.ok()) return FailureObject(info.Env(), o, "fallback socket credentials");
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("uid", static_cast<double>(peer.uid));
  out.Set("pid", static_cast<double>(peer.pid));
  return out;
}

Napi::Value LastError(const Napi::CallbackInfo& info) { return EnvironmentOf(info)->LastError(info.Env()); }

Napi::Value RemoveStale(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), RemoveStaleFiles(info[0].As<Napi::String>().Utf8Value()));
}

Napi::Value LiveCounts(const Napi::CallbackInfo& info) {
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("sessions", static_cast<double>(Session::LiveCount()));
  out.Set("mappings", static_cast<double>(MappedRegion::LiveCount()));
  out.Set("guarded", static_cast<double>(GuardedMappingCount()));
  return out;
}

// The layout constants, so TypeScript can check its mirror (src-ts/shm/layout.ts) against them.
Napi::Value Layout(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  const std::pair<const char*, double> entries[] = {
      {"controlHeaderSize", kControlHeaderSize},     {"controlMagic", kControlMagic},
      {"protocolV2", kProtocolV2},                   {"protocolV3", kProtocolV3},
      {"fallbackMetaSize", kFallbackMetaSize},       {"managerHeaderSize", kManagerHeaderSize},
      {"managerUsedLengthOffset", kManagerUsedLengthOffset},
      {"listHeaderSize", kListHeaderSize},           {"listFreeCountOffset", kListFreeCountOffset},
      {"listCapacityOffset", kListCapacityOffset},   {"listHeadOffset", kListHeadOffset},
      {"listTailOffset", kListTailOffset},           {"listSliceCapacityOffset", kListSliceCapacityOffset},
      {"sliceHeaderSize", kSliceHeaderSize},         {"sliceCapacityOffset", kSliceCapacityOffset},
      {"sliceSizeOffset", kSliceSizeOffset},         {"sliceStartOffset", kSliceStartOffset},
      {"sliceNextOffset", kSliceNextOffset},         {"sliceFlagsOffset", kSliceFlagsOffset},
      {"sliceFlagHasNext", kSliceFlagHasNext},       {"sliceFlagInUse", kSliceFlagInUse},
      {"queueHeaderSize", kQueueHeaderSize},         {"queueCapacityOffset", kQueueCapacityOffset},
      {"queueHeadOffset", kQueueHeadOffset},         {"queueTailOffset", kQueueTailOffset},
      {"queueWorkingOffset", kQueueWorkingOffset},   {"queueElementSize", kQueueElementSize},
      {"streamOpened", kStreamOpened},               {"streamClosed", kStreamClosed},
      {"defaultBufferSize", kDefaultBufferSize},     {"defaultQueueCapacity", kDefaultQueueCapacity},
      {"eventRecordWords", kEventRecordWords},       {"eventEstablished", kEventEstablished},
      {"eventData", kEventData},                     {"eventFallbackData", kEventFallbackData},
      {"eventStreamClosed", kEventStreamClosed},     {"allocatePoolExhausted", kAllocatePoolExhausted},
      {"allocateOutputFull", kAllocateOutputFull},
  };
  for (const auto& [name, value] : entries) o.Set(name, value);
  return o;
}

}  // namespace
}  // namespace shm

void InitShm(Napi::Env env, Napi::Object exports) {
  shm::ShmEnvironment* environment = shm::ShmEnvironment::Create(env);
  if (environment == nullptr) return;  // no event loop: shm stays unavailable in this environment
  const std::pair<const char*, Napi::Function::Callback> functions[] = {
      {"shmConnect", shm::Connect},       {"shmBind", shm::Bind},
      {"shmListen", shm::Listen},         {"shmListenerClose", shm::ListenerClose},
      {"shmSend", shm::Send},             {"shmSendFallback", shm::SendFallback},
      {"shmAllocate", shm::Allocate},     {"shmCommit", shm::Commit},
      {"shmCancel", shm::Cancel},         {"shmRelease", shm::Release},
      {"shmCloseStream", shm::CloseStream}, {"shmClose", shm::Close},
      {"shmSessionInfo", shm::SessionInfo}, {"shmLastError", shm::LastError},
      {"shmRemoveStaleFiles", shm::RemoveStale}, {"shmLiveCounts", shm::LiveCounts},
      {"shmLayout", shm::Layout},         {"shmPeerCredentials", shm::PeerCredentialsOf},
      {"shmNotify", shm::Notify},           {"shmHold", shm::Hold},
  };
  for (const auto& [name, callback] : functions) {
    exports.Set(name, Napi::Function::New(env, callback, name, environment));
  }
}

}  // namespace heddle
