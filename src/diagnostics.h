// Diagnostics: one line each on stderr, "tetrars: <what happened>: <what to do>".
//
// Under systemd (StandardError=journal), stdout's JSON lines and these lines
// would land in the same journal stream at the same priority, so
// `journalctl -u tetrars -o cat` would hand a SIEM a mix. When stderr is the
// journal stream that systemd names in $JOURNAL_STREAM ("<dev>:<inode>"), each
// line starts with its syslog priority, "<3>" to "<5>", which journald strips
// and files the line under; the JSON lines keep priority 6 (info), so
// `journalctl -u tetrars -p info..info -o cat` yields only JSON and
// `journalctl -u tetrars -p notice` only the diagnostics. Anywhere else
// (a terminal, a file, a pipe) the lines carry no prefix.
#pragma once

#include <string>

namespace tetrars {

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
