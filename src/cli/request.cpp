#include "cli/request.h"

#include <string>
#include <vector>

#include "decode/schema.h"
#include "decode/wire_writer.h"

namespace tetrars {
namespace {

// The number of `message`'s field `name`: the schema is ours and compiled in,
// so a missing name is a build-time mistake in this file, caught by the tests.
uint32_t Number(std::string_view message, std::string_view name) {
  const schema::Message* type = schema::FindMessage(message);
  const schema::Field* field = type != nullptr ? schema::FieldByName(*type, name) : nullptr;
  return field != nullptr ? field->number : 0;
}

void Strings(WireWriter& out, uint32_t field, const std::vector<std::string>& values) {
  for (const std::string& value : values) out.Bytes(field, value);
}

// One FieldFilter: the paths as a FieldMask, and the action (INCLUDE = 0 is
// proto3's default, so it is not written, as protobuf does not write it).
WireWriter FieldFilter(const std::vector<std::string>& paths, uint64_t action) {
  WireWriter mask;
  Strings(mask, Number("google.protobuf.FieldMask", "paths"), paths);
  WireWriter filter;
  filter.Message(Number("tetragon.FieldFilter", "fields"), mask);
  if (action != 0) filter.Varint(Number("tetragon.FieldFilter", "action"), action);
  return filter;
}

}  // namespace

std::string AuidCel(const Options& options) {
  std::vector<std::string> terms;
  for (EventKind type : options.event_types) {
    // The event's field in GetEventsResponse; kinds without a process have no auid.
    const schema::Field* field = schema::EventType(type);
    if (field == nullptr || field->kind != schema::Kind::kMessage ||
        schema::FieldByName(schema::TypeOf(*field), "process") == nullptr) {
      continue;
    }
    const std::string event(field->name);
    std::vector<std::string> who;
    if (options.auid_of != AuidOf::kParent) who.push_back(event + ".process.auid");
    if (options.auid_of != AuidOf::kProcess) who.push_back(event + ".parent.auid");
    for (const std::string& path : who) terms.push_back(options.auid.ToCel(path));
  }
  if (terms.size() == 1) return terms.front();
  std::string cel;
  for (const std::string& term : terms) cel += (cel.empty() ? "(" : " || (") + term + ")";
  return cel;
}

std::string BuildRequest(const Options& options, bool pushdown, bool field_filters_too) {
  constexpr std::string_view kFilter = "tetragon.Filter";
  // The allow-list filter, its fields in number order as protobuf writes them.
  WireWriter allow;
  Strings(allow, Number(kFilter, "binary_regex"), options.binary_regex);
  Strings(allow, Number(kFilter, "namespace"), options.namespaces);
  allow.PackedVarints(Number(kFilter, "event_set"), options.event_types);
  Strings(allow, Number(kFilter, "pod_regex"), options.pod_regex);
  Strings(allow, Number(kFilter, "policy_names"), options.policy_names);
  const std::string auid = pushdown && options.auid.enabled() ? AuidCel(options) : "";
  const uint32_t cel = Number(kFilter, "cel_expression");
  if (auid.empty()) {
    Strings(allow, cel, options.cel_expressions);
  } else if (options.cel_expressions.empty()) {
    allow.Bytes(cel, auid);
  } else {
    // A filter's expressions are ORed: AND ours into each of the user's.
    for (const auto& v : options.cel_expressions) allow.Bytes(cel, "(" + v + ") && (" + auid + ")");
  }
  Strings(allow, Number(kFilter, "container_name_regex"), options.container_regex);
  Strings(allow, Number(kFilter, "namespace_regex"), options.namespace_regex);
  constexpr std::string_view kRequest = "tetragon.GetEventsRequest";
  WireWriter request;
  request.Message(Number(kRequest, "allow_list"), allow);
  if (!field_filters_too) return request.bytes();
  const uint32_t field_filters = Number(kRequest, "field_filters");
  if (!options.all_fields) request.Message(field_filters, FieldFilter(options.include_fields, 0));
  if (!options.exclude_fields.empty()) {
    request.Message(field_filters, FieldFilter(options.exclude_fields, 1 /* EXCLUDE */));
  }
  return request.bytes();
}

}  // namespace tetrars
