#include "io/native_socket.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <climits>

#include "core/type_tag.h"

namespace heddle::io {
namespace {

constexpr napi_type_tag kNativeSocketTag = {0x6865646c65696f00ULL, 0x4e6174697665536bULL};
constexpr size_t kOverflowSize = 64 * 1024;
constexpr size_t kMinReadSpace = 4 * 1024;
constexpr int kMaxReadsPerWake = 16;  // bounds one connection's turn on the event loop
constexpr uint32_t kSpansPerCallback = 256;
constexpr int kMaxIovecs = 64;
constexpr char kHttp2PrefaceStart[4] = {'P', 'R', 'I', ' '};  // the HTTP/2 client preface

// A TLS record carrying a handshake (a gRPC client's ClientHello): content type 22, major version
// 3, minor 0-4. No Kitex frame starts so: as a length prefix it would be over 360 MB.
bool StartsTlsHandshake(const uint8_t* bytes) { return bytes[0] == 0x16 && bytes[1] == 0x03 && bytes[2] <= 0x04; }

#define HEDDLE_CHECK_THIS(info)                                     \
  if (!CheckTag((info).Env(), (info).This(), kNativeSocketTag)) { \
    return (info).Env().Undefined();                              \
  }

}  // namespace

void NativeSocket::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = DefineClass(env, "NativeSocket",
                                    {
                                        InstanceMethod<&NativeSocket::Write>("write"),
                                        InstanceMethod<&NativeSocket::Close>("close"),
                                        InstanceMethod<&NativeSocket::PauseReading>("pauseReading"),
                                        InstanceMethod<&NativeSocket::ResumeReading>("resumeReading"),
                                        InstanceAccessor<&NativeSocket::GetFraming>("framing"),
                                        InstanceAccessor<&NativeSocket::GetQueuedBytes>("queuedBytes"),
                                        InstanceAccessor<&NativeSocket::GetPartialBytes>("partialBytes"),
                                    });
  exports.Set("NativeSocket", ctor);
}

NativeSocket::NativeSocket(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<NativeSocket>(info), env_(info.Env()), max_frame_(0), slab_size_(0) {
  // Arguments are validated in TypeScript (src-ts/rpc/native-connection.ts); these checks only
  // keep a misuse from reaching the kernel.
  if (info.Length() < 6 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsNumber() ||
      !info[3].IsNumber() || !info[4].IsFunction() || !info[5].IsFunction()) {
    Napi::TypeError::New(env_, "NativeSocket(fd, framing, maxFrame, slabSize, onFrames, onEvent)")
        .ThrowAsJavaScriptException();
    return;
  }
  TagObject(env_, info.This().As<Napi::Object>(), kNativeSocketTag);
  const int source_fd = info[0].As<Napi::Number>().Int32Value();
  const int framing = info[1].As<Napi::Number>().Int32Value();
  max_frame_ = static_cast<size_t>(info[2].As<Napi::Number>().Int64Value());
  slab_size_ = std::max<size_t>(static_cast<size_t>(info[3].As<Napi::Number>().Int64Value()), kMinReadSpace * 2);
  sniffing_ = framing == kSniffFramingCode;
  framing_ = framing == 1 ? Framing::kUnframedBinary : framing == 3 ? Framing::kUnframedCompact : Framing::kLengthPrefixed;

  // Our own descriptor: the caller closes the one it owns (Node's socket) right after.
  fd_ = fcntl(source_fd, F_DUPFD_CLOEXEC, 0);
  if (fd_ < 0 || fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK) < 0) {
    const int error = errno;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    Napi::Error e = Napi::Error::New(env_, std::string("NativeSocket: cannot take the socket: ") + strerror(error));
    e.Set("errno", Napi::Number::New(env_, error));
    e.ThrowAsJavaScriptException();
    return;
  }

  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env_, &loop);
  poll_ = new uv_poll_t;
  if (uv_poll_init_socket(loop, poll_, fd_) != 0) {
    delete poll_;
    poll_ = nullptr;
    ::close(fd_);
    fd_ = -1;
    Napi::Error::New(env_, "NativeSocket: uv_poll_init_socket failed").ThrowAsJavaScriptException();
    return;
  }
  poll_->data = this;

  overflow_.resize(kOverflowSize);
  Napi::Int32Array spans = Napi::Int32Array::New(env_, kSpansPerCallback * 2);
  span_data_ = spans.Data();
  span_capacity_ = kSpansPerCallback;
  spans_ = Napi::Persistent(spans);
  on_frames_ = Napi::Persistent(info[4].As<Napi::Function>());
  on_event_ = Napi::Persistent(info[5].As<Napi::Function>());
  async_context_.emplace(env_, "heddle.NativeSocket");

  // Open sockets keep their JS object alive; an exiting environment closes them first.
  Ref();
  cleanup_hook_ = env_.AddCleanupHook(std::function<void()>([this] {
    has_cleanup_hook_ = false;
    if (poll_ != nullptr) {
      poll_->data = nullptr;  // the environment is going away: no callbacks, no Unref
      uv_poll_stop(poll_);
      uv_close(reinterpret_cast<uv_handle_t*>(poll_), OnPollClosed);
      poll_ = nullptr;
    }
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }));
  has_cleanup_hook_ = true;
  UpdatePoll();
}

NativeSocket::~NativeSocket() {
  if (has_cleanup_hook_) cleanup_hook_.Remove(env_);
  if (fd_ >= 0) ::close(fd_);
}

void NativeSocket::UpdatePoll() {
  if (poll_ == nullptr || closing_) return;
  const int events = (reading_ ? UV_READABLE : 0) | (writes_.empty() ? 0 : UV_WRITABLE);
  if (events == polled_events_) return;
  polled_events_ = events;
  if (events == 0) {
    uv_poll_stop(poll_);
  } else {
    uv_poll_start(poll_, events, OnPoll);
  }
}

void NativeSocket::OnPoll(uv_poll_t* handle, int status, int events) {
  auto* self = static_cast<NativeSocket*>(handle->data);
  if (self == nullptr || self->closing_) return;
  Napi::HandleScope scope(self->env_);
  if (status < 0) {
    // POLLERR (a reset, or data then a reset): libuv has already stopped this watcher, so read
    // until the socket yields its EOF or error instead of waiting for an event that won't come.
    self->polled_events_ = 0;
    if (self->reading_) {
      self->HandleReadable(/*until_closed=*/true);
    } else {
      self->UpdatePoll();
    }
    return;
  }
  if ((events & UV_WRITABLE) != 0 && !self->closing_) self->HandleWritable();
  if ((events & UV_READABLE) != 0 && self->reading_ && !self->closing_) self->HandleReadable(false);
}

bool NativeSocket::NewSlab(size_t min_capacity, size_t carry) {
  const size_t capacity = std::max(slab_size_, min_capacity);
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env_, capacity);
  if (env_.IsExceptionPending()) return false;
  auto* data = static_cast<uint8_t*>(buffer.Data());
  if (carry > 0) std::memcpy(data, slab_->data + slab_->frame_start, carry);
  slab_.emplace(Slab{Napi::Persistent(buffer), data, capacity, carry, 0});
  return true;
}

void NativeSocket::HandleReadable(bool until_closed) {
  for (int round = 0; (until_closed || round < kMaxReadsPerWake) && reading_ && !closing_; round++) {
    if (!slab_ || slab_->capacity - slab_->filled < kMinReadSpace) {
      const size_t carry = slab_ ? slab_->filled - slab_->frame_start : 0;
      FlushFrames();
      if (closing_) return;
      if (!NewSlab(std::max(rescan_at_, carry + kMinReadSpace), carry)) return;
    }
    Slab& slab = *slab_;
    const size_t space = slab.capacity - slab.filled;
    iovec iov[2] = {{slab.data + slab.filled, space}, {overflow_.data(), overflow_.size()}};
    const ssize_t n = readv(fd_, iov, 2);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (until_closed) UpdatePoll();  // a spurious error report: watch again
        break;
      }
      const int error = errno;
      FlushFrames();
      reading_ = false;
      UpdatePoll();
      Emit(kError, error);
      return;
    }
    if (n == 0) {
      FlushFrames();
      reading_ = false;
      UpdatePoll();
      // The code says how many bytes of an unfinished frame the peer left behind.
      const size_t partial = slab_ ? slab_->filled - slab_->frame_start : 0;
      Emit(kEnd, static_cast<int32_t>(std::min<size_t>(partial, INT32_MAX)));
      return;
    }
    const size_t got = static_cast<size_t>(n);
    if (sniffing_ && HandOffHttp2(got, space)) return;
    if (got <= space) {
      slab.filled += got;
      if (!ScanFrames()) return;
      if (got < space && !until_closed) break;  // the socket is drained
      continue;
    }
    // The read spilled into the overflow buffer: hand out what the full slab completes, then
    // move the partial frame and the spill into a fresh slab.
    slab.filled = slab.capacity;
    if (!ScanFrames()) return;
    const size_t spill = got - space;
    const size_t carry = slab_->filled - slab_->frame_start;
    FlushFrames();
    if (closing_) return;
    if (!NewSlab(std::max({rescan_at_, carry + spill + kMinReadSpace, std::min(2 * carry, max_frame_)}), carry)) return;
    std::memcpy(slab_->data + slab_->filled, overflow_.data(), spill);
    slab_->filled += spill;
    if (!ScanFrames()) return;
  }
  FlushFrames();
}

bool NativeSocket::HandOffHttp2(size_t got, size_t space) {
  Slab& slab = *slab_;
  const size_t in_slab = std::min(got, space);
  const size_t have = slab.filled + in_slab - slab.frame_start;
  if (have < 4) return false;
  const uint8_t* head = slab.data + slab.frame_start;
  if (std::memcmp(head, kHttp2PrefaceStart, 4) != 0 && !StartsTlsHandshake(head)) return false;
  const size_t spill = got - in_slab;
  Napi::Buffer<uint8_t> bytes = Napi::Buffer<uint8_t>::New(env_, have + spill);
  if (env_.IsExceptionPending()) return false;
  std::memcpy(bytes.Data(), slab.data + slab.frame_start, have);
  if (spill > 0) std::memcpy(bytes.Data() + have, overflow_.data(), spill);
  // libuv must stop watching the descriptor (uv_poll_stop removes it from epoll) before
  // JavaScript opens a socket on it; the descriptor itself stays open, now JavaScript's.
  const int fd = fd_;
  fd_ = -1;
  StopWatching();
  on_event_.MakeCallback(Value(),
                         {Napi::Number::New(env_, kHandOff), Napi::Number::New(env_, fd), Napi::Number::New(env_, 0), bytes},
                         *async_context_);
  if (env_.IsExceptionPending()) {
    Napi::Error error = env_.GetAndClearPendingException();
    napi_fatal_exception(env_, error.Value());
  }
  return true;
}

bool NativeSocket::ScanFrames() {
  Slab& slab = *slab_;
  for (;;) {
    const size_t available = slab.filled - slab.frame_start;
    if (sniffing_) {
      if (available < 4) return true;
      framing_ = SniffFraming(slab.data + slab.frame_start);
      sniffing_ = false;
    }
    if (available == 0 || available < rescan_at_) return true;
    const ScanResult result = ScanFrame(framing_, slab.data + slab.frame_start, available, max_frame_);
    switch (result.status) {
      case ScanStatus::kComplete:
        span_data_[span_count_ * 2] = static_cast<int32_t>(slab.frame_start);
        span_data_[span_count_ * 2 + 1] = static_cast<int32_t>(result.frame_length);
        span_count_++;
        slab.frame_start += result.frame_length;
        stream_offset_ += result.frame_length;
        rescan_at_ = 0;
        if (span_count_ == span_capacity_) {
          FlushFrames();
          if (closing_) return false;
        }
        break;
      case ScanStatus::kNeedMore:
        rescan_at_ = result.need;
        return true;
      case ScanStatus::kBadFrame:
      case ScanStatus::kTooLarge:
        FlushFrames();
        reading_ = false;
        UpdatePoll();
        Emit(result.status == ScanStatus::kBadFrame ? kBadFrame : kTooLarge, 0,
             static_cast<double>(stream_offset_ + result.error_offset));
        return false;
    }
  }
}

void NativeSocket::FlushFrames() {
  if (span_count_ == 0 || closing_) return;
  const uint32_t count = span_count_;
  span_count_ = 0;
  Napi::Value result = on_frames_.MakeCallback(
      Value(), {slab_->buffer.Value(), spans_.Value(), Napi::Number::New(env_, count)}, *async_context_);
  if (env_.IsExceptionPending()) {
    // An exception from the frame handler is the application's: surface it as uncaught.
    Napi::Error error = env_.GetAndClearPendingException();
    napi_fatal_exception(env_, error.Value());
  }
  (void)result;
}

Napi::Value NativeSocket::Write(const Napi::CallbackInfo& info) {
  HEDDLE_CHECK_THIS(info);
  // Returns the bytes still queued (0: all reached the kernel), or -errno on a hard error, which
  // the caller handles synchronously; no event is emitted from inside write().
  if (closing_ || fd_ < 0) return Napi::Number::New(env_, -EBADF);
  if (info.Length() < 1 || !info[0].IsArray()) {
    Napi::TypeError::New(env_, "write(chunks: Uint8Array[])").ThrowAsJavaScriptException();
    return env_.Undefined();
  }
  // Read every chunk once: its value (kept alive if queued), bytes and length.
  Napi::Array array = info[0].As<Napi::Array>();
  const uint32_t count = array.Length();
  struct Chunk {
    Napi::Value value;
    const uint8_t* data;
    size_t length;
  };
  std::vector<Chunk> chunks;
  chunks.reserve(count);
  for (uint32_t i = 0; i < count; i++) {
    Napi::Value value = array.Get(i);
    if (!value.IsTypedArray()) {
      Napi::TypeError::New(env_, "write: chunks must be Uint8Arrays").ThrowAsJavaScriptException();
      return env_.Undefined();
    }
    Napi::Uint8Array bytes = value.As<Napi::Uint8Array>();
    chunks.push_back({value, bytes.Data(), bytes.ByteLength()});
  }
  size_t next = 0;
  size_t written_in_first = 0;

  // Fast path: nothing queued, so write straight from the caller's buffers, without taking
  // references, and queue only what the kernel refuses.
  if (writes_.empty()) {
    while (next < chunks.size()) {
      iovec iov[kMaxIovecs];
      int used = 0;
      size_t batch_bytes = 0;
      for (size_t i = next; i < chunks.size() && used < kMaxIovecs; i++) {
        const size_t skip = i == next ? written_in_first : 0;
        iov[used++] = {const_cast<uint8_t*>(chunks[i].data) + skip, chunks[i].length - skip};
        batch_bytes += chunks[i].length - skip;
      }
      const ssize_t n = writev(fd_, iov, used);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        return Napi::Number::New(env_, -errno);
      }
      // Advance over whole chunks written, keeping the offset into a partly written one.
      size_t remaining = static_cast<size_t>(n);
      while (next < chunks.size()) {
        const size_t left = chunks[next].length - written_in_first;
        if (remaining < left) {
          written_in_first += remaining;
          break;
        }
        remaining -= left;
        written_in_first = 0;
        next++;
      }
      if (static_cast<size_t>(n) < batch_bytes) break;  // the kernel buffer is full
    }
  }
  for (size_t i = next; i < chunks.size(); i++) {
    const size_t skip = i == next ? written_in_first : 0;
    if (chunks[i].length == skip) continue;
    writes_.push_back({Napi::Persistent(chunks[i].value), chunks[i].data + skip, chunks[i].length - skip});
    queued_bytes_ += chunks[i].length - skip;
  }
  UpdatePoll();
  return Napi::Number::New(env_, static_cast<double>(queued_bytes_));
}

bool NativeSocket::FlushWrites() {
  while (!writes_.empty()) {
    iovec iov[kMaxIovecs];
    int used = 0;
    for (auto it = writes_.begin(); it != writes_.end() && used < kMaxIovecs; ++it) {
      const size_t skip = used == 0 ? write_head_offset_ : 0;
      iov[used++] = {const_cast<uint8_t*>(it->data) + skip, it->length - skip};
    }
    const ssize_t n = writev(fd_, iov, used);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      const int error = errno;
      Emit(kError, error);
      return false;
    }
    size_t remaining = static_cast<size_t>(n);
    queued_bytes_ -= remaining;
    while (remaining > 0 && !writes_.empty()) {
      const size_t left = writes_.front().length - write_head_offset_;
      if (remaining < left) {
        write_head_offset_ += remaining;
        remaining = 0;
      } else {
        remaining -= left;
        write_head_offset_ = 0;
        writes_.pop_front();
      }
    }
  }
  return true;
}

void NativeSocket::HandleWritable() {
  const bool had_queue = !writes_.empty();
  if (!FlushWrites()) return;
  UpdatePoll();
  if (had_queue && writes_.empty()) Emit(kDrained);
}

void NativeSocket::Emit(Event kind, int32_t code, double offset) {
  if (closing_ && kind != kClosed) return;
  on_event_.MakeCallback(Value(),
                         {Napi::Number::New(env_, kind), Napi::Number::New(env_, code), Napi::Number::New(env_, offset)},
                         *async_context_);
  if (env_.IsExceptionPending()) {
    Napi::Error error = env_.GetAndClearPendingException();
    napi_fatal_exception(env_, error.Value());
  }
}

void NativeSocket::StopWatching() {
  closing_ = true;
  reading_ = false;
  writes_.clear();
  queued_bytes_ = 0;
  if (poll_ != nullptr) {
    uv_poll_stop(poll_);
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), OnPollClosed);
    poll_ = nullptr;
  }
}

void NativeSocket::CloseNow() {
  if (closing_) return;
  StopWatching();
  // libuv has stopped watching the fd (uv_poll_stop), so it can be closed now.
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void NativeSocket::OnPollClosed(uv_handle_t* handle) {
  auto* self = static_cast<NativeSocket*>(handle->data);
  delete reinterpret_cast<uv_poll_t*>(handle);
  if (self == nullptr) return;  // closed by the environment's cleanup hook
  Napi::HandleScope scope(self->env_);
  self->Emit(kClosed);
  // The callbacks close over the JS object that owns this one: strong references to them would
  // keep both alive forever. Nothing is called after kClosed, so let them go.
  self->on_frames_.Reset();
  self->on_event_.Reset();
  self->spans_.Reset();
  self->slab_.reset();
  self->async_context_.reset();
  self->Unref();
}

Napi::Value NativeSocket::Close(const Napi::CallbackInfo& info) {
  HEDDLE_CHECK_THIS(info);
  CloseNow();
  return env_.Undefined();
}

Napi::Value NativeSocket::PauseReading(const Napi::CallbackInfo& info) {
  HEDDLE_CHECK_THIS(info);
  reading_ = false;
  UpdatePoll();
  return env_.Undefined();
}

Napi::Value NativeSocket::ResumeReading(const Napi::CallbackInfo& info) {
  HEDDLE_CHECK_THIS(info);
  if (!closing_ && fd_ >= 0) reading_ = true;
  UpdatePoll();
  return env_.Undefined();
}

Napi::Value NativeSocket::GetFraming(const Napi::CallbackInfo& info) {
  HEDDLE_CHECK_THIS(info);
  return Napi::Number::New(env_, sniffing_ ? 2 : static_cast<int>(framing_));
}

Napi::Value NativeSocket::GetQueuedBytes(const Napi::CallbackInfo& info) {
  HEDDLE_CHECK_THIS(info);
  return Napi::Number::New(env_, static_cast<double>(queued_bytes_));
}

Napi::Value NativeSocket::GetPartialBytes(const Napi::CallbackInfo& info) {
  HEDDLE_CHECK_THIS(info);
  return Napi::Number::New(env_, slab_ ? static_cast<double>(slab_->filled - slab_->frame_start) : 0);
}

}  // namespace heddle::io

namespace heddle {
void InitNativeSocket(Napi::Env env, Napi::Object exports) { io::NativeSocket::Init(env, exports); }
}  // namespace heddle
