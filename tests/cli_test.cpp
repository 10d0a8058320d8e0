#include "cli/cli.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>

#include "cli/info_file.h"
#include "cli/option_table.h"
#include "cli/option_values.h"
#include "tetragon/events.pb.h"

namespace {

tetrars::CommandLine ParseArgs(std::vector<std::string> args) {
  args.insert(args.begin(), "tetrars");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return tetrars::ParseCommandLine(int(argv.size()), argv.data());
}

TEST(Cli, NoArgumentsIsTheReplacedPipeline) {
  const auto cl = ParseArgs({});
  ASSERT_TRUE(cl.options) << cl.text;
  const auto& o = *cl.options;
  EXPECT_TRUE(o.address.is_unix);
  EXPECT_EQ(o.address.path, "/var/run/tetragon/tetragon.sock");
  EXPECT_TRUE(o.auid.enabled());
  EXPECT_TRUE(o.auid.Matches(1000));
  EXPECT_FALSE(o.auid.Matches(4294967295u));
  EXPECT_EQ(o.event_types, std::vector<tetrars::EventKind>{tetragon::PROCESS_EXEC});
  EXPECT_EQ(o.include_fields,
            (std::vector<std::string>{"process.pid", "process.uid", "process.auid", "process.cwd",
                                      "process.binary", "process.arguments",
                                      "process.process_credentials", "process.binary_properties",
                                      "parent.pid", "parent.binary", "parent.cwd"}));
  EXPECT_FALSE(o.all_fields);
  EXPECT_FALSE(o.once);
  EXPECT_EQ(o.max_message_size, 16u * 1024 * 1024);
  EXPECT_EQ(o.output, tetrars::OutputFormat::kJson);
  EXPECT_EQ(o.max_line_bytes, 48000u) << "below journald's 48 KiB LineMax";
  EXPECT_FALSE(o.timestamps);
  EXPECT_FALSE(o.resolve_users);
}

TEST(Cli, AgentFacingFlagsOfIssue14) {
  auto cl = ParseArgs({});
  ASSERT_TRUE(cl.options) << cl.text;
  EXPECT_EQ(cl.options->keepalive_ms, 5 * 60 * 1000);  // grpc-go's enforcement minimum
  EXPECT_EQ(cl.options->fields_by, tetrars::FieldsBy::kAuto);
  EXPECT_TRUE(cl.options->container_regex.empty());
  cl = ParseArgs({"--containers", "^nginx$,^envoy$", "--containers", "db", "--namespace-regex",
                  "^team-", "--fields-by", "tetrars"});
  ASSERT_TRUE(cl.options) << cl.text;
  EXPECT_EQ(cl.options->container_regex, (std::vector<std::string>{"^nginx$", "^envoy$", "db"}));
  EXPECT_EQ(cl.options->namespace_regex, (std::vector<std::string>{"^team-"}));
  EXPECT_EQ(cl.options->fields_by, tetrars::FieldsBy::kTetrars);
  cl = ParseArgs({"--fields-by", "agent"});
  ASSERT_TRUE(cl.options) << cl.text;
  EXPECT_EQ(cl.options->fields_by, tetrars::FieldsBy::kAgent);
  // tetra's other spellings of the renamed list flags, which scripts carry.
  cl = ParseArgs({"--pods", "web", "--processes", "ssh", "--namespaces", "prod"});
  ASSERT_TRUE(cl.options) << cl.text;
  EXPECT_EQ(cl.options->pod_regex, (std::vector<std::string>{"web"}));
  EXPECT_EQ(cl.options->binary_regex, (std::vector<std::string>{"ssh"}));
  EXPECT_EQ(cl.options->namespaces, (std::vector<std::string>{"prod"}));
}

TEST(Cli, OutputFormatsAndTheirLineLimits) {
  auto cl = ParseArgs({"-o", "journal"});
  ASSERT_TRUE(cl.options) << cl.text;
  EXPECT_EQ(cl.options->output, tetrars::OutputFormat::kJournal);
  EXPECT_EQ(cl.options->max_line_bytes, 0u) << "journald takes entries of any size";
  cl = ParseArgs({"--output=journal", "--max-line-bytes", "65536", "--resolve-users"});
  ASSERT_TRUE(cl.options) << cl.text;
  EXPECT_EQ(cl.options->max_line_bytes, 65536u);
  EXPECT_TRUE(cl.options->resolve_users);
  cl = ParseArgs({"-o", "compact", "--timestamps"});
  ASSERT_TRUE(cl.options) << cl.text;
  EXPECT_EQ(cl.options->output, tetrars::OutputFormat::kCompact);
  EXPECT_EQ(cl.options->max_line_bytes, 48000u);
  EXPECT_TRUE(cl.options->timestamps);
  cl = ParseArgs({"--max-line-bytes", "0"});
  ASSERT_TRUE(cl.options) << cl.text;
  EXPECT_EQ(cl.options->max_line_bytes, 0u);
}

TEST(Cli, FlagsInBothSpellings) {
  const auto cl =
      ParseArgs({"--server-address=localhost:54321", "--auid", "any", "-e",
                 "process_exit,PROCESS_EXEC,PROCESS_EXIT", "--include-fields=process.pid", "--once",
                 "--max-message-size", "4096"});
  ASSERT_TRUE(cl.options) << cl.text;
  EXPECT_FALSE(cl.options->address.is_unix);
  EXPECT_FALSE(cl.options->auid.enabled());
  EXPECT_EQ(cl.options->event_types,
            (std::vector<tetrars::EventKind>{tetragon::PROCESS_EXIT, tetragon::PROCESS_EXEC}));
  EXPECT_EQ(cl.options->include_fields, std::vector<std::string>{"process.pid"});
  EXPECT_TRUE(cl.options->once);
  EXPECT_EQ(cl.options->max_message_size, 4096u);
}

TEST(Cli, FieldPathsOfAnySelectedTypeAreAccepted) {
  // signal exists in ProcessExit only; nested paths go through messages.
  const auto cl = ParseArgs({"-e", "PROCESS_EXEC,PROCESS_EXIT", "-f",
                             "process.auid,signal,process.process_credentials.user_ns.ns.inum,"
                             "process.pod.container.image.name,ancestors.binary",
                             "-F", "process.pod.pod_labels"});
  ASSERT_TRUE(cl.options) << cl.text;
  EXPECT_EQ(cl.options->exclude_fields, std::vector<std::string>{"process.pod.pod_labels"});
}

TEST(Cli, AuidOfParentAsksForTheParentsAuid) {
  auto cl = ParseArgs({"--auid-of", "parent"});
  ASSERT_TRUE(cl.options) << cl.text;
  EXPECT_EQ(cl.options->auid_of, tetrars::AuidOf::kParent);
  EXPECT_EQ(cl.options->include_fields.back(), "parent.auid");
  cl = ParseArgs({"--auid-of", "either", "-f", "process.auid,parent.pid"});
  EXPECT_FALSE(cl.options);
  EXPECT_EQ(cl.text,
            "tetrars: --include-fields leaves out parent.auid, which the --auid rule needs: add "
            "parent.auid to the list, or pass --auid any\n");
  cl = ParseArgs({"--auid-of", "grandparent"});
  EXPECT_EQ(cl.text, "tetrars: invalid --auid-of 'grandparent': use process, parent or either\n");
  cl = ParseArgs({"--auid-of", "parent", "-f", "parent"});
  EXPECT_TRUE(cl.options) << cl.text;  // the parent's auid only: process.auid not needed
}

class InfoFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/tetrars-info-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    path_ = std::string(dir) + "/tetragon-info.json";
    setenv("TETRARS_TETRAGON_INFO", path_.c_str(), 1);
  }
  void TearDown() override {
    unsetenv("TETRARS_TETRAGON_INFO");
    std::remove(path_.c_str());
  }
  void Write(const std::string& text) { std::ofstream(path_) << text; }
  std::string path_;
};

TEST_F(InfoFile, TheAgentsServerAddressIsTheDefault) {
  Write(R"({"server_address":"localhost:54321","version":"v1.4.0"})");
  auto cl = ParseArgs({});
  ASSERT_TRUE(cl.options) << cl.text;
  EXPECT_EQ(cl.options->address.original, "localhost:54321");
  cl = ParseArgs({"--server-address", "unix:///run/t.sock"});  // the flag wins
  ASSERT_TRUE(cl.options) << cl.text;
  EXPECT_EQ(cl.options->address.path, "/run/t.sock");
}

TEST_F(InfoFile, NoFileMeansTheUnixSocket) {
  auto cl = ParseArgs({});
  ASSERT_TRUE(cl.options) << cl.text;
  EXPECT_EQ(cl.options->address.path, "/var/run/tetragon/tetragon.sock");
}

TEST_F(InfoFile, ABadFileIsAnErrorNotAGuess) {
  Write("{not json");
  auto cl = ParseArgs({});
  EXPECT_EQ(cl.exit_code, 2);
  EXPECT_EQ(cl.text, "tetrars: cannot read " + path_ + " as JSON: fix or remove " + path_ +
                         ", or pass --server-address\n");
  Write(R"({"version":"v1.4.0"})");
  cl = ParseArgs({});
  EXPECT_EQ(cl.text, "tetrars: " + path_ + " has no server_address: fix or remove " + path_ +
                         ", or pass --server-address\n");
  Write(R"({"server_address":"nonsense"})");
  cl = ParseArgs({});
  EXPECT_EQ(cl.text.rfind("tetrars: invalid --server-address 'nonsense': missing :port", 0), 0u);
}

// Issue 21.4: the agent writes its info file; its server_address is printed
// in every connection line, so one that would forge a line is refused, quoted.
TEST_F(InfoFile, AnAddressThatWouldForgeALineIsRefused) {
  Write(R"({"server_address":"unix:///run/t.sock\ntetrars: forged \u001b[31m"})");
  auto cl = ParseArgs({});
  EXPECT_EQ(cl.exit_code, 2);
  EXPECT_EQ(cl.text,
            "tetrars: invalid --server-address 'unix:///run/t.sock\\ntetrars: forged \\x1b[31m': "
            "it holds control characters or bytes that are not UTF-8: use unix:///path/to/socket "
            "or host:port\n");
  cl = ParseArgs({"--server-address", "localhost:1\xff"});
  EXPECT_EQ(cl.text.rfind("tetrars: invalid --server-address 'localhost:1\\xff': it holds", 0), 0u)
      << cl.text;
}

TEST_F(InfoFile, OnlyASmallRegularFileIsRead) {
  // A directory, an endless device, a FIFO nobody writes, a file too large:
  // each a one-line usage error, none read whole, none waited for.
  ASSERT_EQ(mkfifo((path_ + ".fifo").c_str(), 0600), 0);
  Write(std::string(tetrars::kMaxInfoFileBytes + 1, ' '));
  const std::pair<std::string, std::string> cases[] = {
      {"/tmp", "/tmp is not a regular file"},
      {"/dev/zero", "/dev/zero is not a regular file"},
      {path_ + ".fifo", path_ + ".fifo is not a regular file"},
      {path_, path_ + " has 65537 bytes, more than the 65536 an agent info file can have"},
  };
  for (const auto& [file, what] : cases) {
    setenv("TETRARS_TETRAGON_INFO", file.c_str(), 1);
    const auto cl = ParseArgs({});
    EXPECT_EQ(cl.exit_code, 2) << file;
    EXPECT_EQ(cl.text,
              "tetrars: " + what + ": fix or remove " + file + ", or pass --server-address\n");
  }
  std::remove((path_ + ".fifo").c_str());
  // Just below the bound, with the address in it: read and used.
  Write(R"({"server_address":"localhost:1"})" + std::string(tetrars::kMaxInfoFileBytes - 40, ' '));
  setenv("TETRARS_TETRAGON_INFO", path_.c_str(), 1);
  const auto cl = ParseArgs({});
  ASSERT_TRUE(cl.options) << cl.text;
  EXPECT_EQ(cl.options->address.original, "localhost:1");
}

TEST(Cli, DurationsTakeTheirUnitUpToAnHour) {
  EXPECT_EQ(tetrars::ParseDurationMs("1h"), 3600000);
  EXPECT_EQ(tetrars::ParseDurationMs("250ms"), 250);
  EXPECT_EQ(tetrars::ParseDurationMs("0"), 0);
  EXPECT_EQ(tetrars::ParseDurationMs("100"), std::nullopt);  // was 100 s, silently
  EXPECT_EQ(tetrars::ParseDurationMs("5x"), std::nullopt);
  auto cl = ParseArgs({"--reconnect-max", "1h", "--keepalive", "1h"});
  ASSERT_TRUE(cl.options) << cl.text;
  EXPECT_EQ(cl.options->reconnect_max_ms, 3600000);
  EXPECT_EQ(cl.options->keepalive_ms, 3600000);
}

TEST(Cli, ListFlagsGivenTwiceMeanBothLists) {
  auto cl = ParseArgs({"--auid", "1000", "--auid", "2000-2999", "-e", "PROCESS_EXEC", "-e",
                       "PROCESS_EXIT", "-f", "process.auid", "-f", "process.binary", "-F",
                       "process.cwd", "-F", "parent.cwd"});
  ASSERT_TRUE(cl.options) << cl.text;
  EXPECT_TRUE(cl.options->auid.Matches(1000));
  EXPECT_TRUE(cl.options->auid.Matches(2500));
  EXPECT_FALSE(cl.options->auid.Matches(1001));
  EXPECT_EQ(cl.options->event_types,
            (std::vector<tetrars::EventKind>{tetragon::PROCESS_EXEC, tetragon::PROCESS_EXIT}));
  EXPECT_EQ(cl.options->include_fields,
            (std::vector<std::string>{"process.auid", "process.binary"}));
  EXPECT_EQ(cl.options->exclude_fields, (std::vector<std::string>{"process.cwd", "parent.cwd"}));
}

TEST(Cli, DefaultFieldsAreThoseTheSelectedTypesHave) {
  // TEST events have no process: the pipeline's list does not apply to
  // them, and no path of it is blamed on an --include-fields never given.
  auto cl = ParseArgs({"-e", "TEST", "--auid", "any"});
  ASSERT_TRUE(cl.options) << cl.text;
  EXPECT_TRUE(cl.options->all_fields);
  // PROCESS_THROTTLE has no process either; PROCESS_EXEC keeps the list.
  cl = ParseArgs({"-e", "PROCESS_EXEC,PROCESS_THROTTLE", "--auid", "any"});
  ASSERT_TRUE(cl.options) << cl.text;
  EXPECT_EQ(cl.options->include_fields, tetrars::DefaultIncludeFields());
}

TEST(Cli, HelpFitsEightyColumns) {
  const std::string help = tetrars::HelpText();
  size_t start = 0;
  int lines = 0;
  while (start < help.size()) {
    const size_t end = help.find('\n', start);
    const std::string line = help.substr(start, end - start);
    EXPECT_LE(line.size(), 80u) << line;  // the help is ASCII: bytes are columns
    for (unsigned char c : line) EXPECT_LT(c, 0x80) << line;
    start = end + 1;
    ++lines;
  }
  EXPECT_GT(lines, 100);
}

TEST(Cli, MatchFieldsMustReachTetrars) {
  auto cl = ParseArgs({"--match", "process.flags =~ clone"});
  ASSERT_TRUE(cl.options) << cl.text;
  EXPECT_EQ(cl.options->include_fields.back(), "process.flags");  // added to our default list
  cl = ParseArgs({"-f", "process.auid", "--match", "process.flags =~ clone"});
  EXPECT_EQ(cl.text,
            "tetrars: --include-fields leaves out process.flags, which --match needs: add "
            "process.flags to the list\n");
  cl = ParseArgs({"-f", "process", "--match", "process.flags =~ clone"});
  EXPECT_TRUE(cl.options) << cl.text;
  cl = ParseArgs({"-F", "process.cwd", "--match", "process.cwd == /"});
  EXPECT_EQ(cl.text,
            "tetrars: --exclude-fields removes process.cwd, which --match needs: keep "
            "process.cwd\n");
  cl = ParseArgs({"--match", "process.uid"});
  EXPECT_EQ(cl.exit_code, 2);
}

// Issue 21.5: an unknown short option inside a group was named as the word
// before the group ("unknown option --once").
TEST(Cli, AnUnknownShortOptionInAGroupIsNamed) {
  auto cl = ParseArgs({"--once", "-qz"});
  EXPECT_EQ(cl.exit_code, 2);
  EXPECT_EQ(cl.text, "tetrars: unknown option -q: see tetrars --help\n");
  cl = ParseArgs({"--once", "-e"});
  EXPECT_EQ(cl.text, "tetrars: option -e needs a value: see tetrars --help\n");
  cl = ParseArgs({"--once", "--include-fields"});
  EXPECT_EQ(cl.text, "tetrars: option --include-fields needs a value: see tetrars --help\n");
  cl = ParseArgs({"--once", "--bogus"});
  EXPECT_EQ(cl.text, "tetrars: unknown option --bogus: see tetrars --help\n");
}

// Issue 21.5: '--auid any --auid 1000' said "'any' is not a uid ... or 'any'".
// 'any' beside auids is refused: the union would print everyone's events, the
// last flag only these auids, and a daemon must not guess which was meant.
TEST(Cli, AuidAnyBesideAuidsIsRefusedWithoutContradiction) {
  auto cl = ParseArgs({"--auid", "any", "--auid", "1000"});
  EXPECT_EQ(cl.exit_code, 2);
  EXPECT_EQ(cl.text,
            "tetrars: --auid any and --auid 1000 contradict each other ('any' is every user's "
            "events): give --auid any alone, or only the auids to print\n");
  cl = ParseArgs({"--auid", "1000", "--auid", "2000", "--auid", "any"});
  EXPECT_EQ(cl.text.rfind("tetrars: --auid 1000,2000 and --auid any contradict each other", 0), 0u)
      << cl.text;
  cl = ParseArgs({"--auid", "any,1000"});
  EXPECT_EQ(cl.exit_code, 2);
  EXPECT_EQ(cl.text.rfind("tetrars: invalid --auid 'any,1000': 'any' (every user's events) cannot "
                          "be combined with auids: ",
                          0),
            0u)
      << cl.text;
  cl = ParseArgs({"--auid", "any", "--auid", "any"});
  ASSERT_TRUE(cl.options) << cl.text;
  EXPECT_FALSE(cl.options->auid.enabled());
  cl = ParseArgs({"--auid", "1000", "--auid", "2000-2001"});
  ASSERT_TRUE(cl.options) << cl.text;
  EXPECT_TRUE(cl.options->auid.Matches(1000));
  EXPECT_TRUE(cl.options->auid.Matches(2001));
  EXPECT_FALSE(cl.options->auid.Matches(1001));
}

// Issue 21.3: a -F path below the field a rule reads removed its value (the
// rule then read 0 for every event, or matched on a value the agent had
// removed), and a -F path above it was named as the field itself.
TEST(Cli, FieldPathsAtAboveOrBelowWhatARuleReadsAreChecked) {
  const std::pair<std::vector<std::string>, const char*> refused[] = {
      {{"-F", "process.auid.value"},
       "tetrars: --exclude-fields removes process.auid.value, part of process.auid, which the "
       "--auid rule needs: keep process.auid whole, or pass --auid any\n"},
      {{"--match", "process.uid == 0", "-F", "process.uid.value"},
       "tetrars: --exclude-fields removes process.uid.value, part of process.uid, which --match "
       "needs: keep process.uid whole\n"},
      {{"--auid-of", "parent", "-F", "parent.auid.value"},
       "tetrars: --exclude-fields removes parent.auid.value, part of parent.auid, which the "
       "--auid rule needs: keep parent.auid whole, or pass --auid any\n"},
      {{"--auid-of", "either", "-F", "parent.auid.value"},
       "tetrars: --exclude-fields removes parent.auid.value, part of parent.auid"},
      {{"--auid-of", "either", "-f", "process.auid,parent.binary"},
       "tetrars: --include-fields leaves out parent.auid, which the --auid rule needs"},
      {{"--auid-of", "parent", "-F", "parent"},
       "tetrars: --exclude-fields removes parent, and parent.auid with it, which the --auid rule "
       "needs: keep parent.auid whole, or pass --auid any\n"},
      {{"--all-fields", "-F", "process.auid.value"},
       "tetrars: --exclude-fields removes process.auid.value, part of process.auid"},
      {{"--auid", "any", "--match", "process.pod.name == web", "-F", "process.pod"},
       "tetrars: --exclude-fields removes process.pod, and process.pod.name with it, which "
       "--match needs: keep process.pod.name whole\n"},
  };
  for (const auto& [args, message] : refused) {
    const auto cl = ParseArgs(args);
    EXPECT_FALSE(cl.options) << message;
    EXPECT_EQ(cl.exit_code, 2) << message;
    EXPECT_EQ(cl.text.rfind(message, 0), 0u) << cl.text;
    EXPECT_EQ(cl.text.find('\n'), cl.text.size() - 1) << "one line: " << cl.text;
  }
  // What does not touch the field read, and a -f of a wrapper's value (all
  // there is below it), is accepted.
  const std::vector<std::string> accepted[] = {
      {"--auid", "any", "-F", "process.auid.value"},
      {"-f", "process.auid.value,process.binary"},
      {"--auid-of", "parent", "-F", "process.auid.value"},
      {"--auid", "any", "--match", "process.uid == 0", "-F", "process.pid.value"},
      {"--match", "process.uid == 0", "-f", "process.uid.value,process.auid"},
  };
  for (const auto& args : accepted) {
    const auto cl = ParseArgs(args);
    EXPECT_TRUE(cl.options) << cl.text;
  }
}

TEST(Cli, VersionAndHelpGoToStdoutWithExitZero) {
  auto cl = ParseArgs({"--version"});
  EXPECT_FALSE(cl.options);
  EXPECT_EQ(cl.exit_code, 0);
  EXPECT_EQ(cl.text.rfind("tetrars ", 0), 0u);
  cl = ParseArgs({"--help"});
  EXPECT_EQ(cl.exit_code, 0);
  for (const char* needle :
       {"--server-address", "--auid", "--event-types", "--include-fields", "--all-fields", "--once",
        "--max-message-size", "--version", "unix:///var/run/tetragon/tetragon.sock",
        "1000-4294967294", "getevents", "grep --line-buffered", "Exit status"}) {
    EXPECT_NE(cl.text.find(needle), std::string::npos) << needle;
  }
}

TEST(Cli, UsageErrorsExitTwoWithWhatAndWhatToDo) {
  const std::pair<std::vector<std::string>, const char*> cases[] = {
      {{"--bogus"}, "tetrars: unknown option --bogus: see tetrars --help"},
      {{"--auid"}, "tetrars: option --auid needs a value: see tetrars --help"},
      {{"stray"}, "tetrars: unexpected argument 'stray': tetrars takes only options"},
      {{"--server-address", "localhost"},
       "tetrars: invalid --server-address 'localhost': missing :port"},
      {{"--auid", "5-3"}, "tetrars: invalid --auid '5-3': range '5-3' ends before it starts"},
      {{"-e", "PROCESS_EXCE"},
       "tetrars: unknown event type 'PROCESS_EXCE': use PROCESS_EXEC, PROCESS_EXIT, "
       "PROCESS_KPROBE, PROCESS_TRACEPOINT, PROCESS_LOADER, PROCESS_UPROBE, PROCESS_THROTTLE, "
       "PROCESS_LSM, PROCESS_USDT, TEST, RATE_LIMIT_INFO\n"},
      {{"-e", "UNDEF"}, "tetrars: unknown event type 'UNDEF': use PROCESS_EXEC, PROCESS_EXIT"},
      {{"-f", "process..pid"},
       "tetrars: invalid field path 'process..pid' in --include-fields: use"},
      {{"-f", "Process.PID"}, "tetrars: invalid field path 'Process.PID'"},
      {{"-f", "process.pid"},
       "tetrars: --include-fields leaves out process.auid, which the --auid rule needs: add "
       "process.auid to the list, or pass --auid any"},
      {{"--all-fields", "-f", "process"},
       "tetrars: --all-fields and --include-fields exclude each other"},
      {{"--max-message-size", "12x"}, "tetrars: invalid --max-message-size '12x': give a number"},
      {{"-f", "process.bianry,process.auid"},
       "tetrars: unknown field path 'process.bianry' in --include-fields: did you mean "
       "process.binary?"},
      {{"-f", "process.auid,process.binary.name"},
       "tetrars: unknown field path 'process.binary.name' in --include-fields: did you mean "
       "process.binary?"},
      {{"-e", "PROCESS_EXEC", "-F", "signal"},
       "tetrars: field path 'signal' in --exclude-fields belongs to PROCESS_EXIT events: add "
       "PROCESS_EXIT to --event-types"},
      {{"-F", "process..cwd"}, "tetrars: invalid field path 'process..cwd' in --exclude-fields"},
      {{"--process", "^/usr/bin/(ls"},
       "tetrars: invalid regular expression '^/usr/bin/(ls' in --process: missing ): "
       "^/usr/bin/(ls: use RE2 syntax"},
      {{"--pod", "web-\\"}, "tetrars: invalid regular expression 'web-\\' in --pod: trailing \\"},
      {{"--cel-expression", " "}, "tetrars: empty --cel-expression: give a CEL expression"},
      // Issue 14: the newest filters are RE2 like --pod; who removes fields.
      {{"--containers", "nginx("},
       "tetrars: invalid regular expression 'nginx(' in --containers: missing ): nginx(: use RE2 "
       "syntax"},
      {{"--namespace-regex", "team-["},
       "tetrars: invalid regular expression 'team-[' in --namespace-regex: missing ]: [: use "
       "RE2 syntax"},
      {{"--fields-by", "kernel"},
       "tetrars: invalid --fields-by 'kernel': use auto, agent or tetrars\n"},
      {{"-o", "yaml"}, "tetrars: invalid --output 'yaml': use json, compact or journal"},
      {{"--max-line-bytes", "100"},
       "tetrars: invalid --max-line-bytes '100': give a number of bytes from 1024 to "
       "2147483648, or 0 for no limit"},
      {{"--max-line-bytes", "-1"}, "tetrars: invalid --max-line-bytes '-1'"},
      {{"--timestamps"}, "tetrars: --timestamps applies to -o compact: use it with -o compact"},
      {{"-o", "compact", "--resolve-users"},
       "tetrars: --resolve-users adds names to JSON lines: use it with -o json or -o journal"},
      {{"-F", "process.auid"},
       "tetrars: --exclude-fields removes process.auid, which the --auid rule needs: keep "
       "process.auid, or pass --auid any"},
      // Issue 11: what these said before was wrong or missing.
      {{"--reconnect-max", "100"},
       "tetrars: invalid --reconnect-max '100': give a duration with its unit (ms, s, m or h) "
       "from 100ms to 1h, such as 5s or 30s\n"},
      {{"--keepalive", "30"}, "tetrars: invalid --keepalive '30': give a duration with its unit"},
      {{"--reconnect-max", "2h"}, "tetrars: invalid --reconnect-max '2h'"},
      {{"-e", "TEST"},
       "tetrars: TEST events carry no process.auid, so the --auid rule would drop every one of "
       "them: pass --auid any to print them, or leave TEST out of --event-types\n"},
      {{"-e", "PROCESS_EXEC,PROCESS_THROTTLE"},
       "tetrars: PROCESS_THROTTLE events carry no process.auid"},
      {{"--auid-of", "parent", "-e", "PROCESS_LOADER,RATE_LIMIT_INFO"},
       "tetrars: RATE_LIMIT_INFO events carry no parent.auid"},
      {{"--policy-names", "file-monitoring"},
       "tetrars: --policy-names keeps only events of tracing policies, and none of the selected "
       "event types carries a policy name: add one of PROCESS_KPROBE, PROCESS_TRACEPOINT, "
       "PROCESS_UPROBE, PROCESS_LSM, PROCESS_USDT to --event-types\n"},
      {{"--server-address", "unix:///" + std::string(107, 'a')},
       "tetrars: invalid --server-address 'unix:///aaaa"},
  };
  for (const auto& [args, message] : cases) {
    const auto cl = ParseArgs(args);
    EXPECT_FALSE(cl.options) << message;
    EXPECT_EQ(cl.exit_code, 2) << message;
    EXPECT_EQ(cl.text.rfind(message, 0), 0u) << cl.text;
    EXPECT_EQ(cl.text.find('\n'), cl.text.size() - 1) << "one line: " << cl.text;
  }
}

}  // namespace

// The man page lists exactly the options of the table (option_table.h) that
// --help lists, with their short names: the table is the one definition.
TEST(ManPage, ListsExactlyTheOptionTable) {
  std::set<std::string> table;
  for (const tetrars::OptionSpec& spec : tetrars::OptionTable()) {
    if (spec.hidden) continue;
    table.insert("--" + spec.name);
    if (spec.short_name != 0) table.insert(std::string("-") + spec.short_name);
  }
  std::ifstream in(std::string(TETRARS_TEST_DATA) + "/../../docs/tetrars.1");
  ASSERT_TRUE(in) << "docs/tetrars.1";
  const std::string man((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t from = man.find(".SH OPTIONS");
  const std::string options = man.substr(from, man.find(".SH ", from + 1) - from);
  // Each option's entry: ".TP", then ".B" / ".BI" / ".BR" naming it, dashes
  // escaped: .BI \-e ", " \-\-event\-types " LIST"
  std::set<std::string> documented;
  const std::regex entry(R"(\n\.TP\n\.B[IR]? ([^\n]*))");
  const std::regex name(R"((\\-\\-[a-z\\-]+|\\-[a-zA-Z]\b))");
  for (std::sregex_iterator it(options.begin(), options.end(), entry), end; it != end; ++it) {
    const std::string line = (*it)[1];
    for (std::sregex_iterator n(line.begin(), line.end(), name); n != end; ++n) {
      documented.insert(std::regex_replace(std::string((*n)[1]), std::regex(R"(\\-)"), "-"));
    }
  }
  EXPECT_GE(table.size(), 35u);
  EXPECT_EQ(documented, table);
}
