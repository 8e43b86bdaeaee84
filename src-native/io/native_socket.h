// NativeSocket: the native I/O path of a heddle RPC connection.
//
// It owns a dup of a connected stream socket's fd, watches it with libuv's poll (epoll on Linux),
// reads with readv into slabs that are JavaScript ArrayBuffers, finds frame boundaries natively
// (io/frame_scan) and hands complete frames to JavaScript in batches: one callback per slab per
// wake-up, carrying (slab, [offset, length]*). Writes go out with writev; what the kernel does not
// take is queued (buffers kept alive by reference) and flushed when the socket is writable.
//
// Frames handed to JavaScript are views into their slab: the native side only ever appends past
// them, never rewrites them, and the slab stays alive as long as JavaScript holds a view, so there
// is no lifetime to get wrong.
#pragma once

#include <napi.h>
#include <sys/uio.h>
#include <uv.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "io/frame_scan.h"

namespace heddle::io {

class NativeSocket : public Napi::ObjectWrap<NativeSocket> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);

  // new NativeSocket(fd, framing (0 length-prefixed, 1 unframed Binary, 2 sniff, 3 unframed
  //                  Compact), maxFrame, slabSize,
  //                  onFrames(slab, spans: Int32Array, count), onEvent(kind, code, offset))
  // write(chunks) returns the bytes still queued, or -errno.
  explicit NativeSocket(const Napi::CallbackInfo& info);
  ~NativeSocket() override;

  // Event kinds passed to onEvent.
  enum Event : int32_t {
    kDrained = 1,    // every queued write reached the kernel
    kEnd = 2,        // the peer closed its side (EOF); code = bytes of an unfinished frame
    kError = 3,      // a socket error; code is the errno
    kBadFrame = 4,   // malformed framing; offset is the stream offset of the bad frame
    kTooLarge = 5,   // a frame over maxFrame; offset as above
    kClosed = 6,     // close() finished: the fd is closed and no callback follows
    kHandOff = 7,    // a sniffing socket saw the HTTP/2 preface or a TLS handshake: code is the fd, now JavaScript's,
                     // and a fourth argument holds the bytes read so far; kClosed follows
  };

 private:
  struct Slab {
    Napi::Reference<Napi::ArrayBuffer> buffer;
    uint8_t* data = nullptr;
    size_t capacity = 0;
    size_t filled = 0;       // bytes read into the slab
    size_t frame_start = 0;  // first byte not yet handed out as part of a frame
  };

  struct PendingWrite {
    Napi::Reference<Napi::Value> keep_alive;
    const uint8_t* data;
    size_t length;
  };

  Napi::Value Write(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value PauseReading(const Napi::CallbackInfo& info);
  Napi::Value ResumeReading(const Napi::CallbackInfo& info);
  Napi::Value GetFraming(const Napi::CallbackInfo& info);
  Napi::Value GetQueuedBytes(const Napi::CallbackInfo& info);
  Napi::Value GetPartialBytes(const Napi::CallbackInfo& info);

  static void OnPoll(uv_poll_t* handle, int status, int events);
  static void OnPollClosed(uv_handle_t* handle);

  // until_closed: keep reading past short reads until EOF or an error (after POLLERR).
  void HandleReadable(bool until_closed);
  void HandleWritable();
  bool NewSlab(size_t min_capacity, size_t carry_from_previous);
  // Scans the current slab for complete frames, appending spans; false on a framing error.
  bool ScanFrames();
  // A sniffing server socket whose first bytes are the HTTP/2 client preface ("PRI ") or a TLS
  // handshake record (gRPC over TLS) is not a Kitex connection: stop watching it and give the
  // descriptor and the bytes read to JavaScript, which serves it as gRPC. `got` bytes were just read, `space` of them into the slab.
  bool HandOffHttp2(size_t got, size_t space);
  void FlushFrames();
  bool FlushWrites();  // false on a hard error (already reported)
  void UpdatePoll();
  void Emit(Event kind, int32_t code = 0, double offset = 0);
  void CloseNow();
  // Stops reading, drops queued writes and closes the poll handle (kClosed follows); the fd is
  // left to the caller.
  void StopWatching();

  Napi::Env env_;
  int fd_ = -1;
  uv_poll_t* poll_ = nullptr;  // freed by OnPollClosed
  int polled_events_ = 0;
  bool reading_ = true;
  bool closing_ = false;
  bool sniffing_ = false;
  Framing framing_ = Framing::kLengthPrefixed;
  size_t max_frame_;
  size_t slab_size_;
  size_t stream_offset_ = 0;  // bytes of the stream before the current slab's frame_start
  size_t rescan_at_ = 0;      // rescan once the slab holds this many unframed bytes
  std::optional<Slab> slab_;
  std::vector<uint8_t> overflow_;  // readv's second iovec
  Napi::Reference<Napi::Int32Array> spans_;
  int32_t* span_data_ = nullptr;
  uint32_t span_capacity_ = 0;  // frames per callback
  uint32_t span_count_ = 0;
  std::deque<PendingWrite> writes_;
  size_t write_head_offset_ = 0;  // bytes of writes_.front() already written
  size_t queued_bytes_ = 0;
  Napi::FunctionReference on_frames_;
  Napi::FunctionReference on_event_;
  std::optional<Napi::AsyncContext> async_context_;
  Napi::Env::CleanupHook<std::function<void()>> cleanup_hook_;
  bool has_cleanup_hook_ = false;
};

}  // namespace heddle::io
