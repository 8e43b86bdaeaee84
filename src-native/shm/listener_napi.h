// The napi side of a listening control socket: accepts from a uv_poll, checks each peer's uid
// with SO_PEERCRED, and hands JavaScript the new server sessions, one call per wake-up.
#pragma once

#include <napi.h>
#include <uv.h>

#include "shm/environment_napi.h"
#include "shm/session.h"

namespace heddle::shm {

class ListenerHandle : public LoopResource {
 public:
  ListenerHandle(ShmEnvironment* environment, int fd, std::string path, SessionOptions options);
  ~ListenerHandle() override;

  Napi::Object Wrap(Napi::Env env);
  static ListenerHandle* Unwrap(const Napi::Value& value);

  void Start(Napi::Env env, Napi::Function on_accept);
  // Stops accepting and removes the socket file. Sessions already accepted stay open.
  void Close(napi_env env);
  void Teardown() override;

 private:
  static void OnPoll(uv_poll_t* poll, int status, int events);
  static void OnWrapperFinalized(napi_env env, void* data, void* hint);

  ShmEnvironment* environment_;
  int fd_;
  std::string path_;
  uint64_t socket_inode_ = 0;
  SessionOptions options_;
  uv_poll_t* poll_ = nullptr;
  Napi::FunctionReference on_accept_;
  napi_async_context async_context_ = nullptr;
  bool closed_ = false;
};

}  // namespace heddle::shm
