#include "cli/cli.h"

#include <getopt.h>

#include <algorithm>
#include <cstdlib>

#include "cli/info_file.h"
#include "cli/option_table.h"
#include "cli/option_values.h"
#include "decode/field_paths.h"

namespace tetrars {
namespace {

// Whether events of `type` have a `who` (process, parent) with an auid field.
bool CarriesAuid(EventKind type, const std::string& who) {
  std::string unused;
  return FieldPathExists(who + ".auid", {type}, &unused);
}

// With the auid rule on, every selected type must carry the auid it reads:
// the rule would silently drop every event of a type that does not.
std::optional<CommandLine> CheckAuidReachable(ParseState& s) {
  const Options& options = s.options;
  if (!options.auid.enabled()) return std::nullopt;
  for (EventKind type : options.event_types) {
    const bool process = CarriesAuid(type, "process");
    const bool parent = CarriesAuid(type, "parent");
    const bool reachable = options.auid_of == AuidOf::kProcess  ? process
                           : options.auid_of == AuidOf::kParent ? parent
                                                                : process || parent;
    if (!reachable) {
      const std::string who = options.auid_of == AuidOf::kParent ? "parent" : "process";
      return UsageError(EventTypeName(type) + " events carry no " + who +
                            ".auid, so the --auid rule would drop every one of them",
                        "pass --auid any to print them, or leave " + EventTypeName(type) +
                            " out of --event-types");
    }
  }
  return std::nullopt;
}

// The agent keeps only events of the named policies: types that carry no
// policy name (process_exec, ...) would never come.
std::optional<CommandLine> CheckPolicyNamesReachable(ParseState& s) {
  const Options& options = s.options;
  if (options.policy_names.empty()) return std::nullopt;
  std::vector<std::string> with_policies;
  for (EventKind type : SupportedEventTypes()) {
    std::string unused;
    if (FieldPathExists("policy_name", {type}, &unused)) {
      with_policies.push_back(EventTypeName(type));
    }
  }
  for (EventKind type : options.event_types) {
    std::string unused;
    if (FieldPathExists("policy_name", {type}, &unused)) return std::nullopt;
  }
  return UsageError(
      "--policy-names keeps only events of tracing policies, and none of the "
      "selected event types carries a policy name",
      "add one of " + Join(with_policies, ", ") + " to --event-types");
}

// `first` then the comma-separated `list`, broken after commas with a
// shell line continuation (`\` at the end, the next line at column 0, so the
// word stays whole when pasted into a shell), lines of at most `width`.
std::string ShellContinued(const std::string& first, const std::string& list, size_t width) {
  std::string out;
  std::string line = first;
  size_t start = 0;
  while (start < list.size()) {
    size_t end = list.find(',', start);
    end = end == std::string::npos ? list.size() : end + 1;
    const std::string item = list.substr(start, end - start);
    if (!line.empty() && line != first && line.size() + item.size() + 1 > width) {
      out += line + "\\\n";
      line.clear();
    }
    line += item;
    start = end;
  }
  return out + line;
}

// The names column of an option in --help: "  -e, --event-types LIST".
std::string HelpNames(const OptionSpec& spec) {
  std::string names = "  ";
  if (spec.short_name != 0) names += std::string("-") + spec.short_name + ", ";
  names += "--" + spec.name;
  if (!spec.argument.empty()) names += " " + spec.argument;
  return names;
}

// The options' part of --help, from the table: the names, then the help
// lines from column 26 (on the next line when the names reach that far).
std::string OptionsHelp() {
  constexpr size_t kHelpColumn = 25;
  std::string out;
  for (const OptionSpec& spec : OptionTable()) {
    if (spec.hidden) continue;
    if (!spec.section.empty()) out += spec.section + "\n";
    std::string line = HelpNames(spec);
    if (line.size() < kHelpColumn) {
      line.resize(kHelpColumn, ' ');
    } else {
      out += line + "\n";
      line = std::string(kHelpColumn, ' ');
    }
    size_t start = 0;
    while (start <= spec.help.size()) {
      size_t end = spec.help.find('\n', start);
      if (end == std::string::npos) end = spec.help.size();
      out += line + spec.help.substr(start, end - start) + "\n";
      line = std::string(kHelpColumn, ' ');
      start = end + 1;
    }
  }
  return out;
}

// getopt_long's tables from the option table: every option's `val` is its
// index + kFirstIndex, short names map to the same index.
constexpr int kFirstIndex = 1000;

struct GetoptTables {
  std::vector<option> longs;
  std::string shorts = ":";  // ':' first: a missing value returns ':'
};

GetoptTables MakeGetoptTables(const std::vector<OptionSpec>& table) {
  GetoptTables tables;
  for (size_t i = 0; i < table.size(); ++i) {
    const OptionSpec& spec = table[i];
    const int has_arg = spec.argument.empty() ? no_argument : required_argument;
    tables.longs.push_back({spec.name.c_str(), has_arg, nullptr, kFirstIndex + int(i)});
    if (spec.short_name != 0) {
      tables.shorts += spec.short_name;
      if (has_arg == required_argument) tables.shorts += ':';
    }
  }
  tables.longs.push_back({nullptr, 0, nullptr, 0});
  return tables;
}

// The option getopt_long stopped at, as the user wrote it. Inside a group
// of short options ("-qz") getopt has not moved past the group yet, so
// argv[optind - 1] is the word before it ("--once"): optopt names the short
// option. For a long option optopt is 0 (unknown) or its table index.
std::string OptionInError(char** argv) {
  if (optopt > 0 && optopt < kFirstIndex) return std::string("-") + char(optopt);
  return argv[optind - 1];
}

// The table entry of what getopt_long returned (an index, or a short name).
const OptionSpec* SpecOf(const std::vector<OptionSpec>& table, int opt) {
  if (opt >= kFirstIndex && size_t(opt - kFirstIndex) < table.size()) {
    return &table[size_t(opt - kFirstIndex)];
  }
  for (const OptionSpec& spec : table) {
    if (spec.short_name != 0 && spec.short_name == opt) return &spec;
  }
  return nullptr;
}

// --- the checks between options, in the order they run

// Output: the line limit's default depends on the format; some flags apply
// to one format only.
std::optional<CommandLine> ResolveOutput(ParseState& s) {
  Options& options = s.options;
  // journald takes entries of any size: no limit there unless asked for.
  options.max_line_bytes = s.max_line_bytes.value_or(
      options.output == OutputFormat::kJournal ? 0 : kDefaultMaxLineBytes);
  if (options.timestamps && options.output != OutputFormat::kCompact) {
    return UsageError("--timestamps applies to -o compact",
                      "use it with -o compact (JSON lines carry the event's \"time\")");
  }
  if (options.resolve_users && options.output == OutputFormat::kCompact) {
    return UsageError("--resolve-users adds names to JSON lines",
                      "use it with -o json or -o journal");
  }
  return std::nullopt;
}

// The agent compiles the regular expressions with RE2; a bad one would fail
// the stream, so it is refused here.
std::optional<CommandLine> CheckServerSideFilters(ParseState& s) {
  Options& options = s.options;
  if (s.host) options.namespaces.push_back("");  // host processes have no pod namespace
  for (const auto& [flag, patterns] :
       {std::pair{"--process", &options.binary_regex}, std::pair{"--pod", &options.pod_regex},
        std::pair{"--containers", &options.container_regex},
        std::pair{"--namespace-regex", &options.namespace_regex}}) {
    for (const std::string& pattern : *patterns) {
      if (auto problem = CheckRegex(flag, pattern)) return UsageError(problem->what, problem->todo);
    }
  }
  return std::nullopt;
}

// Like tetra: without --server-address, the agent's info file says where it listens.
std::optional<CommandLine> ResolveServerAddress(ParseState& s) {
  std::string error;
  if (!s.server_address) {
    const char* info = std::getenv("TETRARS_TETRAGON_INFO");
    const std::string info_file = info != nullptr ? info : kTetragonInfoFile;
    if (auto from_file = ServerAddressFromInfoFile(info_file, &error)) {
      s.server_address = *from_file;
    } else if (!error.empty()) {
      return UsageError(error, "fix or remove " + info_file + ", or pass --server-address");
    }
  }
  auto address = ParseAddress(s.server_address.value_or(kDefaultServerAddress), &error);
  if (!address) return CommandLine{std::nullopt, 2, "tetrars: " + error + "\n"};
  s.options.address = *address;
  return std::nullopt;
}

std::optional<CommandLine> ResolveAuidRule(ParseState& s) {
  std::string error;
  auto auid = AuidFilter::Parse(s.auid_spec, &error);
  if (!auid) return CommandLine{std::nullopt, 2, "tetrars: " + error + "\n"};
  s.options.auid = *auid;
  return std::nullopt;
}

std::optional<CommandLine> ResolveEventTypes(ParseState& s) {
  Options& options = s.options;
  for (const std::string& item : SplitList(s.event_types.value_or("PROCESS_EXEC"))) {
    const std::optional<EventKind> parsed = ParseEventType(Upper(item));
    if (!parsed) {
      return UsageError("unknown event type '" + item + "'", "use " + SupportedTypeNames());
    }
    if (std::find(options.event_types.begin(), options.event_types.end(), *parsed) ==
        options.event_types.end()) {
      options.event_types.push_back(*parsed);
    }
  }
  return std::nullopt;
}

std::optional<CommandLine> CheckAllFields(ParseState& s) {
  if (s.options.all_fields && s.include_fields) {
    return UsageError("--all-fields and --include-fields exclude each other", "give one of them");
  }
  return std::nullopt;
}

// Whether the -f/-F lists keep the whole of `read`, a field that `reader`
// ("the --auid rule", "--match") reads; else the usage error naming both
// paths, with `alternative` (", or pass --auid any") added to what to do.
// A -F path at, above or below the field removes it or part of it: without
// process.auid.value the agent sends an empty wrapper, which reads 0, and the
// rule would then silently judge a value the agent removed. A -f path at,
// above or below it keeps it (below a wrapper such as process.auid there is
// only its value).
std::optional<CommandLine> CheckKept(const Options& options, const std::string& read,
                                     const std::string& reader, const std::string& alternative) {
  const auto touches = [&read](const std::string& path) { return PathsOverlap(path, read); };
  if (!options.all_fields &&
      std::none_of(options.include_fields.begin(), options.include_fields.end(), touches)) {
    return UsageError("--include-fields leaves out " + read + ", which " + reader + " needs",
                      "add " + read + " to the list" + alternative);
  }
  for (const std::string& removed : options.exclude_fields) {
    if (!touches(removed)) continue;
    const std::string what = removed == read                ? read
                             : PathAtOrAbove(removed, read) ? removed + ", and " + read + " with it"
                                                            : removed + ", part of " + read;
    return UsageError("--exclude-fields removes " + what + ", which " + reader + " needs",
                      "keep " + read + (removed == read ? "" : " whole") + alternative);
  }
  return std::nullopt;
}

// The include list (given, or our default one), the exclude list and the
// --match predicates, each path checked against the selected types' schema.
// -f as given, or our own default list: the pipeline's paths that the
// selected types have (TEST events have no process.pid), and the parent's
// auid when the rule reads it. None left: the agent sends every field.
void ResolveIncludeFields(ParseState& s) {
  Options& options = s.options;
  if (options.all_fields) return;
  if (s.include_fields) {
    options.include_fields = SplitList(*s.include_fields);
    return;
  }
  for (const std::string& path : DefaultIncludeFields()) {
    std::string unused;
    if (FieldPathExists(path, options.event_types, &unused)) {
      options.include_fields.push_back(path);
    }
  }
  if (options.auid.enabled() && options.auid_of != AuidOf::kProcess) {
    options.include_fields.push_back("parent.auid");
  }
  if (options.include_fields.empty()) options.all_fields = true;
}

// Each --match; the field it reads is asked for by our default list too.
std::optional<CommandLine> ParseMatches(ParseState& s) {
  Options& options = s.options;
  for (const std::string& text : s.match_texts) {
    std::string why, advice = "see --match in tetrars --help";
    auto predicate = Predicate::Parse(text, options.event_types, &why, &advice);
    if (!predicate) return UsageError(why, advice);
    const std::string& path = predicate->path();
    const auto keeps = [&path](const std::string& p) { return PathsOverlap(p, path); };
    if (!options.all_fields && !s.include_fields &&
        std::none_of(options.include_fields.begin(), options.include_fields.end(), keeps)) {
      options.include_fields.push_back(path);
    }
    options.matches.push_back(std::move(*predicate));
  }
  return std::nullopt;
}

// One -f/-F path against the schema: the agent would answer a typo with
// empty objects, and a malformed path with a failed stream.
std::optional<CommandLine> CheckFieldPath(const Options& options, const std::string& path,
                                          const char* flag) {
  if (!ValidPathSyntax(path)) {
    return UsageError("invalid field path '" + path + "' in " + flag,
                      "use snake_case names joined by dots, such as process.binary");
  }
  std::string closest;
  if (FieldPathExists(path, options.event_types, &closest)) return std::nullopt;
  for (EventKind other : SupportedEventTypes()) {
    std::string unused;
    if (FieldPathExists(path, {other}, &unused)) {
      return UsageError("field path '" + path + "' in " + flag + " belongs to " +
                            EventTypeName(other) + " events",
                        "add " + EventTypeName(other) + " to --event-types");
    }
  }
  return UsageError("unknown field path '" + path + "' in " + flag,
                    closest.empty() ? std::string("see the event's fields in tetrars(1)")
                                    : "did you mean " + closest + "?");
}

std::optional<CommandLine> ResolveFieldPaths(ParseState& s) {
  Options& options = s.options;
  ResolveIncludeFields(s);
  if (s.exclude_fields) options.exclude_fields = SplitList(*s.exclude_fields);
  if (auto end = ParseMatches(s)) return end;
  for (const auto& [flag, paths] : {std::pair{"--include-fields", &options.include_fields},
                                    std::pair{"--exclude-fields", &options.exclude_fields}}) {
    for (const std::string& path : *paths) {
      if (auto end = CheckFieldPath(options, path, flag)) return end;
    }
  }
  // --match reads fields: they must reach tetrars whole (checked once the
  // paths are known valid, so a -f path below the field can only be the
  // value of a wrapper).
  for (const Predicate& predicate : options.matches) {
    if (auto end = CheckKept(options, predicate.path(), "--match", "")) return end;
  }
  return std::nullopt;
}

// The auid the rule reads (the process's, the parent's, or both for
// --auid-of either) must reach tetrars whole.
std::optional<CommandLine> CheckAuidKept(ParseState& s) {
  const Options& options = s.options;
  if (!options.auid.enabled()) return std::nullopt;
  for (const char* who : {"process", "parent"}) {
    const bool read = who == std::string("process") ? options.auid_of != AuidOf::kParent
                                                    : options.auid_of != AuidOf::kProcess;
    if (!read) continue;
    if (auto end = CheckKept(options, std::string(who) + ".auid", "the --auid rule",
                             ", or pass --auid any")) {
      return end;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string HelpText() {
  return std::string("Usage: tetrars [OPTIONS]\n\n") +
         "Streams Tetragon's process events over gRPC and prints, one JSON line each,\n"
         "the execve events of human users: those whose audit login uid (auid) is 1000\n"
         "or more and not 4294967295 (\"never logged in\"). Each line is the JSON object\n"
         "that `tetra getevents -o json` prints for the event.\n\n"
         "With no options, tetrars does the job of this pipeline, without its blind\n"
         "spot for auids of 10000 and more:\n"
         "  tetra --server-address unix:///var/run/tetragon/tetragon.sock getevents \\\n" +
         ShellContinued("    -e PROCESS_EXEC -f ", Join(DefaultIncludeFields(), ","), 79) +
         " \\\n"
         "    | grep --line-buffered '\"auid\":[0-9]\\{4\\}[,}]'\n\n" +
         OptionsHelp() + "\n" +
         "Examples:\n"
         "  tetrars                                 # the default job, for journald\n"
         "  tetrars --auid any --all-fields --once  # everything, until the stream ends\n"
         "  tetrars -e PROCESS_EXEC,PROCESS_EXIT --server-address localhost:54321\n"
         "  tetrars -o journal --resolve-users\n"
         "  journalctl -t tetrars TETRAGON_AUID=1000 -o cat\n\n"
         "Output: JSON lines on stdout (see -o). Diagnostics: one line each on stderr,\n"
         "'tetrars: <what happened>: <what to do>', one per change of state; under\n"
         "systemd they carry their own syslog priority (notice, warning, error), apart\n"
         "from the events (info): journalctl -t tetrars -p info..info -o cat.\n"
         "Signals: SIGINT, SIGTERM print what the agent sent, flush and exit; SIGHUP\n"
         "(systemctl reload) does the same, then connects again (on a terminal it\n"
         "stops); SIGUSR1 prints the counters (also printed at exit); SIGUSR2 and\n"
         "SIGALRM are ignored.\n"
         "Agent versions: tetrars asks the agent's version on every connection and\n"
         "shows it in the 'connected' line. Agents before v1.0.1 get no field filter\n"
         "(see --fields-by); pods of agents before v1.1.0 print their labels as\n"
         "\"labels\", as their tetra does; a filter flag the agent is too old for is\n"
         "named on stderr.\n"
         "Without --once, tetrars reconnects when the agent is absent, restarts or ends\n"
         "the stream, and drops a connection that sends bad data; it stops only on\n"
         "statuses retrying cannot fix (UNIMPLEMENTED, INVALID_ARGUMENT).\n"
         "Exit status: 0 done (signal, or --once and a clean end), 1 runtime error\n"
         "(agent failing with --once or refusing the request, output unwritable),\n"
         "2 usage error.\n";
}

CommandLine ParseCommandLine(int argc, char** argv) {
  const std::vector<OptionSpec> table = OptionTable();
  const GetoptTables tables = MakeGetoptTables(table);
  ParseState state;
  opterr = 0;
  // 0, not 1: glibc then forgets a group of short options that a previous
  // parse stopped inside (the tests parse many command lines).
  optind = 0;
  int opt;
  while ((opt = getopt_long(argc, argv, tables.shorts.c_str(), tables.longs.data(), nullptr)) !=
         -1) {
    if (opt == ':') {
      return UsageError("option " + OptionInError(argv) + " needs a value", "see tetrars --help");
    }
    const OptionSpec* spec = SpecOf(table, opt);
    if (spec == nullptr) {
      return UsageError("unknown option " + OptionInError(argv), "see tetrars --help");
    }
    if (auto end = spec->set(state, optarg != nullptr ? optarg : "")) return *end;
  }
  if (optind < argc) {
    return UsageError(std::string("unexpected argument '") + argv[optind] + "'",
                      "tetrars takes only options; see tetrars --help");
  }
  using Step = std::optional<CommandLine> (*)(ParseState&);
  for (Step step : {ResolveOutput, CheckServerSideFilters, ResolveServerAddress, ResolveAuidRule,
                    ResolveEventTypes, CheckAllFields, CheckAuidReachable,
                    CheckPolicyNamesReachable, ResolveFieldPaths, CheckAuidKept}) {
    if (auto end = step(state)) return *end;
  }
  return {std::move(state.options), 0, ""};
}

}  // namespace tetrars
