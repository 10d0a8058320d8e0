#include "process_of.h"

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

}  // namespace tetrars
