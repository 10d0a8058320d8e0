#include "cli.h"

#include <fcntl.h>
#include <getopt.h>
#include <re2/re2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <iterator>

#include "field_paths.h"
#include "json_reader.h"
#include "sbom.h"
#include "tetrars_version.h"

namespace tetrars {
namespace {

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    items.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return items;
}

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  return text;
}

std::string SupportedTypeNames() {
  std::string names;
  for (auto type : SupportedEventTypes()) {
    if (!names.empty()) names += ", ";
    names += EventTypeName(type);
  }
  return names;
}

// A field path as the agent takes it: snake_case segments joined by dots.
bool ValidPathSyntax(const std::string& path) {
  if (path.empty() || path.front() == '.' || path.back() == '.') return false;
  bool previous_dot = false;
  for (unsigned char c : path) {
    if (c == '.') {
      if (previous_dot) return false;
      previous_dot = true;
    } else if (std::islower(c) || std::isdigit(c) || c == '_') {
      previous_dot = false;
    } else {
      return false;
    }
  }
  return true;
}

// A byte count for --max-message-size and --max-line-bytes: 1024 to 2^31,
// or 0 where `zero_allowed` (no limit).
std::optional<size_t> ParseByteCount(const std::string& text, bool zero_allowed) {
  size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (value == 0 && zero_allowed) return value;
  if (value < 1024 || value > (size_t(1) << 31)) return std::nullopt;
  return value;
}

CommandLine UsageError(const std::string& what, const std::string& todo) {
  return {std::nullopt, 2, "tetrars: " + what + ": " + todo + "\n"};
}

std::string Join(const std::vector<std::string>& items, const char* separator) {
  std::string text;
  for (const auto& item : items) {
    if (!text.empty()) text += separator;
    text += item;
  }
  return text;
}

// Whether events of `type` have a `who` (process, parent) with an auid field.
bool CarriesAuid(EventKind type, const std::string& who) {
  std::string unused;
  return FieldPathExists(who + ".auid", {type}, &unused);
}

// With the auid rule on, every selected type must carry the auid it reads:
// the rule would silently drop every event of a type that does not.
std::optional<CommandLine> CheckAuidReachable(const Options& options) {
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
std::optional<CommandLine> CheckPolicyNamesReachable(const Options& options) {
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

}  // namespace

// Reads at most `limit` bytes of a regular file; nothing with `error` set
// when it is not one, is larger, or cannot be read; nothing with `error`
// empty when it does not exist.
std::optional<std::string> ReadSmallRegularFile(const std::string& path, size_t limit,
                                                std::string* error) {
  // O_NONBLOCK: a FIFO put there must not hang the start.
  const int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    if (errno != ENOENT && errno != ENOTDIR)
      *error = "cannot open " + path + ": " + strerror(errno);
    return std::nullopt;
  }
  std::string text;
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    *error = "cannot read " + path + ": " + strerror(errno);
  } else if (!S_ISREG(st.st_mode)) {
    *error = path + " is not a regular file";
  } else if (size_t(st.st_size) > limit) {
    *error = path + " has " + std::to_string(st.st_size) + " bytes, more than the " +
             std::to_string(limit) + " an agent info file can have";
  } else {
    text.resize(limit + 1);
    size_t got = 0;
    while (got < text.size()) {
      const ssize_t n = read(fd, text.data() + got, text.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        *error = "cannot read " + path + ": " + strerror(errno);
        break;
      }
      if (n == 0) break;
      got += size_t(n);
    }
    if (error->empty() && got > limit) {
      *error = path + " is larger than the " + std::to_string(limit) +
               " bytes an agent info file can have";
    }
    text.resize(got);
  }
  close(fd);
  if (!error->empty()) return std::nullopt;
  return text;
}

std::optional<std::string> ServerAddressFromInfoFile(const std::string& path, std::string* error) {
  error->clear();
  const auto text = ReadSmallRegularFile(path, kMaxInfoFileBytes, error);
  if (!text) return std::nullopt;  // no agent info (error empty): the default address
  bool valid = false;
  std::optional<std::string> address = JsonObjectString(*text, "server_address", &valid);
  if (!valid) {
    *error = "cannot read " + path + " as JSON";
    return std::nullopt;
  }
  if (!address || address->empty()) {
    *error = path + " has no server_address";
    return std::nullopt;
  }
  return address;
}

std::optional<int> ParseDurationMs(const std::string& text) {
  if (text == "0") return 0;  // the one duration that needs no unit, as in Go
  long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data() || value < 0) return std::nullopt;
  const std::string unit(end, text.data() + text.size());
  long factor = 0;
  if (unit == "ms") factor = 1;
  if (unit == "s") factor = 1000;
  if (unit == "m") factor = 60000;
  if (unit == "h") factor = 3600000;
  if (factor == 0 || value > 86400000L / factor) return std::nullopt;
  return int(value * factor);
}

const std::vector<std::string>& DefaultIncludeFields() {
  static const std::vector<std::string> fields = {"process.pid",
                                                  "process.uid",
                                                  "process.auid",
                                                  "process.cwd",
                                                  "process.binary",
                                                  "process.arguments",
                                                  "process.process_credentials",
                                                  "process.binary_properties",
                                                  "parent.pid",
                                                  "parent.binary",
                                                  "parent.cwd"};
  return fields;
}

// `text` broken at spaces into lines of at most `width` columns, each
// starting with `indent` and ending with a newline.
namespace {
std::string Wrapped(const std::string& text, const std::string& indent, size_t width) {
  std::string out;
  std::string line = indent;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (line.size() > indent.size() && line.size() + 1 + word.size() > width) {
      out += line + "\n";
      line = indent;
    }
    if (line.size() > indent.size()) line += ' ';
    line += word;
    start = end + 1;
  }
  if (line.size() > indent.size()) out += line + "\n";
  return out;
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
         "    | grep --line-buffered '\"auid\":[0-9]\\{4\\}[,}]'\n\n"
         "Options:\n"
         "  --server-address ADDR  the agent's gRPC address: unix:///abs/path,\n"
         "                         unix:relative or host:port (default: the\n"
         "                         server_address of the agent's info file\n"
         "                         " +
         kTetragonInfoFile +
         ",\n"
         "                         else " +
         kDefaultServerAddress +
         ")\n"
         "                         example: --server-address localhost:54321\n"
         "  --auid SPEC            audit login uids to print: values and ranges,\n"
         "                         comma-separated, or 'any' for every user's events\n"
         "                         (default " +
         AuidFilter::kDefaultSpec +
         "; given twice: both)\n"
         "                         example: --auid 1000-59999,0\n"
         "  --auid-of WHO          whose auid the rule reads: process (the event's own,\n"
         "                         default), parent, or either (one of them passes)\n"
         "                         example: --auid-of either\n"
         "  -e, --event-types LIST event types to request, comma-separated, of:\n" +
         Wrapped(SupportedTypeNames(), std::string(25, ' '), 79) +
         "                         (default PROCESS_EXEC); the auid is read from the\n"
         "                         event's process (process_exec.process, ...)\n"
         "                         example: -e PROCESS_EXEC,PROCESS_EXIT\n"
         "  -f, --include-fields LIST\n"
         "                         fields the agent sends, comma-separated paths inside\n"
         "                         the event (default: the pipeline's list above, the\n"
         "                         paths the selected types have); must include\n"
         "                         process.auid unless --auid any; every path is checked\n"
         "                         example: -f process.binary,process.auid,parent.binary\n"
         "  -F, --exclude-fields LIST\n"
         "                         fields the agent leaves out, comma-separated paths;\n"
         "                         applied after --include-fields\n"
         "                         example: -F process.arguments,parent.cwd\n"
         "  --all-fields           send no include filter: print every field of each\n"
         "                         event\n"
         "                         example: --all-fields -F process.arguments\n"
         "  --fields-by WHO        who removes the fields -f/-F leave out: auto (the\n"
         "                         agent, but tetrars itself for agents before v1.1.0,\n"
         "                         which strip them from the events their other\n"
         "                         clients get too), agent, or tetrars (default auto)\n"
         "                         example: --fields-by tetrars\n"
         "Server-side filters (as tetra sends them; the agent applies them):\n"
         "  -n, --namespace LIST   events of pods in these Kubernetes namespaces\n"
         "                         example: -n kube-system,monitoring\n"
         "  --host                 events of host processes (not in a pod)\n"
         "                         example: --host -n prod (host or namespace prod)\n"
         "  --process REGEX,...    events whose process binary matches (RE2)\n"
         "                         example: --process '^/usr/bin/(ssh|scp)$'\n"
         "  --pod REGEX,...        events whose pod name matches (RE2)\n"
         "                         example: --pod '^web-'\n"
         "  --containers REGEX,... events whose container name matches (RE2; agents\n"
         "                         >= v1.6.0, older ones ignore it: tetrars says so)\n"
         "                         example: --containers '^nginx$'\n"
         "  --namespace-regex REGEX,...\n"
         "                         events whose pod namespace matches (RE2; agents\n"
         "                         >= v1.7.0, older ones ignore it: tetrars says so)\n"
         "                         example: --namespace-regex '^team-'\n"
         "  --policy-names LIST    events of these tracing policies (event types that\n"
         "                         carry a policy name: PROCESS_KPROBE, ...)\n"
         "                         example: -e PROCESS_KPROBE --policy-names file-mon\n"
         "  --cel-expression EXPR  events for which the CEL expression holds (agents\n"
         "                         >= v1.3.0; one expression per flag, they are ORed)\n"
         "                         example:\n"
         "                         --cel-expression 'process_exec.process.uid == 0u'\n"
         "  --match 'PATH OP VALUE'\n"
         "                         keep only events where the field PATH (inside the\n"
         "                         event, such as process.uid) compares to VALUE; OP is\n"
         "                         == != < <= > >= =~ !~ (RE2); repeat: all must hold;\n"
         "                         an absent field matches only != and !~. Applied after\n"
         "                         the server-side filters and --auid. For instance:\n"
         "                         --match 'process.binary !~ ^/opt/datadog-agent/'\n"
         "                         --match 'process.uid == 0'   (humans running as root)\n"
         "  --no-pushdown          do not send the --auid rule to the agent as a CEL\n"
         "                         expression (sent by default: agents >= v1.4.0 then\n"
         "                         drop non-human events before they cross the socket;\n"
         "                         older agents ignore it; tetrars checks every event)\n"
         "                         example: --no-pushdown (an agent that mishandles CEL)\n"
         "  --once                 exit when the agent ends the stream (0 if it ended\n"
         "                         cleanly, 1 otherwise) instead of reconnecting\n"
         "                         example: tetrars --once --auid any > events.jsonl\n"
         "  --max-message-size N   largest gRPC message accepted, in bytes\n"
         "                         (default 16777216)\n"
         "                         example: --max-message-size 67108864\n"
         "  --reconnect-max DURATION\n"
         "                         longest wait between reconnection attempts, with its\n"
         "                         unit (ms, s, m, h); waits start at 100ms and double,\n"
         "                         with jitter (default 5s)\n"
         "                         example: --reconnect-max 30s\n"
         "  --keepalive DURATION   over TCP, send an HTTP/2 PING after this long without\n"
         "                         data and drop the connection if the agent does not\n"
         "                         answer within 20s (default 5m, 0 = off; Tetragon\n"
         "                         closes connections that PING more often than every\n"
         "                         5m unless configured to allow it)\n"
         "                         example: --keepalive 10m\n"
         "  --max-delay DURATION   under load (events less than 5ms apart), let events\n"
         "                         gather for up to this long, so that one wake-up, one\n"
         "                         read and one write carry many; a lone event is still\n"
         "                         written at once (default 10ms, 0 = every event at once)\n"
         "                         example: --max-delay 0 (lowest latency, more CPU)\n"
         "Output:\n"
         "  -o, --output FORMAT    json (default): tetra's JSON lines on stdout;\n"
         "                         compact: one human line per event, as tetra -o\n"
         "                         compact; journal: native journald entries (MESSAGE=\n"
         "                         the JSON line, TETRAGON_AUID=, TETRAGON_BINARY=, ...)\n"
         "                         example: -o journal, then journalctl TETRAGON_AUID=1000\n"
         "  --max-line-bytes N     no line longer than N bytes: the longest strings are\n"
         "                         cut first, marked \"...[truncated N bytes]\", and the\n"
         "                         line gets \"tetrars\":{\"truncated\":true} (default\n"
         "                         48000, below journald's 48 KiB LineMax; -o journal:\n"
         "                         0 = no limit)\n"
         "                         example: --max-line-bytes 8192 (syslog over UDP)\n"
         "  --timestamps           -o compact: start each line with the event's time\n"
         "                         example: -o compact --timestamps\n"
         "  --resolve-users        add the user names of the auid and uid (and the\n"
         "                         parent's) from the host's user database:\n"
         "                         \"tetrars\":{\"auid_user\":\"alice\",\"uid_user\":\"root\"};\n"
         "                         a lookup slower than 5ms is skipped for that event\n"
         "                         example: --resolve-users -o journal\n"
         "Other:\n"
         "  --sbom                 print the embedded SBOM (CycloneDX 1.5 JSON) and exit\n"
         "                         example: tetrars --sbom | jq '.components[].name'\n"
         "  --version              print the version and exit\n"
         "  -h, --help             print this help and exit\n\n"
         "Examples:\n"
         "  tetrars                                 # the default job, for journald\n"
         "  tetrars --auid any --all-fields --once  # everything, until the stream ends\n"
         "  tetrars -e PROCESS_EXEC,PROCESS_EXIT --server-address localhost:54321\n"
         "  tetrars -o journal --resolve-users\n"
         "  journalctl -t tetrars TETRAGON_AUID=1000 -o cat\n\n"
         "Output: JSON lines on stdout (see -o). Diagnostics: one line each on stderr,\n"
         "'tetrars: <what happened>: <what to do>', one per change of state; under\n"
         "systemd they carry their own syslog priority (notice, warning, error), apart\n"
         "from the events (info): journalctl -u tetrars -p info..info -o cat.\n"
         "Signals: SIGINT, SIGTERM, SIGHUP flush and exit; SIGUSR1 prints the counters\n"
         "(also printed at exit); SIGUSR2 and SIGALRM are ignored.\n"
         "Agent versions: tetrars asks the agent's version on every connection and\n"
         "shows it in the 'connected' line. Agents before v1.1.0 get no field filter\n"
         "(see --fields-by) and their pods' labels print as \"labels\", as their tetra\n"
         "prints them; a filter flag the agent is too old for is named on stderr.\n"
         "Without --once, tetrars reconnects when the agent is absent, restarts or ends\n"
         "the stream, and drops a connection that sends bad data; it stops only on\n"
         "statuses retrying cannot fix (UNIMPLEMENTED, INVALID_ARGUMENT).\n"
         "Exit status: 0 done (signal, or --once and a clean end), 1 runtime error\n"
         "(agent failing with --once or refusing the request, output unwritable),\n"
         "2 usage error.\n";
}

CommandLine ParseCommandLine(int argc, char** argv) {
  enum : int {
    kServerAddress = 1000,
    kAuid,
    kAllFields,
    kOnce,
    kMaxMessageSize,
    kReconnectMax,
    kKeepalive,
    kSbom,
    kAuidOf,
    kProcess,
    kPod,
    kHost,
    kPolicyNames,
    kCelExpression,
    kNoPushdown,
    kMatch,
    kMaxLineBytes,
    kTimestamps,
    kResolveUsers,
    kMaxDelay,
    kContainers,
    kNamespaceRegex,
    kFieldsBy,
    kVersion
  };
  static const option kLong[] = {{"server-address", required_argument, nullptr, kServerAddress},
                                 {"auid", required_argument, nullptr, kAuid},
                                 {"auid-of", required_argument, nullptr, kAuidOf},
                                 {"event-types", required_argument, nullptr, 'e'},
                                 {"include-fields", required_argument, nullptr, 'f'},
                                 {"exclude-fields", required_argument, nullptr, 'F'},
                                 {"namespace", required_argument, nullptr, 'n'},
                                 {"process", required_argument, nullptr, kProcess},
                                 {"pod", required_argument, nullptr, kPod},
                                 // tetra's other spellings, which scripts carry too
                                 {"pods", required_argument, nullptr, kPod},
                                 {"processes", required_argument, nullptr, kProcess},
                                 {"namespaces", required_argument, nullptr, 'n'},
                                 {"containers", required_argument, nullptr, kContainers},
                                 {"namespace-regex", required_argument, nullptr, kNamespaceRegex},
                                 {"fields-by", required_argument, nullptr, kFieldsBy},
                                 {"host", no_argument, nullptr, kHost},
                                 {"policy-names", required_argument, nullptr, kPolicyNames},
                                 {"cel-expression", required_argument, nullptr, kCelExpression},
                                 {"no-pushdown", no_argument, nullptr, kNoPushdown},
                                 {"match", required_argument, nullptr, kMatch},
                                 {"all-fields", no_argument, nullptr, kAllFields},
                                 {"once", no_argument, nullptr, kOnce},
                                 {"max-message-size", required_argument, nullptr, kMaxMessageSize},
                                 {"reconnect-max", required_argument, nullptr, kReconnectMax},
                                 {"keepalive", required_argument, nullptr, kKeepalive},
                                 {"max-delay", required_argument, nullptr, kMaxDelay},
                                 {"output", required_argument, nullptr, 'o'},
                                 {"max-line-bytes", required_argument, nullptr, kMaxLineBytes},
                                 {"timestamps", no_argument, nullptr, kTimestamps},
                                 {"resolve-users", no_argument, nullptr, kResolveUsers},
                                 {"sbom", no_argument, nullptr, kSbom},
                                 {"version", no_argument, nullptr, kVersion},
                                 {"help", no_argument, nullptr, 'h'},
                                 {nullptr, 0, nullptr, 0}};

  std::optional<std::string> server_address;
  std::string auid_spec = AuidFilter::kDefaultSpec;
  std::optional<std::string> event_types;
  std::optional<std::string> include_fields;
  Options options;

  opterr = 0;
  optind = 1;
  int opt;
  std::optional<std::string> exclude_fields;
  bool host = false;
  std::vector<std::string> match_texts;
  std::optional<size_t> max_line_bytes;
  const auto append = [](std::vector<std::string>& to, const std::string& list) {
    for (std::string& item : SplitList(list)) to.push_back(std::move(item));
  };
  // A list flag given twice means both lists, as tetra's flags do.
  const auto add_to_list = [](std::optional<std::string>& to, const std::string& list) {
    to = to ? *to + "," + list : list;
  };
  bool auid_given = false;
  while ((opt = getopt_long(argc, argv, ":e:f:F:n:o:h", kLong, nullptr)) != -1) {
    switch (opt) {
      case kServerAddress:
        server_address = optarg;
        break;
      case kAuid:  // repeated: the union, as for tetra's list flags
        auid_spec = auid_given ? auid_spec + "," + optarg : std::string(optarg);
        auid_given = true;
        break;
      case kAuidOf: {
        const std::string who = optarg;
        if (who == "process") {
          options.auid_of = AuidOf::kProcess;
        } else if (who == "parent") {
          options.auid_of = AuidOf::kParent;
        } else if (who == "either") {
          options.auid_of = AuidOf::kEither;
        } else {
          return UsageError("invalid --auid-of '" + who + "'", "use process, parent or either");
        }
        break;
      }
      case 'e':
        add_to_list(event_types, optarg);
        break;
      case 'f':
        add_to_list(include_fields, optarg);
        break;
      case 'F':
        add_to_list(exclude_fields, optarg);
        break;
      case 'n':
        append(options.namespaces, optarg);
        break;
      case kProcess:
        append(options.binary_regex, optarg);
        break;
      case kPod:
        append(options.pod_regex, optarg);
        break;
      case kContainers:
        append(options.container_regex, optarg);
        break;
      case kNamespaceRegex:
        append(options.namespace_regex, optarg);
        break;
      case kFieldsBy: {
        const std::string who = optarg;
        if (who == "auto") {
          options.fields_by = FieldsBy::kAuto;
        } else if (who == "agent") {
          options.fields_by = FieldsBy::kAgent;
        } else if (who == "tetrars") {
          options.fields_by = FieldsBy::kTetrars;
        } else {
          return UsageError("invalid --fields-by '" + who + "'", "use auto, agent or tetrars");
        }
        break;
      }
      case kHost:
        host = true;
        break;
      case kPolicyNames:
        append(options.policy_names, optarg);
        break;
      case kMatch:
        match_texts.push_back(optarg);
        break;
      case kNoPushdown:
        options.pushdown = false;
        break;
      case kCelExpression:
        options.cel_expressions.push_back(optarg);  // CEL has commas: one expression per flag
        break;
      case kAllFields:
        options.all_fields = true;
        break;
      case kOnce:
        options.once = true;
        break;
      case kMaxMessageSize: {
        const auto value = ParseByteCount(optarg, false);
        if (!value) {
          return UsageError(std::string("invalid --max-message-size '") + optarg + "'",
                            "give a number of bytes from 1024 to 2147483648");
        }
        options.max_message_size = *value;
        break;
      }
      case 'o': {
        const std::string format = optarg;
        if (format == "json") {
          options.output = OutputFormat::kJson;
        } else if (format == "compact") {
          options.output = OutputFormat::kCompact;
        } else if (format == "journal") {
          options.output = OutputFormat::kJournal;
        } else {
          return UsageError("invalid --output '" + format + "'", "use json, compact or journal");
        }
        break;
      }
      case kMaxLineBytes:
        max_line_bytes = ParseByteCount(optarg, true);
        if (!max_line_bytes) {
          return UsageError(std::string("invalid --max-line-bytes '") + optarg + "'",
                            "give a number of bytes from 1024 to 2147483648, or 0 for no limit");
        }
        break;
      case kTimestamps:
        options.timestamps = true;
        break;
      case kResolveUsers:
        options.resolve_users = true;
        break;
      case kReconnectMax: {
        const auto ms = ParseDurationMs(optarg);
        if (!ms || *ms < 100 || *ms > 3600000) {
          return UsageError(std::string("invalid --reconnect-max '") + optarg + "'",
                            "give a duration with its unit (ms, s, m or h) from 100ms to 1h, "
                            "such as 5s or 30s");
        }
        options.reconnect_max_ms = *ms;
        break;
      }
      case kKeepalive: {
        const auto ms = ParseDurationMs(optarg);
        if (!ms || (*ms != 0 && (*ms < 1000 || *ms > 3600000))) {
          return UsageError(std::string("invalid --keepalive '") + optarg + "'",
                            "give a duration with its unit (ms, s, m or h) from 1s to 1h, such "
                            "as 30s, or 0 to turn it off");
        }
        options.keepalive_ms = *ms;
        break;
      }
      case kMaxDelay: {
        const auto ms = ParseDurationMs(optarg);
        if (!ms || *ms > 1000) {
          return UsageError(std::string("invalid --max-delay '") + optarg + "'",
                            "give a duration with its unit (ms or s) from 0 to 1s, such as 10ms");
        }
        options.max_delay_ms = *ms;
        break;
      }
      case kSbom: {
        std::string error;
        const auto sbom = ReadEmbeddedSbom("/proc/self/exe", &error);
        if (!sbom) {
          return {
              std::nullopt, 1,
              "tetrars: cannot read the embedded SBOM: " + error + ": rebuild with make build\n"};
        }
        return {std::nullopt, 0, *sbom};
      }
      case kVersion:
        return {std::nullopt, 0, std::string("tetrars ") + TETRARS_VERSION + "\n"};
      case 'h':
        return {std::nullopt, 0, HelpText()};
      case ':':
        return UsageError(std::string("option ") + argv[optind - 1] + " needs a value",
                          "see tetrars --help");
      default:
        return UsageError(std::string("unknown option ") + argv[optind - 1], "see tetrars --help");
    }
  }
  if (optind < argc) {
    return UsageError(std::string("unexpected argument '") + argv[optind] + "'",
                      "tetrars takes only options; see tetrars --help");
  }

  // journald takes entries of any size: no limit there unless asked for.
  options.max_line_bytes =
      max_line_bytes.value_or(options.output == OutputFormat::kJournal ? 0 : kDefaultMaxLineBytes);
  if (options.timestamps && options.output != OutputFormat::kCompact) {
    return UsageError("--timestamps applies to -o compact",
                      "use it with -o compact (JSON lines carry the event's \"time\")");
  }
  if (options.resolve_users && options.output == OutputFormat::kCompact) {
    return UsageError("--resolve-users adds names to JSON lines",
                      "use it with -o json or -o journal");
  }

  if (host) options.namespaces.push_back("");  // host processes have no pod namespace
  // The agent compiles these with RE2; a bad one would fail the stream.
  for (const auto& [flag, patterns] :
       {std::pair{"--process", &options.binary_regex}, std::pair{"--pod", &options.pod_regex},
        std::pair{"--containers", &options.container_regex},
        std::pair{"--namespace-regex", &options.namespace_regex}}) {
    for (const std::string& pattern : *patterns) {
      const re2::RE2 re(pattern, re2::RE2::Quiet);
      if (!re.ok()) {
        return UsageError(
            "invalid regular expression '" + pattern + "' in " + flag + ": " + re.error(),
            "use RE2 syntax (https://github.com/google/re2/wiki/Syntax)");
      }
    }
  }
  for (const std::string& expression : options.cel_expressions) {
    if (expression.find_first_not_of(" \t") == std::string::npos) {
      return UsageError("empty --cel-expression", "give a CEL expression over the event");
    }
  }

  std::string error;
  // Like tetra: without --server-address, the agent's info file says where it listens.
  if (!server_address) {
    const char* info = std::getenv("TETRARS_TETRAGON_INFO");
    const std::string info_file = info != nullptr ? info : kTetragonInfoFile;
    if (auto from_file = ServerAddressFromInfoFile(info_file, &error)) {
      server_address = *from_file;
    } else if (!error.empty()) {
      return UsageError(error, "fix or remove " + info_file + ", or pass --server-address");
    }
  }
  auto address = ParseAddress(server_address.value_or(kDefaultServerAddress), &error);
  if (!address) return {std::nullopt, 2, "tetrars: " + error + "\n"};
  options.address = *address;

  auto auid = AuidFilter::Parse(auid_spec, &error);
  if (!auid) return {std::nullopt, 2, "tetrars: " + error + "\n"};
  options.auid = *auid;

  for (const std::string& item : SplitList(event_types.value_or("PROCESS_EXEC"))) {
    const std::optional<EventKind> parsed = ParseEventType(Upper(item));
    if (!parsed) {
      return UsageError("unknown event type '" + item + "'", "use " + SupportedTypeNames());
    }
    const EventKind type = *parsed;
    if (std::find(options.event_types.begin(), options.event_types.end(), type) ==
        options.event_types.end()) {
      options.event_types.push_back(type);
    }
  }

  if (options.all_fields && include_fields) {
    return UsageError("--all-fields and --include-fields exclude each other", "give one of them");
  }
  if (auto error = CheckAuidReachable(options)) return *error;
  if (auto error = CheckPolicyNamesReachable(options)) return *error;
  if (!options.all_fields) {
    if (include_fields) {
      options.include_fields = SplitList(*include_fields);
    } else {
      // Our own default list: the pipeline's paths that the selected types
      // have (TEST events have no process.pid), and the parent's auid when the
      // rule reads it. None left: the agent sends every field.
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
  }
  if (exclude_fields) options.exclude_fields = SplitList(*exclude_fields);
  // --match reads fields: they must reach tetrars.
  const auto covers = [](const std::vector<std::string>& paths, const std::string& path) {
    return std::any_of(paths.begin(), paths.end(), [&path](const std::string& p) {
      return path == p || path.rfind(p + ".", 0) == 0;
    });
  };
  for (const std::string& text : match_texts) {
    std::string why;
    auto predicate = Predicate::Parse(text, options.event_types, &why);
    if (!predicate) return UsageError(why, "see --match in tetrars --help");
    const std::string& path = predicate->path();
    if (!options.all_fields && !covers(options.include_fields, path)) {
      if (include_fields) {
        return UsageError("--match reads " + path + ", which --include-fields leaves out",
                          "add " + path + " to --include-fields");
      }
      options.include_fields.push_back(path);  // our default list: ask for it too
    }
    if (covers(options.exclude_fields, path)) {
      return UsageError("--match reads " + path + ", which --exclude-fields removes",
                        "keep " + path + " in the events");
    }
    options.matches.push_back(std::move(*predicate));
  }
  // Check every path against the schema: the agent would answer a typo with
  // empty objects, and a malformed path with a failed stream.
  for (const auto& [flag, paths] : {std::pair{"--include-fields", &options.include_fields},
                                    std::pair{"--exclude-fields", &options.exclude_fields}}) {
    for (const std::string& path : *paths) {
      if (!ValidPathSyntax(path)) {
        return UsageError("invalid field path '" + path + "' in " + flag,
                          "use snake_case names joined by dots, such as process.binary");
      }
      std::string closest;
      if (!FieldPathExists(path, options.event_types, &closest)) {
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
    }
  }
  // The auid the rule reads must reach tetrars.
  std::vector<std::string> needed;
  if (options.auid.enabled() && options.auid_of != AuidOf::kParent) needed.push_back("process");
  if (options.auid.enabled() && options.auid_of != AuidOf::kProcess) needed.push_back("parent");
  for (const std::string& who : needed) {
    const auto names = [&who](const std::vector<std::string>& paths) {
      return std::any_of(paths.begin(), paths.end(),
                         [&who](const std::string& p) { return p == who || p == who + ".auid"; });
    };
    if (!options.all_fields && !names(options.include_fields)) {
      return UsageError("--include-fields leaves out " + who + ".auid, which the --auid rule needs",
                        "add " + who + ".auid to the list, or pass --auid any");
    }
    if (names(options.exclude_fields)) {
      return UsageError("--exclude-fields removes " + who + ".auid, which the --auid rule needs",
                        "keep " + who + ".auid, or pass --auid any");
    }
  }
  return {std::move(options), 0, ""};
}

}  // namespace tetrars
