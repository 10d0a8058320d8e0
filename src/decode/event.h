// The event model every stage after decode reads: one GetEventsResponse as
// its wire bytes, validated (wire::Validate) against the schema tables, and
// its kind. No libprotobuf: stages read fields through the wire walker
// (wire.h: FindInEvent for a scalar by event-relative path such as
// "process.auid", Walker::Build for whole messages) or print it with
// WireJsonWriter (wire_json.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "decode/event_types.h"

namespace tetrars {

struct Event {
  const uint8_t* data = nullptr;  // valid until the next event is decoded
  size_t size = 0;
  EventKind kind = 0;  // its `event` member's number (= EventType); 0: none of ours
  // The kind and process.auid as read while validating (wire::EventFacts);
  // when not `simple`, readers use the walker instead.
  bool simple = false;
  bool has_auid = false;
  uint32_t auid = 0;
};

}  // namespace tetrars
