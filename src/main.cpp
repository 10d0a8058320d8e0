// tetrars: prints human users' execve events from Tetragon as JSON lines.
// main() makes the standard descriptors safe, parses the command line and
// hands over to the event loop.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "cli/cli.h"
#include "daemon/runner.h"

namespace {

// A daemon started with stdin, stdout or stderr closed would hand those
// numbers to the next open(): the agent's socket could become fd 1 and receive
// JSON lines, or fd 2 and receive diagnostics in the middle of HTTP/2. Each
// closed one is opened on /dev/null before anything else; returns whether
// stdout was closed.
bool OpenClosedStandardDescriptors() {
  bool stdout_was_closed = false;
  for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    if (fd == STDOUT_FILENO) stdout_was_closed = true;
    // The lowest free number is `fd` itself: the lower ones are open by now.
    const int null_fd = open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY);
    if (null_fd != fd) _exit(1);  // cannot happen unless /dev/null is missing: nowhere to say it
  }
  return stdout_was_closed;
}

void Write(int fd, const std::string& text) {
  [[maybe_unused]] ssize_t n = write(fd, text.data(), text.size());
}

}  // namespace

int main(int argc, char** argv) {
  const bool stdout_was_closed = OpenClosedStandardDescriptors();

  tetrars::CommandLine command_line = tetrars::ParseCommandLine(argc, argv);
  if (!command_line.options) {
    Write(command_line.exit_code == 0 ? STDOUT_FILENO : STDERR_FILENO, command_line.text);
    return command_line.exit_code;
  }
  if (stdout_was_closed && command_line.options->output != tetrars::OutputFormat::kJournal) {
    Write(STDERR_FILENO,
          "tetrars: standard output is closed, so the events would have nowhere to go: start "
          "tetrars with stdout open on a file, a pipe or the journal, or use -o journal\n");
    return 1;
  }
  return tetrars::Run(*command_line.options);
}
