#include "event_filter.h"

#include <algorithm>

namespace tetrars {

namespace {

// The Process called `name` ("process" or "parent") in the event's message,
// whatever the kind: every kind names them alike.
const tetragon::Process* ProcessField(const tetragon::GetEventsResponse& event, const char* name) {
  const int kind = event.event_case();
  if (kind == tetragon::GetEventsResponse::EVENT_NOT_SET) return nullptr;
  const auto* response = event.GetReflection();
  const auto* event_field = event.GetDescriptor()->FindFieldByNumber(kind);
  const google::protobuf::Message& body = response->GetMessage(event, event_field);
  const auto* field = body.GetDescriptor()->FindFieldByName(name);
  if (field == nullptr || field->message_type() != tetragon::Process::descriptor() ||
      !body.GetReflection()->HasField(body, field)) {
    return nullptr;
  }
  return static_cast<const tetragon::Process*>(&body.GetReflection()->GetMessage(body, field));
}

}  // namespace

const tetragon::Process* SubjectProcess(const tetragon::GetEventsResponse& event) {
  // The two kinds that make most of the stream, without reflection.
  if (event.has_process_exec()) {
    return event.process_exec().has_process() ? &event.process_exec().process() : nullptr;
  }
  if (event.has_process_exit()) {
    return event.process_exit().has_process() ? &event.process_exit().process() : nullptr;
  }
  return ProcessField(event, "process");
}

const tetragon::Process* ParentProcess(const tetragon::GetEventsResponse& event) {
  return ProcessField(event, "parent");
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
  if (std::find(types_.begin(), types_.end(), EventKind(kind)) == types_.end()) {
    return Verdict::kOtherType;
  }
  if (!auid_.enabled()) return Verdict::kPrint;
  if (!has_auid) return Verdict::kNoAuid;
  return auid_.Matches(auid) ? Verdict::kPrint : Verdict::kAuidRejected;
}

}  // namespace tetrars
