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
#include <vector>

#include "event_types.h"

namespace tetrars {

// True when `path` is valid; else false with the closest valid path (by edit
// distance) in `closest`.
bool FieldPathExists(const std::string& path, const std::vector<EventKind>& types,
                     std::string* closest);

}  // namespace tetrars
