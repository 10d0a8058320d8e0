#include "diagnostics.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace tetrars {

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
