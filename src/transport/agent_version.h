// What tetrars knows about the agent it talks to: the version it reports
// (FineGuidanceSensors.GetVersion) and what that version implies for the
// request tetrars sends and for how its events are printed.
//
// Contract: Parse() reads what Tetragon reports, which is `git describe` of
// its build ("v1.7.0", "v1.6.0-rc.1", "v1.0.3-12-gabc1234"): the release
// number in front, then a suffix. A pre-release ("-pre.0", "-rc.1") counts as
// BEFORE its release, as in semantic versioning, so a pre-release of v1.1.0
// is treated as the older agent it may still be (v1.1.0-pre.0 still applied
// field filters in place); a build after a release ("-12-gabc1234") counts as
// that release. Anything else (an empty answer, a bare commit, an agent that
// does not implement GetVersion) is "unknown", and every rule below then
// takes the current API's behaviour.
//
// The facts, read from the releases' public API and server code:
//   - the agent applies a client's field filter to the event it shares with
//     every other client (other clients lose fields) up to v1.0.0 and in
//     v1.1.0's pre-releases: v1.0.1 (a backport) and v1.1.0 filter a copy;
//     v1.0.0 and v1.1.0-pre.0 already copied exec events, not the others;
//   - Pod field 3 is `repeated string labels` before v1.1.0, unused from
//     v1.1.0 to v1.5.x, `string uid` from v1.6.0;
//   - Filter fields appeared in: policy_names v1.1.0, cel_expression v1.3.0,
//     container_name_regex v1.6.0, namespace_regex v1.7.0; an older agent
//     ignores them without a word. A pre-release of the release that brought
//     one is not said to ignore it (v1.6.0-rc.1 has container_name_regex).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tetrars {

struct ReleaseNumber {
  int major = 0, minor = 0, patch = 0;
  auto operator<=>(const ReleaseNumber&) const = default;
};

class AgentVersion {
 public:
  // An agent that did not say (GetVersion unimplemented, failed or unclear).
  static AgentVersion Unknown() { return AgentVersion(); }
  static AgentVersion Parse(std::string_view reported);
  // From the DATA of a GetVersion call: one gRPC message (5-byte prefix) of
  // GetVersionResponse; anything else is unknown.
  static AgentVersion FromAnswer(std::string_view grpc_data);

  bool known() const { return release_.has_value(); }
  // As reported ("v1.7.0"), ready for a diagnostic line: escaped and cut
  // (diagnostics.h, Quoted), since the agent may answer any bytes
  // ("v1.7.0\ntetrars: ..." would forge a line). Empty when the agent did
  // not answer. The rules above read the parsed numbers, never this text.
  const std::string& text() const { return text_; }
  // True only when the version is known and comes before `release` (a
  // pre-release of `release` does).
  bool Before(ReleaseNumber release) const;
  // The same, but a pre-release of `release` counts as `release`.
  bool BeforeRelease(ReleaseNumber release) const { return release_ && *release_ < release; }

  // The agent damages other clients' events with our field filter.
  bool FiltersFieldsInPlace() const {
    return Before({1, 0, 1}) || (release_ == ReleaseNumber{1, 1, 0} && prerelease_);
  }
  // Pod field 3 is the old `labels` list, not `uid`.
  bool PodFieldThreeIsLabels() const { return Before({1, 1, 0}); }

 private:
  std::string text_;
  std::optional<ReleaseNumber> release_;
  bool prerelease_ = false;
};

// A Filter member that agents before `since` do not know.
struct FilterFeature {
  std::string_view flag;  // the tetrars flag that fills it
  ReleaseNumber since;
};
// The Filter members among `used` (flags given) that `agent` predates.
std::vector<FilterFeature> FiltersTheAgentIgnores(const AgentVersion& agent,
                                                  const std::vector<std::string_view>& used);

}  // namespace tetrars
