// Stage 4 of the data path (encode), as the event loop calls it: one event ->
// one line in the chosen format, ready for the sink.
//
// Contract: -o json and -o journal: the event's JSON object (wire_json.h,
// straight from the wire bytes),
// plus the "tetrars" object (annotations.h) with the user names when
// --resolve-users is on, kept within --max-line-bytes by shortening strings
// (line_limit.h); when even that cannot fit, a minimal line keeps the event's
// identity (kind, node_name, time, and its process's exec_id, pid, uid, auid)
// with "tetrars":{"truncated":true,"omitted_bytes":N}. -o compact: one human
// line (compact_writer.h) within the same limit. Encode() appends the line to
// `out` (no newline) and says what happened.
#pragma once

#include <memory>
#include <string>

#include "decode/event.h"
#include "decode/wire.h"
#include "encode/annotations.h"
#include "encode/compact_writer.h"
#include "encode/line_format.h"
#include "encode/user_names.h"
#include "encode/wire_json.h"
#include "transport/agent_version.h"

namespace tetrars {

class LineEncoder {
 public:
  enum class Result { kWritten, kTruncated, kFailed };

  explicit LineEncoder(const LineFormat& format);

  // kFailed: `out` unchanged and `error` says why (protojson refuses the event).
  Result Encode(const Event& event, wire::Walker& walker, std::string& out, std::string* error);

  const UserNames* user_names() const { return users_.get(); }

  // Prints events as the agent's own tetra would: an agent before v1.1.0
  // sends Pod field 3 as its `labels` list, not as `uid` (agent_version.h).
  void ForAgent(const AgentVersion& agent);

 private:
  Result EncodeJson(const Event& event, wire::Walker& walker, std::string& out, std::string* error);
  void AddUserNames(const Event& event, wire::Walker& walker, Annotations& annotations);
  void WriteOmitted(const Event& event, wire::Walker& walker, Annotations annotations,
                    size_t original_bytes, std::string& out, size_t from);

  OutputFormat format_;
  size_t max_line_bytes_;
  bool timestamps_;
  std::unique_ptr<UserNames> users_;
  WireJsonWriter json_;
  std::string identity_;  // the identity line's wire bytes (reused)
  CompactWriter compact_;
};

}  // namespace tetrars
