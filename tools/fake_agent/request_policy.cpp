#include "request_policy.h"

#include <algorithm>
#include <map>
#include <vector>

namespace fake_agent {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Paths as a tree: "process.pid" and "process.uid" share the node "process".
struct PathTree {
  bool leaf = false;
  std::map<std::string, PathTree> children;
};

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    parts.push_back(path.substr(start, dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

bool BuildTree(const google::protobuf::FieldMask& mask, PathTree* tree, std::string* error) {
  for (const std::string& path : mask.paths()) {
    PathTree* node = tree;
    for (const std::string& part : Split(path)) {
      if (part.empty()) {
        *error = "invalid fieldmask path '" + path + "'";
        return false;
      }
      node = &node->children[part];
    }
    node->leaf = true;
  }
  return true;
}

void Keep(Message* message, const PathTree& tree);

void KeepInField(Message* message, const FieldDescriptor* field, const PathTree& subtree) {
  const Reflection* r = message->GetReflection();
  if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
    r->ClearField(message, field);  // a path below a scalar matches nothing
    return;
  }
  if (field->is_repeated()) {
    for (int i = 0; i < r->FieldSize(*message, field); ++i) {
      Keep(r->MutableRepeatedMessage(message, field, i), subtree);
    }
  } else {
    Keep(r->MutableMessage(message, field), subtree);
  }
}

void Keep(Message* message, const PathTree& tree) {
  const Reflection* r = message->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(*message, &fields);
  for (const FieldDescriptor* field : fields) {
    auto it = tree.children.find(field->name());
    if (it == tree.children.end()) {
      r->ClearField(message, field);
    } else if (!it->second.leaf) {
      KeepInField(message, field, it->second);
    }
  }
}

void Drop(Message* message, const PathTree& tree) {
  const Reflection* r = message->GetReflection();
  for (const auto& [name, subtree] : tree.children) {
    const FieldDescriptor* field = message->GetDescriptor()->FindFieldByName(name);
    if (field == nullptr) continue;
    if (subtree.leaf) {
      r->ClearField(message, field);
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < r->FieldSize(*message, field); ++i) {
          Drop(r->MutableRepeatedMessage(message, field, i), subtree);
        }
      } else if (r->HasField(*message, field)) {
        Drop(r->MutableMessage(message, field), subtree);
      }
    }
  }
}

bool FilterMatches(const tetragon::Filter& filter, int type) {
  if (filter.event_set_size() == 0) return true;
  return std::find(filter.event_set().begin(), filter.event_set().end(), type) !=
         filter.event_set().end();
}

bool CheckSupported(const tetragon::Filter& filter, const char* list, std::string* error) {
  tetragon::Filter rest = filter;
  rest.clear_event_set();
  if (rest.ByteSizeLong() == 0) return true;
  std::vector<const FieldDescriptor*> fields;
  rest.GetReflection()->ListFields(rest, &fields);
  *error = std::string("tetragon-fake does not implement ") + list + " Filter field '" +
           fields.front()->name() + "'";
  return false;
}

}  // namespace

std::optional<RequestPolicy> RequestPolicy::Make(const tetragon::GetEventsRequest& request,
                                                 std::string* error) {
  for (const auto& filter : request.allow_list()) {
    if (!CheckSupported(filter, "allow_list", error)) return std::nullopt;
  }
  for (const auto& filter : request.deny_list()) {
    if (!CheckSupported(filter, "deny_list", error)) return std::nullopt;
  }
  if (request.has_aggregation_options()) {
    *error = "tetragon-fake does not implement aggregation_options";
    return std::nullopt;
  }
  RequestPolicy policy;
  policy.request_ = request;
  return policy;
}

bool RequestPolicy::Allows(const tetragon::GetEventsResponse& event) const {
  const int type = event.event_case();
  const auto matches = [type](const tetragon::Filter& f) { return FilterMatches(f, type); };
  if (request_.allow_list_size() > 0 &&
      std::none_of(request_.allow_list().begin(), request_.allow_list().end(), matches)) {
    return false;
  }
  return std::none_of(request_.deny_list().begin(), request_.deny_list().end(), matches);
}

bool RequestPolicy::Project(tetragon::GetEventsResponse* event, std::string* error) const {
  const int type = event->event_case();
  if (type == tetragon::GetEventsResponse::EVENT_NOT_SET) return true;
  const FieldDescriptor* event_field = event->GetDescriptor()->FindFieldByNumber(type);
  Message* body = event->GetReflection()->MutableMessage(event, event_field);
  for (const tetragon::FieldFilter& filter : request_.field_filters()) {
    bool applies = filter.event_set_size() == 0 ||
                   std::find(filter.event_set().begin(), filter.event_set().end(), type) !=
                       filter.event_set().end();
    if (filter.has_invert_event_set() && filter.invert_event_set().value()) applies = !applies;
    if (!applies) continue;
    PathTree tree;
    if (!BuildTree(filter.fields(), &tree, error)) return false;
    if (filter.action() == tetragon::INCLUDE) {
      Keep(body, tree);
    } else {
      Drop(body, tree);
    }
  }
  return true;
}

PreparedEvents PrepareEvents(const std::string& request_bytes,
                             const std::vector<std::string>& replay) {
  constexpr int kInvalidArgument = 3, kUnimplemented = 12, kInternal = 13;
  PreparedEvents prepared;
  tetragon::GetEventsRequest request;
  if (!request.ParseFromString(request_bytes)) {
    return {{}, kInvalidArgument, "GetEventsRequest does not parse"};
  }
  std::string error;
  auto policy = RequestPolicy::Make(request, &error);
  if (!policy) return {{}, kUnimplemented, error};
  for (const std::string& bytes : replay) {
    tetragon::GetEventsResponse event;
    if (!event.ParseFromString(bytes)) return {{}, kInternal, "a replay event does not parse"};
    if (!policy->Allows(event)) continue;
    if (!policy->HasFieldFilters()) {
      prepared.events.push_back(bytes);  // the exact recorded bytes
      continue;
    }
    if (!policy->Project(&event, &error)) return {{}, kInvalidArgument, error};
    prepared.events.push_back(event.SerializeAsString());
  }
  return prepared;
}

}  // namespace fake_agent
