#include "decode.h"

#include "schema.h"

namespace tetrars {

Decoder::Result Decoder::Decode(const uint8_t* data, size_t size) {
  event_ = Event{data, size, 0};
  problem_.clear();
  if (!wire::Validate(schema::EventsResponse(), data, size, &problem_)) {
    if (problem_.empty()) problem_ = "the wire format breaks";
    return Result::kMalformed;
  }
  event_.kind = walker_.EventKind(data, size);
  return event_.kind == 0 ? Result::kUnmodelled : Result::kEvent;
}

}  // namespace tetrars
