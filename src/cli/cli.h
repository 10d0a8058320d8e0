// The command line: tetra-like flags, validated before anything connects.
//
// Contract: ParseCommandLine() either returns Options ready to run, or says
// what to print and the exit code: 0 for --help/--version (to stdout), 2 for a
// usage error (one line "tetrars: <what>: <what to do>" to stderr). The
// options themselves are defined once, in option_table.h; --help is derived
// from that table.
#pragma once

#include <optional>
#include <string>

#include "cli/options.h"

namespace tetrars {

struct CommandLine {
  std::optional<Options> options;  // set: run; unset: print `text` and exit
  int exit_code = 0;
  std::string text;
};

CommandLine ParseCommandLine(int argc, char** argv);

std::string HelpText();

}  // namespace tetrars
