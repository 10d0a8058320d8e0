#include "request.h"

namespace tetrars {

tetragon::GetEventsRequest BuildRequest(const Options& options) {
  tetragon::GetEventsRequest request;
  tetragon::Filter* allow = request.add_allow_list();
  for (tetragon::EventType type : options.event_types) allow->add_event_set(type);
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
