// Stage 3 of the data path (filter): decides whether a decoded event is printed.
//
// Contract: Check() only reads the event. An event is printed when its kind is
// one of the requested event types (the agent filters too; this is the safety
// net) and, with the auid rule on, the auid read by --auid-of (the event's own
// process: process_exec.process.auid, process_kprobe.process.auid ...; its
// parent; or either) is present and accepted by the AuidFilter. An event
// without that process or without auid is never taken for a human's. The
// auids are read from the wire bytes (wire::FindInEvent), with protobuf's
// merge semantics.
#pragma once

#include <vector>

#include "decode/event.h"
#include "decode/event_fields.h"
#include "decode/event_types.h"
#include "decode/wire.h"
#include "filter/auid_filter.h"

namespace tetrars {

enum class Verdict { kPrint, kOtherType, kNoAuid, kAuidRejected };

class EventFilter {
 public:
  EventFilter(std::vector<EventKind> types, AuidFilter auid, AuidOf auid_of = AuidOf::kProcess);

  Verdict Check(const Event& event, wire::Walker& walker) const;
  // The same decision from facts: the event kind (EventType number) and the
  // auid of the process the rule reads, if it has one.
  Verdict CheckFacts(int kind, bool has_auid, uint32_t auid) const;

 private:
  Verdict CheckAuidAt(const Event& event, wire::Walker& walker, const wire::EventPath& path) const;

  std::vector<EventKind> types_;
  AuidFilter auid_;
  AuidOf auid_of_;
};

}  // namespace tetrars
