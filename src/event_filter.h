// Stage 3 of the data path (filter): decides whether a decoded event is printed.
//
// Contract: Check() only reads the event. An event is printed when its kind is
// one of the requested event types (the agent filters too; this is the safety
// net) and, with the auid rule on, the auid of the event's own process
// (process_exec.process or process_exit.process) is present and accepted by
// the AuidFilter. An event without that process or without auid is never
// taken for a human's.
#pragma once

#include <vector>

#include "auid_filter.h"
#include "event_types.h"
#include "tetragon/events.pb.h"

namespace tetrars {

enum class Verdict { kPrint, kOtherType, kNoAuid, kAuidRejected };

// Whose auid the rule reads (--auid-of): the event's process (the default),
// its parent, or either of them (the event passes if one of them does).
enum class AuidOf { kProcess, kParent, kEither };

// The process an event is about, or nullptr when the event carries none.
const tetragon::Process* SubjectProcess(const tetragon::GetEventsResponse& event);
// Its parent, or nullptr.
const tetragon::Process* ParentProcess(const tetragon::GetEventsResponse& event);

class EventFilter {
 public:
  EventFilter(std::vector<EventKind> types, AuidFilter auid,
              AuidOf auid_of = AuidOf::kProcess)
      : types_(std::move(types)), auid_(std::move(auid)), auid_of_(auid_of) {}

  Verdict Check(const tetragon::GetEventsResponse& event) const;
  // The same decision from facts read off the wire (wire_peek.h): the event
  // kind (EventType number) and the auid of its process, if it has one.
  // Only for the process's auid (reads_process_auid()).
  Verdict CheckFacts(int kind, bool has_auid, uint32_t auid) const;
  bool reads_process_auid() const { return auid_.enabled() && auid_of_ == AuidOf::kProcess; }

 private:
  std::vector<EventKind> types_;
  AuidFilter auid_;
  AuidOf auid_of_;
};

}  // namespace tetrars
