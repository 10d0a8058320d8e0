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

const tetragon::Process* ParentProcess(const tetragon::GetEventsResponse& event) {
  switch (event.event_case()) {
    case tetragon::GetEventsResponse::kProcessExec:
      return event.process_exec().has_parent() ? &event.process_exec().parent() : nullptr;
    case tetragon::GetEventsResponse::kProcessExit:
      return event.process_exit().has_parent() ? &event.process_exit().parent() : nullptr;
    case tetragon::GetEventsResponse::EVENT_NOT_SET:
      break;
  }
  return nullptr;
}

Verdict EventFilter::Check(const tetragon::GetEventsResponse& event) const {
  const auto check = [&](const tetragon::Process* p) {
    const bool has_auid = p != nullptr && p->has_auid();
    // The oneof case number is, by the API's design, the EventType number.
    return CheckFacts(event.event_case(), has_auid, has_auid ? p->auid().value() : 0);
  };
  switch (auid_of_) {
    case AuidOf::kProcess:
      return check(SubjectProcess(event));
    case AuidOf::kParent:
      return check(ParentProcess(event));
    case AuidOf::kEither: {
      const Verdict process = check(SubjectProcess(event));
      if (process == Verdict::kPrint || process == Verdict::kOtherType) return process;
      const Verdict parent = check(ParentProcess(event));
      if (parent == Verdict::kPrint) return parent;
      // Rejected when either had an auid that the rule rejected.
      return process == Verdict::kNoAuid ? parent : process;
    }
  }
  return Verdict::kOtherType;
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
