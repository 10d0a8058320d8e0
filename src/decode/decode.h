// Stage 2 of the data path (decode): one gRPC message payload -> an Event.
//
// Contract: Decode() validates the bytes against the schema tables with the
// wire walker (wire::Validate: exactly what libprotobuf's ParseFromArray
// accepts) and reads the event's kind, without parsing it into objects, and
// says what it found:
//   kEvent       a kind our schema models;
//   kUnmodelled  valid, but no event of a kind we model is set (a kind newer
//                than the schema sits in unknown fields): counted and skipped,
//                never printed;
//   kMalformed   not a valid GetEventsResponse (including a string field
//                with invalid UTF-8, as protobuf rejects in proto3); problem()
//                names the fault ("field tetragon.Process.binary is not valid
//                UTF-8", "... at byte N").
// The event points into `data`: valid as long as those bytes are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "decode/event.h"
#include "decode/wire.h"

namespace tetrars {

class Decoder {
 public:
  enum class Result { kEvent, kUnmodelled, kMalformed };

  Result Decode(const uint8_t* data, size_t size);
  // The event's kind and process.auid without validating it
  // (wire::EventSkimmer): true when they are known (event().simple), for a
  // filter that can drop the event on them alone. An event to print still
  // goes through Decode().
  bool Skim(const uint8_t* data, size_t size);
  const Event& event() const { return event_; }
  // Why the last kMalformed message is not a valid GetEventsResponse.
  const std::string& problem() const { return problem_; }
  // The walker, for the stages that read the event's fields.
  wire::Walker& walker() { return walker_; }

 private:
  Event event_;
  std::string problem_;
  wire::Walker walker_;
  wire::EventSkimmer skimmer_;
};

}  // namespace tetrars
