// What the fake agent was asked to do (its command line).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "ping_policy.h"
#include "played_version.h"

namespace fake_agent {

struct Config {
  std::string listen;
  std::vector<std::string> events;  // serialized GetEventsResponse, in replay order
  long loops = 1;
  bool idle = false;  // hold the stream open after the replay
  int end_code = 0;   // gRPC status that ends each call
  std::string end_message;
  std::string fault;     // fault mode (raw HTTP/2 server), empty: none
  long fault_after = 3;  // events sent before the fault
  // Raw server: one event every interval, on a fixed schedule (--interval MS,
  // --rate N per second), for latency and trickle measurements.
  long interval_us = 0;
  std::string send_log;        // raw server: the monotonic send time of each event, in ns
  std::string cel = "ignore";  // Filter.cel_expression: ignore | evaluate | reject
  long fault_connections = 1;  // connections that get the fault; later ones are served cleanly
  // --agent-version: what GetVersion answers; nullopt: GetVersion is UNIMPLEMENTED.
  std::optional<std::string> agent_version;
  std::optional<AgentVersion> parsed_version;  // nullopt: honour every Filter field
  std::string request_log;                     // --request-log FILE
  // --goaway-debug: the debug data of the fault modes' GOAWAY frames.
  std::optional<std::string> goaway_debug;
  // --fault too-many-pings: grpc-go's keepalive enforcement MinTime.
  std::chrono::nanoseconds ping_min_time = GrpcGoPingPolicy::kDefaultMinTime;
};

}  // namespace fake_agent
