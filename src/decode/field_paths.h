// Field paths of -f/-F, checked against our schema before anything connects.
//
// The agent answers an unknown path with silently empty objects and a
// malformed one with a failed stream at the first event, so tetrars checks
// them first. A path is valid when, for at least one selected event type,
// it names a field of that type's event message (ProcessExec for
// PROCESS_EXEC, ...) segment by segment, through nested and repeated
// messages: the agent's rules (snake_case names, no wildcards).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "decode/event_types.h"

namespace tetrars {

// True when `path` is valid; else false with the closest valid path (by edit
// distance) in `closest`.
bool FieldPathExists(const std::string& path, const std::vector<EventKind>& types,
                     std::string* closest);

// `outer` is `path` itself or a field on its way: "process" and
// "process.auid" are at or above "process.auid.value", "process.au" is not.
bool PathAtOrAbove(std::string_view outer, std::string_view path);

// One of the two is at or above the other: a -f/-F path that touches the
// field a rule reads (above it, the field itself, or a part of it).
inline bool PathsOverlap(std::string_view a, std::string_view b) {
  return PathAtOrAbove(a, b) || PathAtOrAbove(b, a);
}

}  // namespace tetrars
