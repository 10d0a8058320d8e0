// The GetEvents request tetrars sends, built from the options exactly as
// `tetra getevents` builds it: one allow_list Filter with the event types, and
// one INCLUDE FieldFilter (for every event type) unless --all-fields, then
// one EXCLUDE FieldFilter with the -F paths. Written as wire bytes
// (wire_writer.h), field numbers from the schema tables: no libprotobuf.
#pragma once

#include <string>

#include "cli/options.h"

namespace tetrars {

// The serialized GetEventsRequest. With `pushdown`, the --auid rule also goes
// to the agent as CEL, ANDed with the user's --cel-expression (see AuidCel).
// Without `field_filters_too`, no FieldFilter: tetrars applies -f/-F itself
// (field_mask.h), for agents that would damage shared events with them.
std::string BuildRequest(const Options& options, bool pushdown = false,
                         bool field_filters_too = true);

// The --auid rule as one CEL expression over the selected event types, e.g.
// "process_exec.process.auid >= 1000u && process_exec.process.auid <= 4294967294u".
std::string AuidCel(const Options& options);

}  // namespace tetrars
