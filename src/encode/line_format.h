// What the encode stage needs of the command line: the output format and
// the limits of a line. Options (cli/) holds the same fields and hands them
// down with line_format(), so the encoder does not depend on the whole
// command line.
#pragma once

#include <cstddef>

namespace tetrars {

// -o: tetra's JSON lines, tetra's compact lines, or native journald entries.
enum class OutputFormat { kJson, kCompact, kJournal };

// journald's LineMax is 48 KiB: stdout lines stay below it by default.
inline constexpr size_t kDefaultMaxLineBytes = 48000;

struct LineFormat {
  OutputFormat output = OutputFormat::kJson;
  size_t max_line_bytes = kDefaultMaxLineBytes;  // 0 = unlimited
  bool timestamps = false;                       // -o compact: the event time first
  bool resolve_users = false;                    // --resolve-users
};

}  // namespace tetrars
