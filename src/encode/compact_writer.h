// Stage 4 of the data path (encode), -o compact: one human line per event, in
// the shape of `tetra getevents -o compact`:
//   🚀 process <node or namespace/pod> <binary> <arguments>
//   💥 exit    <node or namespace/pod> <binary> <arguments> <status or signal>
// with "🛑 CAP_SYS_ADMIN" after processes that hold it (in tetra's column at
// byte 120; tetra's own check reads the wrong list), and with --timestamps
// the event time first (RFC 3339, 9 fraction digits, as tetra). Throttle,
// loader, tracepoint, uprobe, lsm and usdt events have tetra's forms; kprobes
// tetra's form for any hook ("❓ syscall <process> <function>"), not its
// special forms for a few syscalls. No colours: this goes to logs.
//
// Contract: the event is read from its wire bytes (event.h: they passed
// wire::Validate for GetEventsResponse, and `kind` is Walker::EventKind's
// answer) through the wire walker and the schema tables, with protobuf's
// merge semantics; no libprotobuf. The line is byte for byte what the
// libprotobuf-based writer printed for the same bytes parsed (kept as the
// oracle in tests/reference/compact_reference.h, proven equal by
// tests/compact_wire_test.cpp).
// One event is always exactly one line (no log injection): in every value
// taken from the event, control characters (C0, DEL, C1), U+2028/U+2029,
// backslashes and bytes that are not UTF-8 are escaped (\n, \t, \\, \x1b,
// \u0085). With `budget` > 0 the line (without its newline) never exceeds
// `budget` bytes: the arguments are shortened first, then the whole line, each
// cut marked "...[truncated N bytes]"; Append() returns whether it was.
// One writer per thread: it keeps its walker's arena and its buffers across
// calls, so steady state allocates little beyond `out`.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "decode/event.h"
#include "decode/wire.h"

namespace tetrars {

class CompactWriter {
 public:
  // Appends the event's line (no newline) to `out`; true when it was cut.
  bool Append(const Event& event, bool timestamps, size_t budget, std::string& out);

 private:
  void Describe(const Event& event, const wire::Walker::Index& top);
  void WithProcess(std::string_view emoji, std::string_view kind, std::string_view node,
                   const wire::Walker::Index& process);
  // The parts of the line after the process, by the event's shape: read from
  // the event's message (process_exit, process_throttle...), the arguments
  // from its process.
  void AppendArguments(const wire::Walker::Index& process);
  void AppendExitStatus(const wire::Walker::Index& exit, const schema::Field& signal,
                        const schema::Field& status);
  void AppendThrottle(const wire::Walker::Index& throttle, const schema::Field& type,
                      const schema::Field& cgroup);
  void AppendLoaded(const wire::Walker::Index& loader, const schema::Field& buildid,
                    const schema::Field& path);
  void AppendHookTexts(const wire::Walker::Index& hook,
                       std::span<const schema::Field* const> texts);
  void AppendTime(const wire::Walker::Index& top, std::string& out);
  // Reads of one field of the message at `index` (absent: the default).
  std::string_view Text(const wire::Walker::Index& index, const schema::Field& field) const;
  uint64_t Bits(const wire::Walker::Index& index, const schema::Field& field) const;
  bool Has(const wire::Walker::Index& index, const schema::Field& field) const;
  wire::Walker::Index Open(const wire::Walker::Index& index, const schema::Field& field);

  wire::Walker walker_;
  std::string head_;  // emoji, kind, process
  std::string args_;  // escaped arguments (shortened first)
  std::string tail_;  // status, hook
  std::string scratch_;
  bool sys_admin_ = false;
};

}  // namespace tetrars
