// The REFERENCE decoder (tests, fuzzers): one gRPC message payload ->
// tetragon::GetEventsResponse through libprotobuf, as tetrars decoded before
// issue 12. src/decode/decode.h is the product's; tests prove them equal.
//
// Contract: Decode() parses into one reused message (Clear keeps capacity, so
// steady state allocates little) and says what it found:
//   kEvent       a kind our schema models (process_exec, process_exit);
//   kUnmodelled  it parsed, but its event is of a kind we do not model (it sits
//                in unknown fields): counted and skipped, never printed;
//   kMalformed   the bytes are not a valid message (including a string field
//                with invalid UTF-8, which protobuf rejects in proto3).
// The event stays valid until the next Decode().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "tetragon/events.pb.h"

namespace tetrars::reference {

class PbDecoder {
 public:
  enum class Result { kEvent, kUnmodelled, kMalformed };

  Result Decode(const uint8_t* data, size_t size);

  // Why `data` is not a valid GetEventsResponse, in one phrase naming the
  // field ("field tetragon.Process.binary is not valid UTF-8") or the byte
  // offset where the wire format breaks. Only called on kMalformed.
  static std::string Explain(const uint8_t* data, size_t size);
  const tetragon::GetEventsResponse& event() const { return event_; }

 private:
  tetragon::GetEventsResponse event_;
};

}  // namespace tetrars::reference
