// Counters of what happened to the events, printed as one stderr line on
// SIGUSR1 and at exit, so nothing is ever dropped without a trace.
#pragma once

#include <cstdint>
#include <string>

namespace tetrars {

struct Stats {
  uint64_t received = 0;       // gRPC messages received from the agent
  uint64_t matched = 0;        // events that passed the filter
  uint64_t written = 0;        // lines the output took whole (stdout or journald)
  uint64_t unwritten = 0;      // lines encoded but not taken: still pending, or lost to a failure
  uint64_t truncated = 0;      // lines shortened to fit --max-line-bytes (written counts them too)
  uint64_t filtered_out = 0;   // events the filter rejected (not human, other type)
  uint64_t skipped_types = 0;  // events of kinds our schema does not model
  uint64_t decode_errors = 0;  // messages that did not parse
  uint64_t encode_errors = 0;  // events protojson would refuse to print
  uint64_t reconnects = 0;     // connections after the first
  uint64_t names_late = 0;     // --resolve-users: names left out, the lookup being slow

  std::string Line() const;
};

}  // namespace tetrars
