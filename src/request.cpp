#include "request.h"

#include <string>
#include <vector>

namespace tetrars {

std::string AuidCel(const Options& options) {
  std::vector<std::string> terms;
  for (EventKind type : options.event_types) {
    // The event's field in GetEventsResponse; kinds without a process have no auid.
    const auto* field = tetragon::GetEventsResponse::descriptor()->FindFieldByNumber(type);
    if (field == nullptr || field->message_type() == nullptr ||
        field->message_type()->FindFieldByName("process") == nullptr) {
      continue;
    }
    const std::string event = field->name();
    std::vector<std::string> who;
    if (options.auid_of != AuidOf::kParent) who.push_back(event + ".process.auid");
    if (options.auid_of != AuidOf::kProcess) who.push_back(event + ".parent.auid");
    for (const std::string& field : who) terms.push_back(options.auid.ToCel(field));
  }
  if (terms.size() == 1) return terms.front();
  std::string cel;
  for (const std::string& term : terms) cel += (cel.empty() ? "(" : " || (") + term + ")";
  return cel;
}

tetragon::GetEventsRequest BuildRequest(const Options& options, bool pushdown) {
  tetragon::GetEventsRequest request;
  tetragon::Filter* allow = request.add_allow_list();
  for (EventKind type : options.event_types) allow->add_event_set(tetragon::EventType(type));
  for (const auto& v : options.namespaces) allow->add_namespace_(v);
  for (const auto& v : options.binary_regex) allow->add_binary_regex(v);
  for (const auto& v : options.pod_regex) allow->add_pod_regex(v);
  for (const auto& v : options.policy_names) allow->add_policy_names(v);
  const std::string auid = pushdown && options.auid.enabled() ? AuidCel(options) : "";
  if (auid.empty()) {
    for (const auto& v : options.cel_expressions) allow->add_cel_expression(v);
  } else if (options.cel_expressions.empty()) {
    allow->add_cel_expression(auid);
  } else {
    // A filter's expressions are ORed: AND ours into each of the user's.
    for (const auto& v : options.cel_expressions)
      allow->add_cel_expression("(" + v + ") && (" + auid + ")");
  }
  if (!options.all_fields) {
    tetragon::FieldFilter* fields = request.add_field_filters();
    for (const std::string& path : options.include_fields)
      fields->mutable_fields()->add_paths(path);
    fields->set_action(tetragon::INCLUDE);
  }
  if (!options.exclude_fields.empty()) {
    tetragon::FieldFilter* fields = request.add_field_filters();
    for (const std::string& path : options.exclude_fields)
      fields->mutable_fields()->add_paths(path);
    fields->set_action(tetragon::EXCLUDE);
  }
  return request;
}

}  // namespace tetrars
