#include "event_filter.h"

#include <algorithm>

namespace tetrars {

const tetragon::Process* SubjectProcess(const tetragon::GetEventsResponse& event) {
  switch (event.event_case()) {
    case tetragon::GetEventsResponse::kProcessExec:
      return event.process_exec().has_process() ? &event.process_exec().process() : nullptr;
    case tetragon::GetEventsResponse::kProcessExit:
      return event.process_exit().has_process() ? &event.process_exit().process() : nullptr;
    case tetragon::GetEventsResponse::EVENT_NOT_SET:
      break;
  }
  return nullptr;
}

Verdict EventFilter::Check(const tetragon::GetEventsResponse& event) const {
  const tetragon::Process* process = SubjectProcess(event);
  const bool has_auid = process != nullptr && process->has_auid();
  // The oneof case number is, by the API's design, the EventType number.
  return CheckFacts(event.event_case(), has_auid, has_auid ? process->auid().value() : 0);
}

Verdict EventFilter::CheckFacts(int kind, bool has_auid, uint32_t auid) const {
  if (std::find(types_.begin(), types_.end(), tetragon::EventType(kind)) == types_.end()) {
    return Verdict::kOtherType;
  }
  if (!auid_.enabled()) return Verdict::kPrint;
  if (!has_auid) return Verdict::kNoAuid;
  return auid_.Matches(auid) ? Verdict::kPrint : Verdict::kAuidRejected;
}

}  // namespace tetrars
