// The fake agent's fault-injection server: gRPC served by hand over nghttp2,
// because grpc++ (the normal fake) cannot send what a broken or hostile agent
// sends. The first `fault_connections` connections get the fault after
// `fault_after` events; later connections are served cleanly (all events,
// then grpc-status from --end-status), so tests can watch tetrars recover.
//
// Modes:
//   eof-mid-message  half of the next message, then the connection is closed
//   garbage          bytes that are not HTTP/2, then close
//   oversize         a gRPC prefix announcing a 2 GiB message
//   compressed       a message with the compressed flag
//   unparsable       a message that is not a valid GetEventsResponse
//   invalid-utf8     a GetEventsResponse whose binary is not UTF-8
//   status           trailers with grpc-status UNAVAILABLE
//   rst-stream       RST_STREAM (INTERNAL_ERROR)
//   goaway           graceful GOAWAY, then the rest of the stream and OK
//   goaway-abrupt    GOAWAY (INTERNAL_ERROR) refusing the stream, then close
//   hang             nothing more, no reads, no PING answers
//   too-many-pings   answers the first PING with GOAWAY ENHANCE_YOUR_CALM
//   none             (--raw) no fault: the fastest way to stream --loop copies,
//                    and with --interval MS one event every MS milliseconds
#pragma once

#include "fake_config.h"

namespace fake_agent {

bool IsFaultMode(const std::string& mode);
// Serves until the process ends; returns only if it cannot listen.
int RunRawServer(const Config& config);

}  // namespace fake_agent
