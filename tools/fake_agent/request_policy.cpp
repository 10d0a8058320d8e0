#include "request_policy.h"

#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>
#include <re2/re2.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "process_of.h"

namespace fake_agent {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
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

// The schema the field filters are applied in. The replayed events are bytes
// of any agent, and Pod field 3 was `repeated string labels` up to v1.0.x
// (v1.6.0 reused it for `string uid`): parsed as tetragon.Pod, a v0.10 pod's
// labels would all be read into the one `uid`, and re-serialised as the last
// label alone. Here Pod field 3 is repeated, so every occurrence is written
// back as it came (for a v1.6.0 `uid`, one occurrence: the same bytes), and it
// is named as the played agent names it, for the field filter's paths:
// `labels` before v1.1.0, `uid` otherwise.
class ProjectionSchema {
 public:
  explicit ProjectionSchema(const std::optional<AgentVersion>& version) {
    const bool labels = version && !version->AtLeast(1, 1, 0);
    std::set<const FileDescriptor*> added;
    Add(tetragon::GetEventsResponse::descriptor()->file(), labels ? "labels" : "uid", added);
    response_ = pool_.FindMessageTypeByName(tetragon::GetEventsResponse::descriptor()->full_name());
  }

  // False when the copy of the schema did not build (nothing can be projected).
  bool ok() const { return response_ != nullptr; }
  // A new, empty GetEventsResponse of this schema.
  std::unique_ptr<Message> NewEvent() {
    return std::unique_ptr<Message>(factory_.GetPrototype(response_)->New());
  }

 private:
  // Adds `file` after the files it imports (the pool needs them first).
  void Add(const FileDescriptor* file, const std::string& field_three,
           std::set<const FileDescriptor*>& added) {
    if (!added.insert(file).second) return;
    for (int i = 0; i < file->dependency_count(); ++i) Add(file->dependency(i), field_three, added);
    google::protobuf::FileDescriptorProto proto;
    file->CopyTo(&proto);
    for (auto& message : *proto.mutable_message_type()) {
      if (proto.package() != "tetragon" || message.name() != "Pod") continue;
      for (auto& field : *message.mutable_field()) {
        if (field.number() != 3) continue;
        field.set_label(google::protobuf::FieldDescriptorProto::LABEL_REPEATED);
        field.set_name(field_three);
        field.clear_json_name();
      }
    }
    pool_.BuildFile(proto);
  }

  google::protobuf::DescriptorPool pool_;
  google::protobuf::DynamicMessageFactory factory_{&pool_};
  const Descriptor* response_ = nullptr;
};

// Go's regexp MatchString: unanchored.
bool AnyPattern(const std::vector<std::shared_ptr<re2::RE2>>& patterns, const std::string& text) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&text](const auto& re) { return re2::RE2::PartialMatch(text, *re); });
}

bool CheckSupported(const tetragon::Filter& filter, const char* list, std::string* error) {
  tetragon::Filter rest = filter;
  rest.clear_cel_expression();  // handled by the CEL mode
  rest.clear_event_set();
  rest.clear_namespace_();
  rest.clear_binary_regex();
  rest.clear_pod_regex();
  rest.clear_policy_names();
  rest.clear_namespace_regex();
  rest.clear_container_name_regex();
  std::vector<const FieldDescriptor*> fields;
  rest.GetReflection()->ListFields(rest, &fields);  // unknown fields are not listed: ignored
  if (fields.empty()) return true;
  *error = std::string("tetragon-fake does not implement ") + list + " Filter field '" +
           fields.front()->name() + "'";
  return false;
}

}  // namespace

std::optional<RequestPolicy> RequestPolicy::Make(const tetragon::GetEventsRequest& request,
                                                 std::string* error, CelMode cel, int* status) {
  constexpr int kUnknown = 2, kInvalidArgument = 3, kUnimplemented = 12;
  if (status != nullptr) *status = kUnimplemented;
  for (const auto* list : {&request.allow_list(), &request.deny_list()}) {
    for (const auto& filter : *list) {
      // As Tetragon v1.7.0 ends GetEvents when it cannot compile a CEL
      // expression (measured): a plain Go error, so status UNKNOWN.
      if (cel == CelMode::kReject && filter.cel_expression_size() > 0) {
        *error = "error compiling CEL expression: ERROR: <input>:1:1: cannot compile '" +
                 filter.cel_expression(0) + "'";
        if (status != nullptr) *status = kUnknown;
        return std::nullopt;
      }
    }
  }
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
  for (const auto& [list, into] : {std::pair{&request.allow_list(), &policy.allow_},
                                   std::pair{&request.deny_list(), &policy.deny_}}) {
    for (const tetragon::Filter& filter : *list) {
      CompiledFilter compiled;
      for (const auto& [patterns, into] :
           {std::pair{&filter.binary_regex(), &compiled.binary},
            std::pair{&filter.pod_regex(), &compiled.pod},
            std::pair{&filter.namespace_regex(), &compiled.namespace_},
            std::pair{&filter.container_name_regex(), &compiled.container_name}}) {
        for (const std::string& pattern : *patterns) {
          auto re = std::make_shared<re2::RE2>(pattern, re2::RE2::Quiet);
          if (!re->ok()) {
            *error = "invalid regex '" + pattern + "': " + re->error();
            return std::nullopt;
          }
          into->push_back(std::move(re));
        }
      }
      if (cel == CelMode::kEvaluate) {
        for (const std::string& expression : filter.cel_expression()) {
          auto compiled_cel = CelDouble::Compile(expression, error);
          if (!compiled_cel) {
            if (status != nullptr) *status = kInvalidArgument;
            return std::nullopt;
          }
          compiled.cel.push_back(std::move(*compiled_cel));
        }
      }
      into->push_back(std::move(compiled));
    }
  }
  return policy;
}

bool RequestPolicy::AnyMatches(const google::protobuf::RepeatedPtrField<tetragon::Filter>& filters,
                               const std::vector<CompiledFilter>& compiled,
                               const tetragon::GetEventsResponse& event) {
  for (int i = 0; i < filters.size(); ++i) {
    if (Matches(filters[i], compiled[size_t(i)], event)) return true;
  }
  return false;
}

bool RequestPolicy::Matches(const tetragon::Filter& filter, const CompiledFilter& compiled,
                            const tetragon::GetEventsResponse& event) {
  const int type = event.event_case();
  if (filter.event_set_size() > 0 && std::find(filter.event_set().begin(), filter.event_set().end(),
                                               type) == filter.event_set().end()) {
    return false;
  }
  const tetragon::Process* process = tetrars::SubjectProcess(event);
  if (filter.namespace__size() > 0) {
    // A host process has no pod: its namespace is "".
    const std::string ns = process != nullptr ? process->pod().namespace_() : "";
    if (std::find(filter.namespace_().begin(), filter.namespace_().end(), ns) ==
        filter.namespace_().end()) {
      return false;
    }
  }
  if (!compiled.binary.empty() &&
      (process == nullptr || !AnyPattern(compiled.binary, process->binary()))) {
    return false;
  }
  if (!compiled.pod.empty() && (process == nullptr || !process->has_pod() ||
                                !AnyPattern(compiled.pod, process->pod().name()))) {
    return false;
  }
  if (!compiled.namespace_.empty() &&
      (process == nullptr || !process->has_pod() ||
       !AnyPattern(compiled.namespace_, process->pod().namespace_()))) {
    return false;
  }
  if (!compiled.container_name.empty() &&
      (process == nullptr || !process->has_pod() || !process->pod().has_container() ||
       !AnyPattern(compiled.container_name, process->pod().container().name()))) {
    return false;
  }
  if (!compiled.cel.empty() &&
      std::none_of(compiled.cel.begin(), compiled.cel.end(),
                   [&event](const CelDouble& cel) { return cel.Matches(event); })) {
    return false;
  }
  if (filter.policy_names_size() > 0) {
    // Events of tracing policies carry policy_name; exec and exit events have none.
    const auto* field = event.GetDescriptor()->FindFieldByNumber(event.event_case());
    const google::protobuf::Message* body =
        field == nullptr ? nullptr : &event.GetReflection()->GetMessage(event, field);
    const auto* name =
        body == nullptr ? nullptr : body->GetDescriptor()->FindFieldByName("policy_name");
    if (name == nullptr) return false;
    const std::string policy = body->GetReflection()->GetString(*body, name);
    return std::find(filter.policy_names().begin(), filter.policy_names().end(), policy) !=
           filter.policy_names().end();
  }
  return true;
}

bool RequestPolicy::Allows(const tetragon::GetEventsResponse& event) const {
  if (request_.allow_list_size() > 0 && !AnyMatches(request_.allow_list(), allow_, event)) {
    return false;
  }
  return !AnyMatches(request_.deny_list(), deny_, event);
}

bool RequestPolicy::Project(Message* event, std::string* error) const {
  // The member of the `event` oneof that is set; its number is the EventType.
  const auto* oneof = event->GetDescriptor()->FindOneofByName("event");
  const FieldDescriptor* event_field =
      oneof == nullptr ? nullptr : event->GetReflection()->GetOneofFieldDescriptor(*event, oneof);
  if (event_field == nullptr) return true;
  const int type = event_field->number();
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

CelMode ParseCelMode(const std::string& text, bool* ok) {
  *ok = true;
  if (text == "evaluate") return CelMode::kEvaluate;
  if (text == "reject") return CelMode::kReject;
  *ok = text == "ignore";
  return CelMode::kIgnore;
}

PreparedEvents PrepareEvents(const std::string& request_bytes,
                             const std::vector<std::string>& replay, CelMode cel,
                             const std::optional<AgentVersion>& version) {
  constexpr int kInvalidArgument = 3, kInternal = 13;
  PreparedEvents prepared;
  tetragon::GetEventsRequest request;
  if (!request.ParseFromString(request_bytes)) {
    return {{}, kInvalidArgument, "GetEventsRequest does not parse"};
  }
  ForgetUnknownFilterFields(version, &request);
  std::string error;
  int status = 0;
  auto policy = RequestPolicy::Make(request, &error, cel, &status);
  if (!policy) return {{}, status, error};
  std::optional<ProjectionSchema> schema;
  if (policy->HasFieldFilters()) schema.emplace(version);
  if (schema && !schema->ok())
    return {{}, kInternal, "the fake's projection schema does not build"};
  for (const std::string& bytes : replay) {
    tetragon::GetEventsResponse event;
    if (!event.ParseFromString(bytes)) return {{}, kInternal, "a replay event does not parse"};
    if (!policy->Allows(event)) continue;
    if (!policy->HasFieldFilters()) {
      prepared.events.push_back(bytes);  // the exact recorded bytes
      continue;
    }
    // Projected in the schema that keeps an old agent's pod labels.
    const std::unique_ptr<Message> projected = schema->NewEvent();
    if (!projected->ParseFromString(bytes)) return {{}, kInternal, "a replay event does not parse"};
    if (!policy->Project(projected.get(), &error)) return {{}, kInvalidArgument, error};
    prepared.events.push_back(projected->SerializeAsString());
  }
  return prepared;
}

}  // namespace fake_agent
