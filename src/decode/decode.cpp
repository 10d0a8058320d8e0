#include "decode/decode.h"

#include "decode/schema.h"

namespace tetrars {

Decoder::Result Decoder::Decode(const uint8_t* data, size_t size) {
  event_ = Event{data, size, 0};
  problem_.clear();
  wire::EventFacts facts;
  if (!wire::ValidateEvent(data, size, &facts, &problem_)) {
    if (problem_.empty()) problem_ = "the wire format breaks";
    return Result::kMalformed;
  }
  // The facts read on the way spare a second pass, unless protobuf's merge
  // rules could make a full read see otherwise.
  event_.simple = facts.simple;
  event_.has_auid = facts.has_auid;
  event_.auid = facts.auid;
  event_.kind = facts.simple ? facts.kind : walker_.EventKind(data, size);
  return event_.kind == 0 ? Result::kUnmodelled : Result::kEvent;
}

bool Decoder::Skim(const uint8_t* data, size_t size) {
  wire::EventFacts facts;
  if (!skimmer_.Skim(data, size, &facts)) return false;
  event_ = Event{data, size, facts.kind, true, facts.has_auid, facts.auid};
  return true;
}

}  // namespace tetrars
