// The request must be the one the replaced tetra command sends (the corpus
// README shows it in text format).
#include "cli/request.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include "cli/cli.h"
#include "tetragon/events.pb.h"

namespace {

// What tetrars sends, parsed by libprotobuf (the oracle): equal serializations
// then mean equal messages.
tetragon::GetEventsRequest Built(const tetrars::Options& options, bool pushdown = false) {
  tetragon::GetEventsRequest request;
  EXPECT_TRUE(request.ParseFromString(tetrars::BuildRequest(options, pushdown)));
  return request;
}

tetrars::Options Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "tetrars");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  auto cl = tetrars::ParseCommandLine(int(argv.size()), argv.data());
  EXPECT_TRUE(cl.options.has_value()) << cl.text;
  return cl.options.value_or(tetrars::Options());
}

tetragon::GetEventsRequest FromText(const char* text) {
  tetragon::GetEventsRequest request;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &request));
  return request;
}

TEST(Request, DefaultIsTheSeedPipelinesRequestByteForByte) {
  const auto expected = FromText(R"pb(
    allow_list { event_set: PROCESS_EXEC }
    field_filters {
      fields {
        paths: [
          "process.pid",
          "process.uid",
          "process.auid",
          "process.cwd",
          "process.binary",
          "process.arguments",
          "process.process_credentials",
          "process.binary_properties",
          "parent.pid",
          "parent.binary",
          "parent.cwd"
        ]
      }
      action: INCLUDE
    }
  )pb");
  EXPECT_EQ(Built(Parse({})).SerializeAsString(), expected.SerializeAsString());
}

TEST(Request, AllFieldsSendsNoFieldFilter) {
  const auto expected = FromText("allow_list { event_set: [PROCESS_EXEC, PROCESS_EXIT] }");
  EXPECT_EQ(Built(Parse({"--all-fields", "-e", "PROCESS_EXEC,PROCESS_EXIT"})).SerializeAsString(),
            expected.SerializeAsString());
}

TEST(Request, IncludeFieldsAreSentAsGiven) {
  const auto expected = FromText(R"pb(
    allow_list { event_set: PROCESS_EXIT }
    field_filters { fields { paths: [ "process" ] } }
  )pb");
  EXPECT_EQ(Built(Parse({"-e", "process_exit", "-f", "process"})).SerializeAsString(),
            expected.SerializeAsString());
}

TEST(Request, ServerSideFiltersGoInTheAllowListFilterAsTetraSendsThem) {
  const auto expected = FromText(R"pb(
    allow_list {
      binary_regex: [ "ssh", "^/usr/bin/scp$" ]
      namespace: [ "prod", "" ]
      event_set: [ PROCESS_EXEC, PROCESS_KPROBE ]
      pod_regex: "^web-"
      policy_names: [ "a", "b" ]
      cel_expression: [ "process_exec.process.uid == 0u", "x, y" ]
    }
    field_filters { fields { paths: [ "process" ] } }
  )pb");
  EXPECT_EQ(Built(Parse({"-e", "PROCESS_EXEC,PROCESS_KPROBE", "-f", "process", "--process",
                         "ssh,^/usr/bin/scp$", "-n", "prod", "--host", "--pod", "^web-",
                         "--policy-names", "a,b", "--cel-expression",
                         "process_exec.process.uid == 0u", "--cel-expression", "x, y"}))
                .SerializeAsString(),
            expected.SerializeAsString());
}

TEST(Request, TheNewestFiltersAndNoFieldFilterForOldAgents) {
  const auto expected = FromText(R"pb(
    allow_list {
      event_set: [ PROCESS_EXEC ]
      container_name_regex: [ "^nginx$", "db" ]
      namespace_regex: "^team-"
    }
  )pb");
  tetragon::GetEventsRequest built;
  ASSERT_TRUE(built.ParseFromString(tetrars::BuildRequest(
      Parse({"--containers", "^nginx$,db", "--namespace-regex", "^team-"}), false,
      /*field_filters_too=*/false)));
  EXPECT_EQ(built.SerializeAsString(), expected.SerializeAsString());
  // The same options with the field filter: only field_filters differ.
  const auto with = Built(Parse({"--containers", "^nginx$,db", "--namespace-regex", "^team-"}));
  EXPECT_EQ(with.field_filters_size(), 1);
  EXPECT_EQ(with.allow_list(0).SerializeAsString(), expected.allow_list(0).SerializeAsString());
}

TEST(Request, AuidPushdownAsCel) {
  EXPECT_EQ(tetrars::AuidCel(Parse({})),
            "process_exec.process.auid >= 1000u && process_exec.process.auid <= 4294967294u");
  EXPECT_EQ(tetrars::AuidCel(Parse({"--auid", "1000-59999,0"})),
            "(process_exec.process.auid >= 1000u && process_exec.process.auid <= 59999u) || "
            "(process_exec.process.auid == 0u)");
  EXPECT_EQ(tetrars::AuidCel(Parse({"-e", "PROCESS_EXEC,PROCESS_EXIT", "--auid", "1000"})),
            "(process_exec.process.auid == 1000u) || (process_exit.process.auid == 1000u)");
  EXPECT_EQ(tetrars::AuidCel(Parse({"--auid-of", "parent", "--auid", "5-4294967295"})),
            "process_exec.parent.auid >= 5u");
  // The user's own CEL is ANDed with the rule; --auid any sends none.
  const auto options = Parse({"--cel-expression", "process_exec.process.uid == 0u"});
  const auto request = Built(options, true);
  ASSERT_EQ(request.allow_list(0).cel_expression_size(), 1);
  EXPECT_EQ(request.allow_list(0).cel_expression(0),
            "(process_exec.process.uid == 0u) && (" + tetrars::AuidCel(options) + ")");
  EXPECT_EQ(Built(Parse({"--auid", "any"}), true).allow_list(0).cel_expression_size(), 0);
  EXPECT_EQ(Built(Parse({}), false).allow_list(0).cel_expression_size(), 0);
}

TEST(Request, ExcludeFieldsFollowTheIncludeFilter) {
  const auto expected = FromText(R"pb(
    allow_list { event_set: PROCESS_EXEC }
    field_filters { fields { paths: [ "process" ] } }
    field_filters {
      fields { paths: [ "process.arguments", "process.cwd" ] }
      action: EXCLUDE
    }
  )pb");
  EXPECT_EQ(
      Built(Parse({"-f", "process", "-F", "process.arguments,process.cwd"})).SerializeAsString(),
      expected.SerializeAsString());
}

}  // namespace
