#include "cli/option_table.h"

#include <cstdlib>

#include "cli/info_file.h"
#include "cli/option_values.h"
#include "cli/sbom.h"
#include "tetrars_version.h"

namespace tetrars {
namespace {

using Result = std::optional<CommandLine>;

// Adds the comma-separated items of `list` to `to` (tetra's list flags).
Result Append(std::vector<std::string>& to, const std::string& list) {
  for (std::string& item : SplitList(list)) to.push_back(std::move(item));
  return std::nullopt;
}

// A list flag given twice means both lists, as tetra's flags do.
Result AddToList(std::optional<std::string>& to, const std::string& list) {
  to = to ? *to + "," + list : list;
  return std::nullopt;
}

// A duration option: `text` must parse (ParseDurationMs) and lie in
// [min_ms, max_ms], or be 0 where `zero_is_off`.
Result Duration(const std::string& flag, const std::string& text, int min_ms, int max_ms,
                bool zero_is_off, const std::string& advice, int* into) {
  const auto ms = ParseDurationMs(text);
  if (!ms || (*ms == 0 ? !zero_is_off && min_ms > 0 : *ms < min_ms || *ms > max_ms)) {
    return UsageError("invalid " + flag + " '" + text + "'", advice);
  }
  *into = *ms;
  return std::nullopt;
}

// One of `choices` (the enum's spelling on the command line).
template <typename Enum>
Result Choice(const std::string& flag, const std::string& text,
              std::initializer_list<std::pair<const char*, Enum>> choices, Enum* into) {
  std::string names;
  for (const auto& [name, value] : choices) {
    if (text == name) {
      *into = value;
      return std::nullopt;
    }
    names += std::string(names.empty() ? "" : ", ") + name;
  }
  const size_t last = names.rfind(", ");
  if (last != std::string::npos) names.replace(last, 2, " or ");
  return UsageError("invalid " + flag + " '" + text + "'", "use " + names);
}

std::vector<OptionSpec> MakeTable() {
  constexpr const char* kDurationUnits = "give a duration with its unit (ms, s, m or h) from ";
  return {
      {"server-address", 0, "ADDR",
       "the agent's gRPC address: unix:///abs/path,\n"
       "unix:relative or host:port (default: the\n"
       "server_address of the agent's info file\n" +
           std::string(kTetragonInfoFile) + ",\nelse " + kDefaultServerAddress +
           ")\n"
           "example: --server-address localhost:54321",
       [](ParseState& s, const std::string& v) -> Result {
         s.server_address = v;
         return std::nullopt;
       },
       false, "Options:"},
      {"auid", 0, "SPEC",
       "audit login uids to print: values and ranges,\n"
       "comma-separated, or 'any' for every user's events\n"
       "(default " +
           std::string(AuidFilter::kDefaultSpec) +
           "; given twice: both)\n"
           "example: --auid 1000-59999,0",
       [](ParseState& s, const std::string& v) -> Result {
         // Repeated: the union, as for tetra's list flags. 'any' beside a
         // list is refused rather than guessed: read as the union it would
         // print every user's events, read as "the last one wins" only
         // these auids, and a daemon should not pick one in silence.
         if (s.auid_given && (v == "any") != (s.auid_spec == "any")) {
           return UsageError("--auid " + s.auid_spec + " and --auid " + v +
                                 " contradict each other ('any' is every user's events)",
                             "give --auid any alone, or only the auids to print");
         }
         if (s.auid_given && v == "any") return std::nullopt;
         s.auid_spec = s.auid_given ? s.auid_spec + "," + v : v;
         s.auid_given = true;
         return std::nullopt;
       }},
      {"auid-of", 0, "WHO",
       "whose auid the rule reads: process (the event's own,\n"
       "default), parent, or either (one of them passes)\n"
       "example: --auid-of either",
       [](ParseState& s, const std::string& v) {
         return Choice<AuidOf>("--auid-of", v,
                               {{"process", AuidOf::kProcess},
                                {"parent", AuidOf::kParent},
                                {"either", AuidOf::kEither}},
                               &s.options.auid_of);
       }},
      {"event-types", 'e', "LIST",
       "event types to request, comma-separated, of:\n" + WrapWords(SupportedTypeNames(), 54) +
           "(default PROCESS_EXEC); the auid is read from the\n"
           "event's process (process_exec.process, ...)\n"
           "example: -e PROCESS_EXEC,PROCESS_EXIT",
       [](ParseState& s, const std::string& v) { return AddToList(s.event_types, v); }},
      {"include-fields", 'f', "LIST",
       "fields the agent sends, comma-separated paths inside\n"
       "the event (default: the pipeline's list above, the\n"
       "paths the selected types have); must include\n"
       "process.auid unless --auid any; every path is checked\n"
       "example: -f process.binary,process.auid,parent.binary",
       [](ParseState& s, const std::string& v) { return AddToList(s.include_fields, v); }},
      {"exclude-fields", 'F', "LIST",
       "fields the agent leaves out, comma-separated paths;\n"
       "applied after --include-fields\n"
       "example: -F process.arguments,parent.cwd",
       [](ParseState& s, const std::string& v) { return AddToList(s.exclude_fields, v); }},
      {"all-fields", 0, "",
       "send no include filter: print every field of each\n"
       "event\n"
       "example: --all-fields -F process.arguments",
       [](ParseState& s, const std::string&) -> Result {
         s.options.all_fields = true;
         return std::nullopt;
       }},
      {"fields-by", 0, "WHO",
       "who removes the fields -f/-F leave out: auto (the\n"
       "agent, but tetrars itself for agents before v1.0.1,\n"
       "which strip them from the events their other\n"
       "clients get too), agent, or tetrars (default auto)\n"
       "example: --fields-by tetrars",
       [](ParseState& s, const std::string& v) {
         return Choice<FieldsBy>("--fields-by", v,
                                 {{"auto", FieldsBy::kAuto},
                                  {"agent", FieldsBy::kAgent},
                                  {"tetrars", FieldsBy::kTetrars}},
                                 &s.options.fields_by);
       }},
      {"namespace", 'n', "LIST",
       "events of pods in these Kubernetes namespaces\n"
       "example: -n kube-system,monitoring",
       [](ParseState& s, const std::string& v) { return Append(s.options.namespaces, v); }, false,
       "Server-side filters (as tetra sends them; the agent applies them):"},
      {"namespaces", 0, "LIST", "",
       [](ParseState& s, const std::string& v) { return Append(s.options.namespaces, v); }, true},
      {"host", 0, "",
       "events of host processes (not in a pod)\n"
       "example: --host -n prod (host or namespace prod)",
       [](ParseState& s, const std::string&) -> Result {
         s.host = true;
         return std::nullopt;
       }},
      {"process", 0, "REGEX,...",
       "events whose process binary matches (RE2)\n"
       "example: --process '^/usr/bin/(ssh|scp)$'",
       [](ParseState& s, const std::string& v) { return Append(s.options.binary_regex, v); }},
      {"processes", 0, "REGEX,...", "",
       [](ParseState& s, const std::string& v) { return Append(s.options.binary_regex, v); }, true},
      {"pod", 0, "REGEX,...",
       "events whose pod name matches (RE2)\n"
       "example: --pod '^web-'",
       [](ParseState& s, const std::string& v) { return Append(s.options.pod_regex, v); }},
      {"pods", 0, "REGEX,...", "",
       [](ParseState& s, const std::string& v) { return Append(s.options.pod_regex, v); }, true},
      {"containers", 0, "REGEX,...",
       "events whose container name matches (RE2; agents\n"
       ">= v1.6.0, older ones ignore it: tetrars says so)\n"
       "example: --containers '^nginx$'",
       [](ParseState& s, const std::string& v) { return Append(s.options.container_regex, v); }},
      {"namespace-regex", 0, "REGEX,...",
       "events whose pod namespace matches (RE2; agents\n"
       ">= v1.7.0, older ones ignore it: tetrars says so)\n"
       "example: --namespace-regex '^team-'",
       [](ParseState& s, const std::string& v) { return Append(s.options.namespace_regex, v); }},
      {"policy-names", 0, "LIST",
       "events of these tracing policies (event types that\n"
       "carry a policy name: PROCESS_KPROBE, ...)\n"
       "example: -e PROCESS_KPROBE --policy-names file-mon",
       [](ParseState& s, const std::string& v) { return Append(s.options.policy_names, v); }},
      {"cel-expression", 0, "EXPR",
       "events for which the CEL expression holds (agents\n"
       ">= v1.3.0; one expression per flag, they are ORed)\n"
       "example:\n"
       "--cel-expression 'process_exec.process.uid == 0u'",
       [](ParseState& s, const std::string& v) -> Result {
         if (v.find_first_not_of(" \t") == std::string::npos) {
           return UsageError("empty --cel-expression", "give a CEL expression over the event");
         }
         s.options.cel_expressions.push_back(v);  // CEL has commas: one expression per flag
         return std::nullopt;
       }},
      {"match", 0, "'PATH OP VALUE'",
       "keep only events where the field PATH (inside the\n"
       "event, such as process.uid) compares to VALUE; OP is\n"
       "== != < <= > >= =~ !~ (RE2); repeat: all must hold;\n"
       "an absent field matches only != and !~. Applied after\n"
       "the server-side filters and --auid. For instance:\n"
       "--match 'process.binary !~ ^/opt/datadog-agent/'\n"
       "--match 'process.uid == 0'   (humans running as root)",
       [](ParseState& s, const std::string& v) -> Result {
         s.match_texts.push_back(v);
         return std::nullopt;
       }},
      {"no-pushdown", 0, "",
       "do not send the --auid rule to the agent as a CEL\n"
       "expression (sent by default: agents >= v1.4.0 then\n"
       "drop non-human events before they cross the socket;\n"
       "older agents ignore it; tetrars checks every event)\n"
       "example: --no-pushdown (an agent that mishandles CEL)",
       [](ParseState& s, const std::string&) -> Result {
         s.options.pushdown = false;
         return std::nullopt;
       }},
      {"once", 0, "",
       "exit when the agent ends the stream (0 if it ended\n"
       "cleanly, 1 otherwise) instead of reconnecting\n"
       "example: tetrars --once --auid any > events.jsonl",
       [](ParseState& s, const std::string&) -> Result {
         s.options.once = true;
         return std::nullopt;
       }},
      {"max-message-size", 0, "N",
       "largest gRPC message accepted, in bytes\n"
       "(default 16777216)\n"
       "example: --max-message-size 67108864",
       [](ParseState& s, const std::string& v) -> Result {
         const auto value = ParseByteCount(v, false);
         if (!value) {
           return UsageError("invalid --max-message-size '" + v + "'",
                             "give a number of bytes from 1024 to 2147483648");
         }
         s.options.max_message_size = *value;
         return std::nullopt;
       }},
      {"reconnect-max", 0, "DURATION",
       "longest wait between reconnection attempts, with its\n"
       "unit (ms, s, m, h); waits start at 100ms and double,\n"
       "with jitter (default 5s)\n"
       "example: --reconnect-max 30s",
       [](ParseState& s, const std::string& v) {
         return Duration("--reconnect-max", v, 100, 3600000, false,
                         std::string(kDurationUnits) + "100ms to 1h, such as 5s or 30s",
                         &s.options.reconnect_max_ms);
       }},
      {"keepalive", 0, "DURATION",
       "over TCP, send an HTTP/2 PING after this long without\n"
       "data and drop the connection if the agent does not\n"
       "answer within 20s (or the interval, when shorter)\n"
       "(default 5m, 0 = off; Tetragon closes connections\n"
       "that PING more often than every 5m unless\n"
       "configured to allow it)\n"
       "example: --keepalive 10m",
       [](ParseState& s, const std::string& v) {
         return Duration("--keepalive", v, 1000, 3600000, true,
                         std::string(kDurationUnits) + "1s to 1h, such as 5m, or 0 to turn it off",
                         &s.options.keepalive_ms);
       }},
      {"max-delay", 0, "DURATION",
       "under load (events less than this long apart, 5ms\n"
       "to 50ms), let events gather for up to this long, so\n"
       "that one wake-up, one read and one write carry many;\n"
       "a lone event is still written at once (default 50ms,\n"
       "0 = every event at once)\n"
       "example: --max-delay 0 (lowest latency, more CPU)",
       [](ParseState& s, const std::string& v) {
         return Duration("--max-delay", v, 0, 1000, true,
                         "give a duration with its unit (ms or s) from 0 to 1s, such as 10ms",
                         &s.options.max_delay_ms);
       }},
      {"output", 'o', "FORMAT",
       "json (default): tetra's JSON lines on stdout;\n"
       "compact: one human line per event, as tetra -o\n"
       "compact; journal: native journald entries (MESSAGE=\n"
       "the JSON line, TETRAGON_AUID=, TETRAGON_BINARY=, ...)\n"
       "example: -o journal, then journalctl TETRAGON_AUID=1000",
       [](ParseState& s, const std::string& v) {
         return Choice<OutputFormat>("--output", v,
                                     {{"json", OutputFormat::kJson},
                                      {"compact", OutputFormat::kCompact},
                                      {"journal", OutputFormat::kJournal}},
                                     &s.options.output);
       },
       false, "Output:"},
      {"max-line-bytes", 0, "N",
       "no line longer than N bytes: the longest strings are\n"
       "cut first, marked \"...[truncated N bytes]\", and the\n"
       "line gets \"tetrars\":{\"truncated\":true} (default\n"
       "48000, below journald's 48 KiB LineMax; -o journal:\n"
       "0 = no limit)\n"
       "example: --max-line-bytes 8192 (syslog over UDP)",
       [](ParseState& s, const std::string& v) -> Result {
         s.max_line_bytes = ParseByteCount(v, true);
         if (!s.max_line_bytes) {
           return UsageError("invalid --max-line-bytes '" + v + "'",
                             "give a number of bytes from 1024 to 2147483648, or 0 for no limit");
         }
         return std::nullopt;
       }},
      {"timestamps", 0, "",
       "-o compact: start each line with the event's time\n"
       "example: -o compact --timestamps",
       [](ParseState& s, const std::string&) -> Result {
         s.options.timestamps = true;
         return std::nullopt;
       }},
      {"resolve-users", 0, "",
       "add the user names of the auid and uid (and the\n"
       "parent's) from the host's user database:\n"
       "\"tetrars\":{\"auid_user\":\"alice\",\"uid_user\":\"root\"};\n"
       "a lookup slower than 5ms is skipped for that event\n"
       "example: --resolve-users -o journal",
       [](ParseState& s, const std::string&) -> Result {
         s.options.resolve_users = true;
         return std::nullopt;
       }},
      {"sbom", 0, "",
       "print the embedded SBOM (CycloneDX 1.5 JSON) and exit\n"
       "example: tetrars --sbom | jq '.components[].name'",
       [](ParseState&, const std::string&) -> Result {
         std::string error;
         const auto sbom = ReadEmbeddedSbom("/proc/self/exe", &error);
         if (!sbom) {
           return CommandLine{
               std::nullopt, 1,
               "tetrars: cannot read the embedded SBOM: " + error + ": rebuild with make build\n"};
         }
         return CommandLine{std::nullopt, 0, *sbom};
       },
       false, "Other:"},
      {"version", 0, "", "print the version and exit",
       [](ParseState&, const std::string&) -> Result {
         return CommandLine{std::nullopt, 0, std::string("tetrars ") + TETRARS_VERSION + "\n"};
       }},
      {"help", 'h', "", "print this help and exit",
       [](ParseState&, const std::string&) -> Result {
         return CommandLine{std::nullopt, 0, HelpText()};
       }},
  };
}

}  // namespace

CommandLine UsageError(const std::string& what, const std::string& todo) {
  return {std::nullopt, 2, "tetrars: " + what + ": " + todo + "\n"};
}

std::string SupportedTypeNames() {
  std::string names;
  for (auto type : SupportedEventTypes()) {
    if (!names.empty()) names += ", ";
    names += EventTypeName(type);
  }
  return names;
}

std::vector<OptionSpec> OptionTable() {
  return MakeTable();
}

}  // namespace tetrars
