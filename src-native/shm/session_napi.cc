#include "shm/session_napi.h"

#include "core/type_tag.h"

#include <cstring>
#include <string>

namespace heddle::shm {
namespace {
// Distinguishes our Externals from anyone else's (a foreign value throws instead of crashing).
constexpr napi_type_tag kSessionTag = {0x6865646c65736d31ULL, 0x73657373696f6e31ULL};
constexpr size_t kInitialEventWords = kEventRecordWords * 256;
// Slices one session lends at once; past it Hold refuses and the caller copies (MAX_LENT_SLICES
// in src-ts/shm/session.ts says why, and mirrors this value for its callers and tests).
constexpr int64_t kMaxLentSlices = 32;

void FreeRegionHold(Napi::Env, void*, std::shared_ptr<MappedRegion>* hold) { delete hold; }

// What a held slice's ArrayBuffer keeps alive: the mapping its bytes are in, and the way back to
// the session that lends it.
struct HeldSlice {
  std::shared_ptr<SessionHandle::HoldState> state;
  std::shared_ptr<MappedRegion> region;
  uint32_t slice;
};
}  // namespace

SessionHandle::SessionHandle(ShmEnvironment* environment, std::unique_ptr<Session> session)
    : environment_(environment), session_(std::move(session)) {
  environment_->Track(this);
  holds_->handle = this;
}

SessionHandle::~SessionHandle() {
  holds_->handle = nullptr;
  if (environment_ != nullptr) environment_->Untrack(this);
}

Napi::Value SessionHandle::Hold(Napi::Env env, uint32_t slice_offset, uint32_t data_offset, uint32_t length) {
  const std::shared_ptr<MappedRegion>& region = session_->buffer_region();
  if (closed_ || holds_->live >= kMaxLentSlices || !region || !region->shared() || !session_->HoldsDataOf(slice_offset, data_offset, length) ||
      uint64_t{data_offset} + length > region->size()) {
    return env.Undefined();
  }
  auto* held = new HeldSlice{holds_, region, slice_offset};
  napi_value buffer;
  if (napi_create_external_arraybuffer(env, region->data() + data_offset, length, OnHeldFinalized, held, &buffer) != napi_ok) {
    // Refused (a runtime without external buffers): the caller copies instead.
    delete held;
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    napi_value ignored;
    if (pending) napi_get_and_clear_last_exception(env, &ignored);
    return env.Undefined();
  }
  session_->MarkLent(slice_offset);
  ++holds_->live;
  // V8 counts the bytes of every ArrayBuffer it tracks, external ones included, towards the
  // external memory that brings a collection (ArrayBufferSweeper::Append), so a burst of held
  // slices brings the collection that gives them back. They used to be reported a second time
  // here: a 4 MiB echo at 4 callers then ran a mark-compact every 9 calls in each process, a third
  // of their cycles.
  return Napi::Value(env, buffer);
}

void SessionHandle::OnHeldFinalized(napi_env, void*, void* hint) {
  // No napi calls here: this may run where JavaScript and most of napi are off limits. The slice
  // goes back from the next loop iteration (OnDrainTimer).
  auto* held = static_cast<HeldSlice*>(hint);
  HoldState& state = *held->state;
  --state.live;
  if (state.handle != nullptr && !state.handle->closed_) {
    state.collected.push_back(held->slice);
    uv_timer_t* timer = state.handle->drain_timer_;
    if (timer != nullptr && !uv_is_active(reinterpret_cast<uv_handle_t*>(timer))) uv_timer_start(timer, OnDrainTimer, 0, 0);
  }
  delete held;  // the last holder of a closed session's mapping unmaps it here
}

Outcome SessionHandle::ReleaseCollected() {
  std::vector<uint32_t>& collected = holds_->collected;
  if (collected.empty()) return Outcome::Ok();
  const Outcome o = session_->Release(collected.data(), collected.size(), /*lent=*/true);
  collected.clear();
  // A slice no longer held (the session was re-established meanwhile) is not the peer's fault.
  return o.status == Status::kInvalidArgument ? Outcome::Ok() : o;
}

Napi::Object SessionHandle::Wrap(Napi::Env env) {
  Napi::Object wrapper = Napi::Object::New(env);
  napi_wrap(env, wrapper, this, OnWrapperFinalized, nullptr, nullptr);
  TagObject(env, wrapper, kSessionTag);
  return wrapper;
}

SessionHandle* SessionHandle::Unwrap(const Napi::Value& value) {
  if (!CheckTag(value.Env(), value, kSessionTag)) return nullptr;
  void* data = nullptr;
  napi_unwrap(value.Env(), value, &data);
  return static_cast<SessionHandle*>(data);
}

void SessionHandle::OnWrapperFinalized(napi_env, void* data, void*) {
  auto* self = static_cast<SessionHandle*>(data);
  // Unreachable from JavaScript: nobody can observe a close notice any more.
  self->Teardown();
  delete self;
}

void SessionHandle::Bind(Napi::Env env, Napi::Function on_events) {
  on_events_ = Napi::Persistent(on_events);
  event_array_ = Napi::Persistent(Napi::Uint32Array::New(env, kInitialEventWords));
  napi_value name = Napi::String::New(env, "heddle.shm.session");
  napi_async_init(env, nullptr, name, &async_context_);
  poll_ = new uv_poll_t;
  uv_poll_init(environment_->loop(), poll_, session_->fd());
  poll_->data = this;
  drain_timer_ = new uv_timer_t;
  uv_timer_init(environment_->loop(), drain_timer_);
  drain_timer_->data = this;
  UpdateInterest();
  // The handshake may already have produced events (a v2 client is established at once); they go
  // out on the next loop iteration, not re-entrantly inside the call that is binding.
  if (!session_->events().empty()) uv_timer_start(drain_timer_, OnDrainTimer, 0, 0);
}

void SessionHandle::UpdateInterest() {
  if (closed_ || poll_ == nullptr) return;
  const int wanted = UV_READABLE | UV_DISCONNECT | (session_->wants_write() ? UV_WRITABLE : 0);
  if (wanted != interest_) {
    interest_ = wanted;
    uv_poll_start(poll_, wanted, OnPoll);
  }
  if (session_->drain_pending() && !uv_is_active(reinterpret_cast<uv_handle_t*>(drain_timer_))) {
    uv_timer_start(drain_timer_, OnDrainTimer, 0, 0);
  }
}

void SessionHandle::OnPoll(uv_poll_t* poll, int status, int events) {
  auto* self = static_cast<SessionHandle*>(poll->data);
  if (self->closed_) return;
  Outcome o = Outcome::Ok();
  if (status < 0) o = Outcome::Fail(Status::kConnectionLost, "poll on the control socket failed", -status);
  if (o.ok() && (events & UV_WRITABLE)) o = self->session_->OnWritable();
  if (o.ok() && (events & (UV_READABLE | UV_DISCONNECT))) o = self->session_->OnReadable();
  self->AfterIo(o);
}

void SessionHandle::OnDrainTimer(uv_timer_t* timer) {
  auto* self = static_cast<SessionHandle*>(timer->data);
  if (self->closed_) return;
  Outcome o = self->ReleaseCollected();
  if (o.ok() && self->session_->drain_pending()) o = self->session_->Drain();
  self->AfterIo(o);
}

void SessionHandle::AfterIo(const Outcome& result) {
  const Outcome outcome = session_->Guard(result);
  napi_env env = environment_->env();
  Napi::HandleScope scope(env);
  if (outcome.fatal()) {
    Shutdown(env, &outcome);
    return;
  }
  UpdateInterest();
  Deliver(Napi::Env(env), nullptr);
}

Napi::Value SessionHandle::BufferMemory(Napi::Env env) {
  if (!memory_.IsEmpty()) return memory_.Value();
  const std::shared_ptr<MappedRegion>& region = session_->buffer_region();
  if (!region || !region->shared()) return env.Undefined();
  exposed_region_ = region;
  auto* hold = new std::shared_ptr<MappedRegion>(region);
  Napi::ArrayBuffer memory = Napi::ArrayBuffer::New(env, region->data(), region->size(), FreeRegionHold, hold);
  memory_ = Napi::Persistent(memory);
  return memory;
}

void SessionHandle::Deliver(Napi::Env env, const Outcome* closing) {
  std::vector<uint32_t>& events = session_->events();
  std::vector<std::vector<uint8_t>>& payloads = session_->fallback_payloads();
  if ((events.empty() && closing == nullptr) || on_events_.IsEmpty()) {
    events.clear();
    payloads.clear();
    return;
  }
  Napi::Uint32Array array = event_array_.Value();
  if (array.ElementLength() < events.size()) {
    array = Napi::Uint32Array::New(env, events.size() * 2);
    event_array_ = Napi::Persistent(array);
  }
  if (!events.empty()) std::memcpy(array.Data(), events.data(), events.size() * sizeof(uint32_t));
  const uint32_t count = static_cast<uint32_t>(events.size() / kEventRecordWords);
  bool establishing = false;
  for (size_t i = 0; i < events.size(); i += kEventRecordWords) establishing |= events[i] == kEventEstablished;
  events.clear();

  Napi::Value payload_list = env.Undefined();
  if (!payloads.empty()) {
    Napi::Array list = Napi::Array::New(env, payloads.size());
    for (size_t i = 0; i < payloads.size(); ++i) {
      auto* owned = new std::vector<uint8_t>(std::move(payloads[i]));
      list.Set(static_cast<uint32_t>(i),
               Napi::Buffer<uint8_t>::NewOrCopy(
                   env, owned->data(), owned->size(),
                   [](Napi::Env, uint8_t*, std::vector<uint8_t>* v) { delete v; }, owned));
    }
    payloads.clear();
    payload_list = list;
  }
  Napi::Value memory = establishing ? BufferMemory(env) : env.Undefined();
  Napi::Value close_info = closing == nullptr ? env.Undefined() : Napi::Value(FailureObject(env, *closing, ""));

  // Keep the callback alive across the call: JavaScript may close the session inside it.
  Napi::Function callback = on_events_.Value();
  napi_value args[] = {array, Napi::Number::New(env, count), payload_list, memory, close_info};
  napi_value result;
  const napi_status status =
      napi_make_callback(env, async_context_, env.Global(), callback, 5, args, &result);
  if (status == napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
}

int32_t SessionHandle::Finish(Napi::Env env, const Outcome& result, const char* context) {
  const Outcome outcome = session_->Guard(result);
  if (outcome.ok()) {
    UpdateInterest();
    return 0;
  }
  if (environment_ != nullptr) environment_->RecordFailure(outcome, context);
  if (outcome.fatal() && !closed_) Shutdown(env, nullptr);
  return static_cast<int32_t>(outcome.status);
}

void SessionHandle::Close(Napi::Env env) { Shutdown(env, nullptr); }

void SessionHandle::Shutdown(napi_env env, const Outcome* notify) {
  if (closed_) return;
  closed_ = true;
  StopPolling();
  // The socket and queue go first, so nothing JavaScript does from the close notice reaches the
  // peer; the buffer memory stays mapped (through the ArrayBuffer) until after the notice.
  session_->Close();
  if (notify != nullptr) Deliver(Napi::Env(env), notify);
  ReleaseMemory(env);
  DropJavaScriptState(env);
}

void SessionHandle::Teardown() {
  if (closed_) return;
  closed_ = true;
  StopPolling();
  session_->Close();
  ReleaseMemory(nullptr);
  DropJavaScriptState(nullptr);
}

void SessionHandle::StopPolling() {
  if (poll_ == nullptr) return;
  uv_poll_stop(poll_);
  uv_timer_stop(drain_timer_);
  environment_->CloseUvHandle(reinterpret_cast<uv_handle_t*>(poll_));
  environment_->CloseUvHandle(reinterpret_cast<uv_handle_t*>(drain_timer_));
  poll_ = nullptr;
  drain_timer_ = nullptr;
}

void SessionHandle::ReleaseMemory(napi_env env) {
  if (!exposed_region_) return;
  // Detached, every view of the memory has length 0 and the pages can go; if detaching is
  // impossible, the views read private zero pages instead of the peer's memory.
  bool detached = false;
  if (env != nullptr && !memory_.IsEmpty()) {
    detached = napi_detach_arraybuffer(env, memory_.Value()) == napi_ok;
  }
  if (detached) {
    // Held slices' ArrayBuffers keep the mapping until the last is collected (values decoded as
    // views of them stay valid); the last holder unmaps it.
    if (holds_->live == 0) exposed_region_->Unmap();
  } else {
    exposed_region_->Retire();
  }
  exposed_region_.reset();
  memory_.Reset();
}

void SessionHandle::DropJavaScriptState(napi_env env) {
  holds_->handle = nullptr;
  holds_->collected.clear();
  on_events_.Reset();
  event_array_.Reset();
  // Without an environment (teardown, finalizer) the async context dies with it.
  if (env != nullptr && async_context_ != nullptr) napi_async_destroy(env, async_context_);
  async_context_ = nullptr;
  if (environment_ != nullptr) environment_->Untrack(this);
  environment_ = nullptr;
}

}  // namespace heddle::shm
