// The fields of an event that tetrars reads beside printing it (the user
// names, the journald fields, the identity of an event too large to print),
// as compiled wire paths: event-relative ones ("process.auid" of whatever
// kind the event is) and ones from the GetEventsResponse itself.
#pragma once

#include "decode/event.h"
#include "decode/wire.h"

namespace tetrars {

// Which process of an event a rule is about (--auid-of): the event's own
// process (process_exec.process, process_kprobe.process ...), its parent, or
// either of them (the event passes if one of them does).
enum class AuidOf { kProcess, kParent, kEither };

struct EventFields {
  wire::EventPath process_auid, process_uid, process_pid, process_binary, process_exec_id;
  wire::EventPath parent_auid, parent_uid, parent_binary;
  wire::Path node_name, time_seconds, time_nanos;  // from the response's root

  // Compiled once, on first use (the schema is constant).
  static const EventFields& Get();
};

// The scalar at `path` of `event` (event-relative or from the root).
inline wire::Scalar Read(wire::Walker& walker, const Event& event, const wire::EventPath& path) {
  return wire::FindInEvent(walker, event.data, event.size, path);
}
wire::Scalar Read(wire::Walker& walker, const Event& event, const wire::Path& path);

// A present unsigned scalar's value (uid, pid, auid: wrappers of uint32).
inline uint32_t U32(const wire::Scalar& scalar) {
  return uint32_t(wire::AsUint64(scalar.kind, scalar.bits));
}

}  // namespace tetrars
