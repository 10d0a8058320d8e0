#include "base/diagnostics.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "base/escaped_text.h"
#include "base/utf8.h"

namespace tetrars {

std::string Quoted(std::string_view agent_text) {
  std::string out;
  std::string unit;
  for (size_t i = 0; i < agent_text.size();) {
    // One character (a valid UTF-8 sequence) or one byte, escaped whole.
    const size_t length =
        uint8_t(agent_text[i]) < 0x80 ? 1 : std::max<size_t>(ValidUtf8Length(agent_text, i), 1);
    unit.clear();
    AppendEscapedText(agent_text.substr(i, length), unit);
    if (out.size() + unit.size() > kMaxQuotedBytes) {
      return out + "...[truncated " + std::to_string(agent_text.size() - i) + " bytes]";
    }
    out += unit;
    i += length;
  }
  return out;
}

Diagnostics Diagnostics::FromEnvironment() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return Diagnostics(false);
  unsigned long long device = 0;
  unsigned long long inode = 0;
  if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return Diagnostics(false);
  struct stat st {};
  if (fstat(STDERR_FILENO, &st) != 0) return Diagnostics(false);
  // The variable is inherited by children whose stderr went elsewhere: it
  // counts only when stderr is that very stream.
  return Diagnostics(st.st_dev == device && st.st_ino == inode);
}

void Diagnostics::Say(Priority priority, const std::string& line) const {
  std::string text;
  text.reserve(line.size() + 4);
  if (prefix_priority_) {
    text += '<';
    text += char('0' + int(priority));
    text += '>';
  }
  text += line;
  text += '\n';
  [[maybe_unused]] ssize_t n = write(STDERR_FILENO, text.data(), text.size());
}

}  // namespace tetrars
