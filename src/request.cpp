#include "request.h"

namespace tetrars {

tetragon::GetEventsRequest BuildRequest(const Options& options) {
  tetragon::GetEventsRequest request;
  tetragon::Filter* allow = request.add_allow_list();
  for (tetragon::EventType type : options.event_types) allow->add_event_set(type);
  for (const auto& v : options.namespaces) allow->add_namespace_(v);
  for (const auto& v : options.binary_regex) allow->add_binary_regex(v);
  for (const auto& v : options.pod_regex) allow->add_pod_regex(v);
  for (const auto& v : options.policy_names) allow->add_policy_names(v);
  for (const auto& v : options.cel_expressions) allow->add_cel_expression(v);
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
