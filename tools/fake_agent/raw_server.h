// The fake agent's fault-injection server: gRPC served by hand over nghttp2,
// because grpc++ (the normal fake) cannot send what a broken or hostile agent
// sends. The first `fault_connections` connections get the fault after
// `fault_after` events; later connections are served cleanly (all events,
// then grpc-status from --end-status), so tests can watch tetrars recover.
// grpc-message is percent-encoded as gRPC does, so --end-status can carry any
// bytes (a hostile agent's).
// Requests are routed by :path: GetEvents (one call per connection; a second
// one ends with RESOURCE_EXHAUSTED), GetVersion (answered at once, on the same
// connection as GetEvents or not, before or beside it), anything else
// UNIMPLEMENTED, each when the request has ended.
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
//                    (both GOAWAYs carry --goaway-debug TEXT as debug data)
//   hang             nothing more, no reads, no PING answers
//   version-hang     GetVersion is never answered (its stream stays open);
//                    GetEvents is served cleanly
//   version-404      GetVersion is answered HTTP 404 (text/plain, "404 page
//                    not found"), as by an HTTP router that knows no such
//                    method; GetEvents is served cleanly
//   too-many-pings   stays idle after the events, and enforces grpc-go's
//                    keepalive policy (ping_policy.h, MinTime --ping-min-time,
//                    default 5m): the PING that is the third strike gets
//                    GOAWAY ENHANCE_YOUR_CALM "too_many_pings", then close
//   none             (--raw) no fault: the fastest way to stream --loop copies,
//                    and with --interval MS one event every MS milliseconds
#pragma once

#include "fake_config.h"
#include "request_log.h"

namespace fake_agent {

bool IsFaultMode(const std::string& mode);
// Serves until the process ends; returns only if it cannot listen.
int RunRawServer(const Config& config, RequestLog& log);

}  // namespace fake_agent
