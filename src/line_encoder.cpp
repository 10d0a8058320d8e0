#include "line_encoder.h"

#include "annotations.h"
#include "compact_writer.h"
#include "event_filter.h"
#include "json_writer.h"
#include "line_limit.h"
#include "schema.h"
#include "wire.h"

namespace tetrars {

LineEncoder::LineEncoder(const Options& options)
    : format_(options.output),
      max_line_bytes_(options.max_line_bytes),
      timestamps_(options.timestamps),
      users_(options.resolve_users ? std::make_unique<UserNames>() : nullptr) {}

LineEncoder::Result LineEncoder::Encode(const tetragon::GetEventsResponse& event, std::string& out,
                                        std::string* error) {
  if (format_ == OutputFormat::kCompact) {
    // For now (issue 12) the event arrives parsed: the compact writer reads
    // wire bytes, so it is serialized again here until decode hands them on.
    event.SerializeToString(&wire_);
    const auto* data = reinterpret_cast<const uint8_t*>(wire_.data());
    if (!wire::Validate(schema::EventsResponse(), data, wire_.size(), error)) {
      return Result::kFailed;
    }
    const Event wire_event{data, wire_.size(), EventKind(event.event_case())};
    return compact_.Append(wire_event, timestamps_, max_line_bytes_, out) ? Result::kTruncated
                                                                          : Result::kWritten;
  }
  return EncodeJson(event, out, error);
}

void LineEncoder::AddUserNames(const tetragon::GetEventsResponse& event, Annotations& annotations) {
  const auto add = [&](const char* key, uint32_t id) {
    if (auto name = users_->Name(id)) annotations.names.emplace_back(key, std::move(*name));
  };
  if (const tetragon::Process* process = SubjectProcess(event)) {
    if (process->has_auid() && process->auid().value() != AuidFilter::kUnset) {
      add("auid_user", process->auid().value());
    }
    if (process->has_uid()) add("uid_user", process->uid().value());
  }
  if (const tetragon::Process* parent = ParentProcess(event)) {
    if (parent->has_auid() && parent->auid().value() != AuidFilter::kUnset) {
      add("parent_auid_user", parent->auid().value());
    }
    if (parent->has_uid()) add("parent_uid_user", parent->uid().value());
  }
}

LineEncoder::Result LineEncoder::EncodeJson(const tetragon::GetEventsResponse& event,
                                            std::string& out, std::string* error) {
  const size_t from = out.size();
  if (!AppendJson(event, out, error)) return Result::kFailed;
  Annotations annotations;
  if (users_) AddUserNames(event, annotations);
  bool truncated = false;
  // Most lines are short and carry no annotations: nothing to measure then.
  const bool short_plain = annotations.empty() && out.size() - from <= max_line_bytes_;
  if (max_line_bytes_ > 0 && !short_plain) {
    // Room for the tetrars object as it will be if the line is shortened.
    Annotations shortened = annotations;
    shortened.truncated = true;
    const size_t reserved = shortened.Member().size() + 1;
    const size_t budget = max_line_bytes_ > reserved ? max_line_bytes_ - reserved : 0;
    switch (FitJsonLine(out, from, budget)) {
      case FitResult::kFits:
        break;
      case FitResult::kShortened:
        truncated = true;
        break;
      case FitResult::kTooLarge: {
        const size_t original = out.size() - from;
        out.resize(from);
        WriteOmitted(event, std::move(annotations), original, out, from);
        return Result::kTruncated;
      }
    }
  }
  annotations.truncated = truncated;
  AppendAnnotations(annotations, out, from);
  return truncated ? Result::kTruncated : Result::kWritten;
}

void LineEncoder::WriteOmitted(const tetragon::GetEventsResponse& event, Annotations annotations,
                               size_t original_bytes, std::string& out, size_t from) {
  annotations.truncated = true;
  annotations.omitted_bytes = original_bytes;
  tetragon::GetEventsResponse identity;
  identity.set_node_name(event.node_name());
  if (event.has_time()) *identity.mutable_time() = event.time();
  const auto* reflection = event.GetReflection();
  const auto* kind = event.event_case() == tetragon::GetEventsResponse::EVENT_NOT_SET
                         ? nullptr
                         : event.GetDescriptor()->FindFieldByNumber(event.event_case());
  if (kind != nullptr) {
    google::protobuf::Message* body = reflection->MutableMessage(&identity, kind);
    const auto* process_field = body->GetDescriptor()->FindFieldByName("process");
    const tetragon::Process* process = SubjectProcess(event);
    if (process_field != nullptr && process != nullptr &&
        process_field->message_type() == tetragon::Process::descriptor()) {
      auto* copy = static_cast<tetragon::Process*>(
          body->GetReflection()->MutableMessage(body, process_field));
      copy->set_exec_id(process->exec_id());
      if (process->has_pid()) *copy->mutable_pid() = process->pid();
      if (process->has_uid()) *copy->mutable_uid() = process->uid();
      if (process->has_auid()) *copy->mutable_auid() = process->auid();
    }
  }
  if (AppendJson(identity, out)) {
    AppendAnnotations(annotations, out, from);
    if (out.size() - from <= max_line_bytes_) return;
    out.resize(from);
  }
  // Not even that fits (a giant node name): the annotations alone.
  annotations.names.clear();
  out += "{" + annotations.Member() + "}";
}

}  // namespace tetrars
