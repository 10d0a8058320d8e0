// --agent-version: which Tetragon release the fake plays. A real agent answers
// GetVersion with its version and ignores, like any unknown protobuf field, the
// Filter fields newer than itself; the fake does the same so tests can see how
// tetrars copes with an older agent.
//
// Parsing is tolerant: "v1.7.0", "1.7.0", "v1.7" (patch 0), "v1.6.0-rc.1" and
// "v1.2.0-3-gabc" (git describe) all parse; a suffix after the numbers is
// ignored, so a pre-release counts as its release (v1.6.0-rc.1 really has
// container_name_regex). A version that does not parse (a development build's
// "abc1234", or "") is still what GetVersion answers, and honours every field.
#pragma once

#include <optional>
#include <string>

#include "tetragon/events.pb.h"

namespace fake_agent {

struct AgentVersion {
  int major = 0, minor = 0, patch = 0;
  bool AtLeast(int a, int b, int c) const {
    return major != a ? major > a : minor != b ? minor > b : patch >= c;
  }
};

std::optional<AgentVersion> ParseAgentVersion(const std::string& text);

// Whether an agent of `version` knows Filter field `number` (nullopt: the
// newest agent, that knows them all). From Tetragon's events.proto history:
// 1-9 v0.x, 10-11 v1.1.0, 12 v1.2.0, 13-16 v1.3.0, 17 v1.4.0, 18 v1.6.0,
// 19 v1.7.0.
bool KnowsFilterField(const std::optional<AgentVersion>& version, int number);

// Clears, in every Filter of the request, the fields `version` does not know,
// and unknown fields (which every agent ignores).
void ForgetUnknownFilterFields(const std::optional<AgentVersion>& version,
                               tetragon::GetEventsRequest* request);

}  // namespace fake_agent
