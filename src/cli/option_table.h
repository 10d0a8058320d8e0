// Every command-line option, once: its names, its argument, its help text and
// the setter that parses and checks its value. The getopt table and --help are
// derived from it (cli.cpp), and a test checks the man page against it; the
// checks BETWEEN options (server address, event types, field paths, auid
// reachability) are named steps in cli.cpp, after every option was read.
//
// Contract: a setter either stores its value in the ParseState (lists add
// to what earlier flags gave, as tetra's list flags do) and returns nothing,
// or returns the CommandLine that ends parsing: a usage error ("tetrars:
// <what>: <what to do>", exit 2) or an answer (--help, --version, --sbom).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/cli.h"
#include "cli/options.h"

namespace tetrars {

// What the options said, before the checks between them.
struct ParseState {
  Options options;
  std::optional<std::string> server_address;
  std::string auid_spec = AuidFilter::kDefaultSpec;
  bool auid_given = false;
  std::optional<std::string> event_types;
  std::optional<std::string> include_fields;
  std::optional<std::string> exclude_fields;
  bool host = false;
  std::vector<std::string> match_texts;
  std::optional<size_t> max_line_bytes;
};

using OptionSetter = std::optional<CommandLine> (*)(ParseState& state, const std::string& value);

struct OptionSpec {
  OptionSpec(std::string name_, char short_name_, std::string argument_, std::string help_,
             OptionSetter set_, bool hidden_ = false, std::string section_ = "")
      : name(std::move(name_)),
        short_name(short_name_),
        argument(std::move(argument_)),
        help(std::move(help_)),
        set(set_),
        hidden(hidden_),
        section(std::move(section_)) {}

  std::string name;      // the long name, without "--"
  char short_name = 0;   // 'e' for -e; 0: none
  std::string argument;  // "LIST", "DURATION" ...; empty: a switch
  std::string help;      // the lines --help prints right of the names, '\n' between
  OptionSetter set = nullptr;
  bool hidden = false;  // accepted but not listed: tetra's other spellings
  std::string section;  // the --help heading it starts (empty: same as before)
};

// In --help order. Built on each call and dropped after the parse: a daemon
// has no use for its help text afterwards.
std::vector<OptionSpec> OptionTable();

CommandLine UsageError(const std::string& what, const std::string& todo);

// "PROCESS_EXEC, PROCESS_EXIT, ..." (the types the schema models).
std::string SupportedTypeNames();

}  // namespace tetrars
