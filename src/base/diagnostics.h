// Diagnostics: one line each on stderr, "tetrars: <what happened>: <what to do>".
//
// Under systemd (StandardError=journal), stdout's JSON lines and these lines
// would land in the same journal stream at the same priority, so
// `journalctl -u tetrars -o cat` would hand a SIEM a mix. When stderr is the
// journal stream that systemd names in $JOURNAL_STREAM ("<dev>:<inode>"), each
// line starts with its syslog priority, "<3>" to "<5>", which journald strips
// and files the line under; the JSON lines keep priority 6 (info), so
// `journalctl -t tetrars -p info..info -o cat` yields only JSON and
// `journalctl -u tetrars -p notice` only the diagnostics. Anywhere else
// (a terminal, a file, a pipe) the lines carry no prefix.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tetrars {

// The most bytes of the agent's words a diagnostic line carries, escaped.
inline constexpr size_t kMaxQuotedBytes = 200;

// What the agent says (its version, a grpc-message, GOAWAY debug data, a
// header value) is data, never part of a line: it could forge a second line
// of tetrars' own, or send a terminal escape into stderr and the journal.
// Quoted() returns it as it may appear in a diagnostic: escaped as -o compact
// escapes event text (a backslash as \\, \n \r \t, other control bytes and
// bytes that are not UTF-8 as \xNN, C1 controls and U+2028/U+2029 as \uNNNN;
// printable UTF-8 as it is), and cut to at most kMaxQuotedBytes escaped bytes,
// never inside a character or an escape, marked "...[truncated N bytes]" with
// N the agent's bytes left out.
std::string Quoted(std::string_view agent_text);

enum class Priority { kError = 3, kWarning = 4, kNotice = 5 };

class Diagnostics {
 public:
  // Prefixes priorities when stderr is the journal stream $JOURNAL_STREAM names.
  static Diagnostics FromEnvironment();
  explicit Diagnostics(bool prefix_priority = false) : prefix_priority_(prefix_priority) {}

  // Writes `line` and a newline in one write(), so lines never interleave.
  void Say(Priority priority, const std::string& line) const;
  bool prefix_priority() const { return prefix_priority_; }

 private:
  bool prefix_priority_;
};

}  // namespace tetrars
