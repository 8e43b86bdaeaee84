// The napi side of one shmipc session: drives shm::Session from a uv_poll on its socket, hands
// JavaScript one batch of event records per wake-up, and exposes the buffer memory as one
// external ArrayBuffer that is detached and unmapped when the session closes.
#pragma once

#include <napi.h>
#include <uv.h>

#include <memory>
#include <vector>

#include "shm/environment_napi.h"
#include "shm/session.h"

namespace heddle::shm {

class SessionHandle : public LoopResource {
 public:
  // Shared with every held ArrayBuffer's finalizer: who to give the slice back to (null once the
  // handle is closed or gone), the slices collected since the last loop iteration, and how many
  // held buffers are alive.
  struct HoldState {
    SessionHandle* handle = nullptr;
    std::vector<uint32_t> collected;
    int64_t live = 0;
  };

  SessionHandle(ShmEnvironment* environment, std::unique_ptr<Session> session);
  ~SessionHandle() override;

  // Wraps this handle in a type-tagged object that owns it (freed when that object is collected).
  Napi::Object Wrap(Napi::Env env);
  // The handle behind an object made by Wrap, or nullptr (after throwing a TypeError).
  static SessionHandle* Unwrap(const Napi::Value& value);

  // Starts polling and delivering events to `on_events`.
  void Bind(Napi::Env env, Napi::Function on_events);
  Session& session() { return *session_; }
  bool closed() const { return closed_; }

  // Handles the result of a call from JavaScript: on a fatal outcome the session closes without
  // calling back (the returned status is the notification); otherwise the poll interest follows
  // what the session now needs.
  int32_t Finish(Napi::Env env, const Outcome& outcome, const char* context);
  // Closes at JavaScript's request.
  void Close(Napi::Env env);
  // An ArrayBuffer of its own over `length` bytes at `data_offset`, in received slice
  // `slice_offset`: the slice stays out of the pool until that ArrayBuffer is garbage collected
  // (then it goes back on the next loop iteration), so values decoded as views of it stay valid
  // for as long as they live, also after the session closes (the mapping is kept until then).
  // Undefined when the slice is not held or the runtime refuses external buffers (copy instead).
  Napi::Value Hold(Napi::Env env, uint32_t slice_offset, uint32_t data_offset, uint32_t length);
  void Teardown() override;

 private:
  static void OnPoll(uv_poll_t* poll, int status, int events);
  static void OnDrainTimer(uv_timer_t* timer);
  static void OnWrapperFinalized(napi_env env, void* data, void* hint);
  static void OnHeldFinalized(napi_env env, void* data, void* hint);
  // Returns the slices whose held ArrayBuffers were collected to the pool.
  Outcome ReleaseCollected();
  void AfterIo(const Outcome& outcome);
  void UpdateInterest();
  // Calls JavaScript once with the events gathered (and the close notice, when `closing`).
  void Deliver(Napi::Env env, const Outcome* closing);
  Napi::Value BufferMemory(Napi::Env env);
  // Stops polling, closes the session, then detaches and unmaps the buffer memory.
  void Shutdown(napi_env env, const Outcome* notify);
  void StopPolling();
  // Detaches the ArrayBuffer and unmaps; without an environment (or if detaching fails) the
  // pages are swapped for private zero pages instead, so a surviving view can never fault.
  void ReleaseMemory(napi_env env);
  void DropJavaScriptState(napi_env env);

  ShmEnvironment* environment_;
  std::unique_ptr<Session> session_;
  uv_poll_t* poll_ = nullptr;
  uv_timer_t* drain_timer_ = nullptr;
  int interest_ = 0;
  Napi::FunctionReference on_events_;
  Napi::Reference<Napi::Uint32Array> event_array_;
  Napi::Reference<Napi::ArrayBuffer> memory_;
  std::shared_ptr<MappedRegion> exposed_region_;
  napi_async_context async_context_ = nullptr;
  bool closed_ = false;
  std::shared_ptr<HoldState> holds_ = std::make_shared<HoldState>();
};

}  // namespace heddle::shm
