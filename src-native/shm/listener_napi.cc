#include "shm/listener_napi.h"

#include "core/type_tag.h"

#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <utility>

#include "shm/session_napi.h"

namespace heddle::shm {
namespace {
constexpr napi_type_tag kListenerTag = {0x6865646c65736d31ULL, 0x6c697374656e3031ULL};
// Accepts per wake-up before yielding to the rest of the event loop.
constexpr int kAcceptsPerWakeup = 64;
}  // namespace

ListenerHandle::ListenerHandle(ShmEnvironment* environment, int fd, std::string path, SessionOptions options)
    : environment_(environment), fd_(fd), path_(std::move(path)), options_(std::move(options)) {
  environment_->Track(this);
  struct stat st;
  if (lstat(path_.c_str(), &st) == 0) socket_inode_ = st.st_ino;
}

ListenerHandle::~ListenerHandle() {
  if (environment_ != nullptr) environment_->Untrack(this);
  if (fd_ >= 0) close(fd_);
}

Napi::Object ListenerHandle::Wrap(Napi::Env env) {
  Napi::Object wrapper = Napi::Object::New(env);
  napi_wrap(env, wrapper, this, OnWrapperFinalized, nullptr, nullptr);
  TagObject(env, wrapper, kListenerTag);
  return wrapper;
}

ListenerHandle* ListenerHandle::Unwrap(const Napi::Value& value) {
  if (!CheckTag(value.Env(), value, kListenerTag)) return nullptr;
  void* data = nullptr;
  napi_unwrap(value.Env(), value, &data);
  return static_cast<ListenerHandle*>(data);
}

void ListenerHandle::OnWrapperFinalized(napi_env, void* data, void*) {
  auto* self = static_cast<ListenerHandle*>(data);
  self->Teardown();
  delete self;
}

void ListenerHandle::Start(Napi::Env env, Napi::Function on_accept) {
  on_accept_ = Napi::Persistent(on_accept);
  napi_value name = Napi::String::New(env, "heddle.shm.listener");
  napi_async_init(env, nullptr, name, &async_context_);
  poll_ = new uv_poll_t;
  uv_poll_init(environment_->loop(), poll_, fd_);
  poll_->data = this;
  uv_poll_start(poll_, UV_READABLE, OnPoll);
}

void ListenerHandle::OnPoll(uv_poll_t* poll, int status, int) {
  auto* self = static_cast<ListenerHandle*>(poll->data);
  if (self->closed_ || status < 0) return;
  napi_env raw_env = self->environment_->env();
  Napi::Env env(raw_env);
  Napi::HandleScope scope(env);
  // Each entry: [session handle or undefined when refused, peer uid, peer pid].
  Napi::Array accepted = Napi::Array::New(env);
  uint32_t count = 0;
  for (int i = 0; i < kAcceptsPerWakeup; ++i) {
    int fd = -1;
    const Outcome o = AcceptUnix(self->fd_, &fd);
    if (!o.ok()) break;
    PeerCredentials peer{};
    Napi::Value handle = env.Undefined();
    if (GetPeerCredentials(fd, &peer).ok() && UidAllowed(self->options_, peer.uid)) {
      auto* session = new SessionHandle(self->environment_, Session::AcceptServer(fd, peer, self->options_));
      handle = session->Wrap(env);
    } else {
      close(fd);
    }
    Napi::Array entry = Napi::Array::New(env, 3);
    entry.Set(0u, handle);
    entry.Set(1u, Napi::Number::New(env, peer.uid));
    entry.Set(2u, Napi::Number::New(env, peer.pid));
    accepted.Set(count++, entry);
  }
  if (count == 0) return;
  Napi::Function callback = self->on_accept_.Value();
  napi_value args[] = {accepted};
  napi_value result;
  if (napi_make_callback(env, self->async_context_, env.Global(), callback, 1, args, &result) ==
      napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
}

void ListenerHandle::Close(napi_env env) {
  if (closed_) return;
  if (async_context_ != nullptr) napi_async_destroy(env, async_context_);
  async_context_ = nullptr;
  Teardown();
}

void ListenerHandle::Teardown() {
  if (closed_) return;
  closed_ = true;
  if (poll_ != nullptr) {
    uv_poll_stop(poll_);
    environment_->CloseUvHandle(reinterpret_cast<uv_handle_t*>(poll_));
    poll_ = nullptr;
  }
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
    // Only our own socket file: another server may have taken the path over since.
    struct stat st;
    if (lstat(path_.c_str(), &st) == 0 && st.st_ino == socket_inode_) unlink(path_.c_str());
  }
  on_accept_.Reset();
  if (environment_ != nullptr) environment_->Untrack(this);
  environment_ = nullptr;
}

}  // namespace heddle::shm
