// What tetrars is asked to do: the options every stage reads, with their
// defaults. Filled by the command line (cli.h, from the option table
// option_table.h); read by the request builder, the filter, the encoder and
// the loop, none of which needs the parser.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "decode/event_fields.h"
#include "decode/event_types.h"
#include "encode/line_format.h"
#include "filter/auid_filter.h"
#include "filter/predicate.h"
#include "transport/address.h"

namespace tetrars {

inline constexpr const char* kDefaultServerAddress = "unix:///var/run/tetragon/tetragon.sock";
inline constexpr size_t kDefaultMaxMessageSize = 16 * 1024 * 1024;

// The fields the replaced tetra pipeline asked for (-f), in its order.
const std::vector<std::string>& DefaultIncludeFields();

// Who removes the fields -f/-F leave out (--fields-by).
enum class FieldsBy {
  kAuto,     // the agent, unless its version applies them to shared events
  kAgent,    // the agent, whatever its version
  kTetrars,  // tetrars: the agent sends every field
};

// Over TCP: an HTTP/2 PING after this long without data from the agent. Not
// less than grpc-go's enforcement minimum (keepalive.h).
inline constexpr int kDefaultKeepaliveMs = 5 * 60 * 1000;

// Under load (a trickle of 100 events/s is load) an event waits at most this
// long before it is written: 0.2 wake-ups per event at 100 events/s.
inline constexpr int kDefaultMaxDelayMs = 50;

struct Options {
  Address address;
  AuidFilter auid;
  AuidOf auid_of = AuidOf::kProcess;
  std::vector<EventKind> event_types;       // EventType numbers, in the order given
  std::vector<std::string> include_fields;  // empty with --all-fields
  std::vector<std::string> exclude_fields;  // -F: cleared by the agent
  // Server-side event filters, as tetra sends them (one allow_list Filter).
  std::vector<std::string> namespaces;       // -n; "" (--host) = not in a pod
  std::vector<std::string> binary_regex;     // --process (RE2)
  std::vector<std::string> pod_regex;        // --pod (RE2)
  std::vector<std::string> container_regex;  // --containers (RE2; agents >= v1.6.0)
  std::vector<std::string> namespace_regex;  // --namespace-regex (RE2; agents >= v1.7.0)
  std::vector<std::string> policy_names;     // --policy-names
  std::vector<std::string> cel_expressions;  // --cel-expression, one per flag
  std::vector<Predicate> matches;            // --match: all must hold
  bool pushdown = true;  // also send the auid rule to the agent as CEL (--no-pushdown)
  bool all_fields = false;
  bool once = false;
  size_t max_message_size = kDefaultMaxMessageSize;
  int reconnect_min_ms = 100;              // first retry delay; doubles up to reconnect_max_ms
  int reconnect_max_ms = 5000;             // --reconnect-max
  int keepalive_ms = kDefaultKeepaliveMs;  // --keepalive: PING interval over TCP (0 = off)
  FieldsBy fields_by = FieldsBy::kAuto;
  // --max-delay: under load, how long an event may wait so that one wake-up,
  // one read and one write carry many (0 = write each event at once).
  int max_delay_ms = kDefaultMaxDelayMs;
  OutputFormat output = OutputFormat::kJson;
  size_t max_line_bytes = kDefaultMaxLineBytes;  // 0 = unlimited (-o journal's default)
  bool timestamps = false;                       // -o compact: the event time first
  bool resolve_users = false;                    // "tetrars":{"auid_user":...}
  // What the encode stage reads of these.
  LineFormat line_format() const { return {output, max_line_bytes, timestamps, resolve_users}; }
};

}  // namespace tetrars
