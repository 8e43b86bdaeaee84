// The shmipc control messages carried over the Unix socket: encoding, and parsing that checks
// every length against the bytes present and the configured limit before anything is allocated.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "shm/layout.h"
#include "shm/status.h"

namespace heddle::shm {

struct ControlHeader {
  uint32_t length;  // including the header
  uint8_t version;
  MessageType type;
};

// Bytes of slack allowed after the header of a message the spec leaves empty (versions, acks).
inline constexpr uint32_t kSmallMessageSlack = 16;

// The longest message of `type` accepted, header included: `max_length` (the configured
// FallbackData limit) for FallbackData, the body the spec defines for the small control messages
// (Polling: none; StreamClose: 4 bytes), at most `max_length` either way. A peer cannot make us
// buffer megabytes by announcing a huge Polling message.
uint32_t MaxControlMessageLength(MessageType type, uint32_t max_length);

// Parses the 8-byte header at `bytes`. kBadFrame for a wrong magic, version 0, an unknown type, or
// a length below the header size or above MaxControlMessageLength(type, max_length).
Status ParseControlHeader(const uint8_t* bytes, uint32_t max_length, ControlHeader* out);

void AppendHeader(std::vector<uint8_t>* out, uint32_t length, uint8_t version, MessageType type);
// A body-less message (Polling, ExchangeProtoVersion, AckShareMemory, AckReadyRecvFd).
void AppendEmptyMessage(std::vector<uint8_t>* out, uint8_t version, MessageType type);
// ShareMemoryByFilePath / ShareMemoryByMemfd: u16-length-prefixed queue path, then buffer path.
void AppendShareMemory(std::vector<uint8_t>* out, uint8_t version, MessageType type, std::string_view queue_path,
                       std::string_view buffer_path);
void AppendStreamClose(std::vector<uint8_t>* out, uint8_t version, uint32_t stream_id);
// The header and metadata of a FallbackData message whose payload (`payload_length` bytes) follows.
void AppendFallbackHead(std::vector<uint8_t>* out, uint8_t version, uint32_t stream_id, uint32_t status,
                        uint32_t payload_length);

// Parses the body of a ShareMemoryBy* message; kBadFrame when the lengths overrun the body or a
// name is empty, longer than 4096 bytes or holds a NUL.
Status ParseShareMemoryBody(const uint8_t* body, uint32_t length, std::string* queue_path, std::string* buffer_path);

inline uint32_t ReadBigEndian32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

}  // namespace heddle::shm
