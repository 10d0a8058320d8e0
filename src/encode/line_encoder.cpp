#include "encode/line_encoder.h"

#include "decode/event_fields.h"
#include "decode/schema.h"
#include "decode/wire_writer.h"
#include "encode/annotations.h"
#include "encode/compact_writer.h"
#include "encode/line_limit.h"
#include "filter/auid_filter.h"

namespace tetrars {
namespace {
constexpr size_t kReserveAbove = 64 * 1024;
}  // namespace

LineEncoder::LineEncoder(const LineFormat& format)
    : format_(format.output),
      max_line_bytes_(format.max_line_bytes),
      timestamps_(format.timestamps),
      users_(format.resolve_users ? std::make_unique<UserNames>() : nullptr) {}

LineEncoder::Result LineEncoder::Encode(const Event& event, wire::Walker& walker, std::string& out,
                                        std::string* error) {
  if (format_ == OutputFormat::kCompact) {
    return compact_.Append(event, timestamps_, max_line_bytes_, out) ? Result::kTruncated
                                                                     : Result::kWritten;
  }
  return EncodeJson(event, walker, out, error);
}

void LineEncoder::ForAgent(const AgentVersion& agent) {
  if (agent.PodFieldThreeIsLabels()) {
    json_.PrintAs(schema::FindMessage("tetragon.Pod"),
                  schema::FindMessage("tetragon.history.PodWithLabels"));
  } else {
    json_.PrintAs(nullptr, nullptr);
  }
}

void LineEncoder::AddUserNames(const Event& event, wire::Walker& walker, Annotations& annotations) {
  const EventFields& fields = EventFields::Get();
  const auto add = [&](const char* key, const wire::EventPath& path, bool skip_unset) {
    const wire::Scalar id = Read(walker, event, path);
    if (!id.present || (skip_unset && U32(id) == AuidFilter::kUnset)) return;
    if (auto name = users_->Name(U32(id))) annotations.names.emplace_back(key, std::move(*name));
  };
  add("auid_user", fields.process_auid, true);
  add("uid_user", fields.process_uid, false);
  add("parent_auid_user", fields.parent_auid, true);
  add("parent_uid_user", fields.parent_uid, false);
}

LineEncoder::Result LineEncoder::EncodeJson(const Event& event, wire::Walker& walker,
                                            std::string& out, std::string* error) {
  const size_t from = out.size();
  // A large event's JSON is about its size plus escapes: room for it at once
  // instead of a string that doubles (and copies) its way up. Untouched
  // capacity costs no memory.
  if (event.size > kReserveAbove) out.reserve(from + event.size + event.size / 2);
  if (!json_.Append(schema::EventsResponse(), event.data, event.size, out, error)) {
    return Result::kFailed;
  }
  Annotations annotations;
  if (users_) AddUserNames(event, walker, annotations);
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
        WriteOmitted(event, walker, std::move(annotations), original, out, from);
        return Result::kTruncated;
      }
    }
  }
  annotations.truncated = truncated;
  AppendAnnotations(annotations, out, from);
  return truncated ? Result::kTruncated : Result::kWritten;
}

// The event's identity: its kind with process.{exec_id,pid,uid,auid},
// node_name and time, rebuilt as a GetEventsResponse and printed by the same
// writer, so it reads exactly as those fields do on a whole line.
void LineEncoder::WriteOmitted(const Event& event, wire::Walker& walker, Annotations annotations,
                               size_t original_bytes, std::string& out, size_t from) {
  annotations.truncated = true;
  annotations.omitted_bytes = original_bytes;
  const EventFields& fields = EventFields::Get();
  WireWriter identity;
  if (const schema::Field* kind = schema::EventType(event.kind)) {
    const schema::Message& body_type = schema::TypeOf(*kind);
    const schema::Field* process_field = schema::FieldByName(body_type, "process");
    const schema::Message* process_type = schema::FindMessage("tetragon.Process");
    WireWriter body;
    if (process_field != nullptr && process_type != nullptr) {
      WireWriter process;
      const auto copy_string = [&](const char* name, const wire::EventPath& path) {
        const wire::Scalar value = Read(walker, event, path);
        if (value.present)
          process.Bytes(schema::FieldByName(*process_type, name)->number, value.text);
      };
      const auto copy_wrapped = [&](const char* name, const wire::EventPath& path) {
        const wire::Scalar value = Read(walker, event, path);
        if (!value.present) return;
        WireWriter wrapper;
        if (value.bits != 0) wrapper.Varint(1, value.bits);  // UInt32Value.value
        process.Message(schema::FieldByName(*process_type, name)->number, wrapper);
      };
      copy_string("exec_id", fields.process_exec_id);
      copy_wrapped("pid", fields.process_pid);
      copy_wrapped("uid", fields.process_uid);
      copy_wrapped("auid", fields.process_auid);
      if (!process.empty()) body.Message(process_field->number, process);
    }
    identity.Message(kind->number, body);
  }
  const schema::Message& root = schema::EventsResponse();
  const wire::Scalar node = Read(walker, event, fields.node_name);
  if (node.present) identity.Bytes(schema::FieldByName(root, "node_name")->number, node.text);
  const wire::Scalar seconds = Read(walker, event, fields.time_seconds);
  const wire::Scalar nanos = Read(walker, event, fields.time_nanos);
  const schema::Field* time = schema::FieldByName(root, "time");
  const wire::Span whole{event.data, event.size};
  wire::Occurrence last_time{};
  if (time != nullptr && wire::LastOccurrence({&whole, 1}, *time, &last_time)) {
    WireWriter timestamp;
    if (seconds.present) timestamp.Varint(1, seconds.bits);
    if (nanos.present) timestamp.Varint(2, nanos.bits);
    identity.Message(time->number, timestamp);
  }
  identity_ = identity.bytes();
  if (json_.Append(root, reinterpret_cast<const uint8_t*>(identity_.data()), identity_.size(),
                   out)) {
    AppendAnnotations(annotations, out, from);
    if (out.size() - from <= max_line_bytes_) return;
    out.resize(from);
  }
  // Not even that fits (a giant node name): the annotations alone.
  annotations.names.clear();
  out += "{" + annotations.Member() + "}";
}

}  // namespace tetrars
