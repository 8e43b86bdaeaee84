#include "shm/control_message.h"

#include <algorithm>

namespace heddle::shm {
namespace {
constexpr uint32_t kMaxNameLength = 4096;

void AppendBigEndian32(std::vector<uint8_t>* out, uint32_t v) {
  out->push_back(static_cast<uint8_t>(v >> 24));
  out->push_back(static_cast<uint8_t>(v >> 16));
  out->push_back(static_cast<uint8_t>(v >> 8));
  out->push_back(static_cast<uint8_t>(v));
}

void AppendName(std::vector<uint8_t>* out, std::string_view name) {
  out->push_back(static_cast<uint8_t>(name.size() >> 8));
  out->push_back(static_cast<uint8_t>(name.size()));
  out->insert(out->end(), name.begin(), name.end());
}

Status ParseName(const uint8_t* body, uint32_t length, uint32_t* offset, std::string* name) {
  if (length - *offset < 2) return Status::kBadFrame;
  const uint32_t size = (uint32_t{body[*offset]} << 8) | body[*offset + 1];
  *offset += 2;
  if (size == 0 || size > kMaxNameLength || size > length - *offset) return Status::kBadFrame;
  name->assign(reinterpret_cast<const char*>(body + *offset), size);
  if (name->find('\0') != std::string::npos) return Status::kBadFrame;
  *offset += size;
  return Status::kOk;
}
}  // namespace

uint32_t MaxControlMessageLength(MessageType type, uint32_t max_length) {
  uint32_t body = 0;
  switch (type) {
    case MessageType::kFallbackData:
      return max_length;
    case MessageType::kShareMemoryByFilePath:
    case MessageType::kShareMemoryByMemfd:
      body = 2 * (2 + kMaxNameLength);
      break;
    case MessageType::kStreamClose:
      body = kStreamCloseBodySize;
      break;
    case MessageType::kHotRestart:
    case MessageType::kHotRestartAck:
      body = kHotRestartBodySize;
      break;
    case MessageType::kPolling:
      break;
    case MessageType::kExchangeProtoVersion:
    case MessageType::kAckShareMemory:
    case MessageType::kAckReadyRecvFd:
      // Empty in the spec; a few bytes of slack for peers that pad them, never a buffer's worth.
      body = kSmallMessageSlack;
      break;
  }
  return std::min(max_length, kControlHeaderSize + body);
}

Status ParseControlHeader(const uint8_t* bytes, uint32_t max_length, ControlHeader* out) {
  const uint32_t length = ReadBigEndian32(bytes + kControlLengthOffset);
  const uint16_t magic = static_cast<uint16_t>((bytes[kControlMagicOffset] << 8) | bytes[kControlMagicOffset + 1]);
  const uint8_t version = bytes[kControlVersionOffset];
  const uint8_t type = bytes[kControlTypeOffset];
  if (magic != kControlMagic || version == 0 || type > kMaxMessageType) return Status::kBadFrame;
  if (length < kControlHeaderSize || length > MaxControlMessageLength(static_cast<MessageType>(type), max_length)) {
    return Status::kBadFrame;
  }
  *out = ControlHeader{length, version, static_cast<MessageType>(type)};
  return Status::kOk;
}

void AppendHeader(std::vector<uint8_t>* out, uint32_t length, uint8_t version, MessageType type) {
  AppendBigEndian32(out, length);
  out->push_back(static_cast<uint8_t>(kControlMagic >> 8));
  out->push_back(static_cast<uint8_t>(kControlMagic & 0xff));
  out->push_back(version);
  out->push_back(static_cast<uint8_t>(type));
}

void AppendEmptyMessage(std::vector<uint8_t>* out, uint8_t version, MessageType type) {
  AppendHeader(out, kControlHeaderSize, version, type);
}

void AppendShareMemory(std::vector<uint8_t>* out, uint8_t version, MessageType type, std::string_view queue_path,
                       std::string_view buffer_path) {
  const uint32_t length = kControlHeaderSize + 2 + static_cast<uint32_t>(queue_path.size()) + 2 +
                          static_cast<uint32_t>(buffer_path.size());
  AppendHeader(out, length, version, type);
  AppendName(out, queue_path);
  AppendName(out, buffer_path);
}

void AppendStreamClose(std::vector<uint8_t>* out, uint8_t version, uint32_t stream_id) {
  AppendHeader(out, kControlHeaderSize + kStreamCloseBodySize, version, MessageType::kStreamClose);
  AppendBigEndian32(out, stream_id);
}

void AppendFallbackHead(std::vector<uint8_t>* out, uint8_t version, uint32_t stream_id, uint32_t status,
                        uint32_t payload_length) {
  AppendHeader(out, kControlHeaderSize + kFallbackMetaSize + payload_length, version, MessageType::kFallbackData);
  AppendBigEndian32(out, stream_id);
  AppendBigEndian32(out, status);
}

Status ParseShareMemoryBody(const uint8_t* body, uint32_t length, std::string* queue_path, std::string* buffer_path) {
  uint32_t offset = 0;
  Status s = ParseName(body, length, &offset, queue_path);
  if (s != Status::kOk) return s;
  return ParseName(body, length, &offset, buffer_path);
}

}  // namespace heddle::shm
