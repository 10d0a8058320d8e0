// tetrars: prints human users' execve events from Tetragon as JSON lines.
// main() only parses the command line and hands over to the event loop.
#include <google/protobuf/stubs/logging.h>
#include <unistd.h>

#include "cli.h"
#include "runner.h"

int main(int argc, char** argv) {
  // protobuf would log parse failures on its own, in its own format; tetrars
  // reports them itself, one line each.
  google::protobuf::SetLogHandler(nullptr);

  tetrars::CommandLine command_line = tetrars::ParseCommandLine(argc, argv);
  if (!command_line.options) {
    const int fd = command_line.exit_code == 0 ? STDOUT_FILENO : STDERR_FILENO;
    [[maybe_unused]] ssize_t n = write(fd, command_line.text.data(), command_line.text.size());
    return command_line.exit_code;
  }
  return tetrars::Run(*command_line.options);
}
