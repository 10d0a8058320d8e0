// The process an event is about, on libprotobuf messages: for the fake agent
// (its CEL double and request policy) and the tests, which keep libprotobuf
// as their independent oracle. tetrars itself reads the same fields from
// wire bytes (event_filter.h).
#pragma once

#include "tetragon/events.pb.h"

namespace tetrars {

// The event's own process (process_exec.process, process_kprobe.process ...),
// or nullptr when the event carries none.
const tetragon::Process* SubjectProcess(const tetragon::GetEventsResponse& event);
// Its parent, or nullptr.
const tetragon::Process* ParentProcess(const tetragon::GetEventsResponse& event);

}  // namespace tetrars
