// The event loop: one thread, one ppoll(). It connects to the agent, streams,
// and reconnects, and wires the data path
//   transport -> decode -> filter -> encode -> sink
// (transport.h, decode.h, event_filter.h, line_encoder.h, sink.h / journal_sink.h).
// Returns the process exit code: 0 stopped by a signal or (with --once) a
// clean end of stream; 1 a runtime error (agent unreachable or failing with
// --once, standard output unwritable).
#pragma once

#include "cli/options.h"

namespace tetrars {

int Run(const Options& options);

}  // namespace tetrars
