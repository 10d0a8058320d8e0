// The test oracle for -o compact: src/encode/compact_writer.h as it was before issue
// 12 ported it to the wire walker (commit 69ff717), copied verbatim but for
// the namespace. It reads a libprotobuf-parsed tetragon::GetEventsResponse.
// The differential test (compact_wire_test.cpp) proves the ported writer
// prints exactly what this one prints. It still shares line_limit.h and
// utf8.h (MarkerSize, SafeCut, TruncationMarker, ValidUtf8Length) with tetrars.
//
// Its contract, as it was: -o compact: one human line per event, in
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
// Contract: one event is always exactly one line (no log injection): in every
// value taken from the event, control characters (C0, DEL, C1), U+2028/U+2029,
// backslashes and bytes that are not UTF-8 are escaped (\n, \t, \\, \x1b,
// \u0085). With `budget` > 0 the line (without its newline) never exceeds
// `budget` bytes: the arguments are shortened first, then the whole line, each
// cut marked "...[truncated N bytes]"; the return value says whether it was.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "tetragon/events.pb.h"

namespace reference {

bool AppendCompactLine(const tetragon::GetEventsResponse& event, bool timestamps, size_t budget,
                       std::string& out);

// `text` with the escapes above, for one line of plain text.
void AppendEscapedText(std::string_view text, std::string& out);

}  // namespace reference
