// The GetEvents request tetrars sends, built from the options exactly as
// `tetra getevents` builds it: one allow_list Filter with the event types, and
// one INCLUDE FieldFilter (for every event type) unless --all-fields, then
// one EXCLUDE FieldFilter with the -F paths.
#pragma once

#include "cli.h"
#include "tetragon/events.pb.h"

namespace tetrars {

tetragon::GetEventsRequest BuildRequest(const Options& options);

}  // namespace tetrars
