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
  // The oneof case number is, by the API's design, the EventType number.
  const auto type = tetragon::EventType(event.event_case());
  if (std::find(types_.begin(), types_.end(), type) == types_.end()) return Verdict::kOtherType;
  if (!auid_.enabled()) return Verdict::kPrint;
  const tetragon::Process* process = SubjectProcess(event);
  if (process == nullptr || !process->has_auid()) return Verdict::kNoAuid;
  return auid_.Matches(process->auid().value()) ? Verdict::kPrint : Verdict::kAuidRejected;
}

}  // namespace tetrars
