// Part of stage 1 (transport): gRPC message framing inside the HTTP/2 stream.
//
// Contract: every gRPC message is a 5-byte prefix (flag byte, 4-byte
// big-endian length) followed by the payload, and DATA frames may split
// prefixes and payloads at any byte. Feed() takes the DATA bytes as they come
// and calls on_message(data, size) once per complete message with contiguous
// bytes: pointing into the caller's chunk when the message lies whole in it
// (no copy), else into an internal buffer. It stops at the first problem — a
// compressed flag (we never offer compression), an unknown flag, a length
// above the maximum — and returns false with error() set; nothing after that
// point is delivered. Reset() readies it for a new stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tetrars {

class GrpcDeframer {
 public:
  // Returns false to stop delivering (the caller aborts the stream).
  using OnMessage = std::function<bool(const uint8_t* data, size_t size)>;

  GrpcDeframer(size_t max_message_size, OnMessage on_message)
      : max_message_size_(max_message_size), on_message_(std::move(on_message)) {}

  bool Feed(const uint8_t* data, size_t size);
  void Reset();
  // True between messages: no partial prefix or payload is pending.
  bool AtBoundary() const { return header_filled_ == 0 && !in_payload_; }
  enum class Problem { kNone, kCompressed, kBadFlag, kTooLarge, kStoppedByReceiver };
  Problem problem() const { return problem_; }
  const std::string& error() const { return error_; }

 private:
  bool StartPayload();
  bool Deliver(const uint8_t* data, size_t size);

  static constexpr size_t kKeepCapacity = 256 * 1024;
  size_t max_message_size_;
  OnMessage on_message_;
  uint8_t header_[5] = {};
  size_t header_filled_ = 0;
  bool in_payload_ = false;
  size_t payload_size_ = 0;
  std::vector<uint8_t> partial_;  // payload bytes of a message split across chunks
  Problem problem_ = Problem::kNone;
  std::string error_;
};

}  // namespace tetrars
