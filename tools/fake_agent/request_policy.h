// How the fake agent honours a GetEventsRequest, following the real agent:
//   - allow_list: an event passes if the list is empty or any Filter matches;
//     deny_list: an event is dropped if any Filter matches. A Filter matches
//     when all its conditions hold. The fake implements event_set, namespace
//     ("" = a host process), binary_regex, pod_regex, namespace_regex and
//     container_name_regex (RE2, unanchored as Go's MatchString, on the
//     event's process: its binary, pod name, pod namespace, container name; a
//     process without a pod, or without a container, matches none of the last
//     three) and policy_names (the event's policy_name; exec and exit events
//     have none); it refuses other Filter fields (it must not pretend to filter).
//     With --agent-version, the fields newer than that agent are first cleared
//     (agent_version.h), as the real agent ignores them.
//   - field_filters, applied one after the other to the event message
//     (process_exec, ...), for the FieldFilter's event_set (empty: all types,
//     invert_event_set flips it). INCLUDE keeps only the listed paths, EXCLUDE
//     clears them. Paths are snake_case field names joined by dots, without
//     wildcards; a name that does not exist simply matches nothing; through a
//     repeated message a path applies to every element. An empty segment
//     ("process..pid") fails the stream at the first event it applies to.
#pragma once

#include <re2/re2.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cel_double.h"
#include "played_version.h"
#include "tetragon/events.pb.h"

namespace fake_agent {

// What the fake does with Filter.cel_expression: ignore it as an agent older
// than CEL support does (an unknown field), evaluate it (cel_double.h), or
// reject the request as an agent that cannot compile it would.
enum class CelMode { kIgnore, kEvaluate, kReject };

class RequestPolicy {
 public:
  // Nothing (with `error` set, and the gRPC status in `status`) when the
  // request uses what the fake cannot or will not honour.
  static std::optional<RequestPolicy> Make(const tetragon::GetEventsRequest& request,
                                           std::string* error, CelMode cel = CelMode::kIgnore,
                                           int* status = nullptr);

  bool Allows(const tetragon::GetEventsResponse& event) const;
  bool HasFieldFilters() const { return request_.field_filters_size() > 0; }
  // Applies the field filters to `event`, a GetEventsResponse of any
  // descriptor pool (PrepareEvents uses one that keeps an old agent's Pod
  // labels); false with `error` for a malformed path.
  bool Project(google::protobuf::Message* event, std::string* error) const;

 private:
  struct CompiledFilter {
    std::vector<std::shared_ptr<re2::RE2>> binary;
    std::vector<std::shared_ptr<re2::RE2>> pod;
    std::vector<std::shared_ptr<re2::RE2>> namespace_;
    std::vector<std::shared_ptr<re2::RE2>> container_name;
    std::vector<CelDouble> cel;  // ORed
  };
  static bool Matches(const tetragon::Filter& filter, const CompiledFilter& compiled,
                      const tetragon::GetEventsResponse& event);
  static bool AnyMatches(const google::protobuf::RepeatedPtrField<tetragon::Filter>& filters,
                         const std::vector<CompiledFilter>& compiled,
                         const tetragon::GetEventsResponse& event);

  tetragon::GetEventsRequest request_;
  std::vector<CompiledFilter> allow_;  // one per allow_list Filter, same order
  std::vector<CompiledFilter> deny_;
};

fake_agent::CelMode ParseCelMode(const std::string& text, bool* ok);

// What one GetEvents call streams: the replay events the request allows,
// projected by its field filters (the recorded bytes as they are when it has
// none; projected events are re-serialised with an old agent's repeated Pod
// field 3 intact, see ProjectionSchema). On a request the fake cannot honour, `status` is a gRPC
// status code other than 0 and `message` says why. `version`: the agent the fake plays (nullopt:
// the newest).
struct PreparedEvents {
  std::vector<std::string> events;
  int status = 0;
  std::string message;
};
PreparedEvents PrepareEvents(const std::string& request_bytes,
                             const std::vector<std::string>& replay, CelMode cel = CelMode::kIgnore,
                             const std::optional<AgentVersion>& version = std::nullopt);

}  // namespace fake_agent
