// The fake agent must honour requests as the real agent does; the end-to-end
// tests are only as good as this.
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include "json_writer.h"
#include "request_policy.h"
#include "tetragon/events.pb.h"

namespace {

template <typename Message>
Message FromText(const std::string& text) {
  Message message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message)) << text;
  return message;
}

const char* kExec = R"pb(
  process_exec {
    process {
      pid { value: 10 }
      uid { value: 1000 }
      auid { value: 1000 }
      binary: "/bin/ls"
      cap { permitted: CAP_CHOWN }
    }
    parent {
      pid { value: 9 }
      binary: "/bin/sh"
      cwd: "/"
    }
    ancestors {
      pid { value: 8 }
      binary: "/sbin/init"
    }
    ancestors {
      pid { value: 1 }
      binary: "/init"
    }
  }
  time { seconds: 1 })pb";

std::string Projected(const std::string& request_text, const char* event_text = kExec) {
  std::string error;
  auto policy =
      fake_agent::RequestPolicy::Make(FromText<tetragon::GetEventsRequest>(request_text), &error);
  EXPECT_TRUE(policy) << error;
  auto event = FromText<tetragon::GetEventsResponse>(event_text);
  EXPECT_TRUE(policy->Project(&event, &error)) << error;
  std::string json;
  tetrars::AppendJson(event, json);
  return json;
}

TEST(FakePolicy, IncludeKeepsOnlyThePathsAndLeavesTopLevelFields) {
  EXPECT_EQ(
      Projected(R"pb(field_filters { fields { paths: [ "process.pid", "parent.binary" ] } })pb"),
      R"({"process_exec":{"process":{"pid":10},"parent":{"binary":"/bin/sh"}},)"
      R"("time":"1970-01-01T00:00:01Z"})");
}

TEST(FakePolicy, IncludeWholeSubmessageAndThroughRepeatedMessages) {
  EXPECT_EQ(
      Projected(R"pb(field_filters { fields { paths: [ "process.cap", "ancestors.pid" ] } })pb"),
      R"({"process_exec":{"process":{"cap":{"permitted":["CAP_CHOWN"]}},)"
      R"("ancestors":[{"pid":8},{"pid":1}]},"time":"1970-01-01T00:00:01Z"})");
}

TEST(FakePolicy, UnknownPathsMatchNothing) {
  EXPECT_EQ(
      Projected(
          R"pb(field_filters { fields { paths: [ "process.nope", "parent.pid.value2" ] } })pb"),
      // The pid wrapper stays, emptied: JSON prints a wrapper's bare value, 0.
      R"({"process_exec":{"process":{},"parent":{"pid":0}},"time":"1970-01-01T00:00:01Z"})");
}

TEST(FakePolicy, ExcludeClearsThePaths) {
  EXPECT_EQ(Projected(R"pb(field_filters {
                             fields { paths: [ "process.cap", "ancestors", "parent.cwd", "x.y" ] }
                             action: EXCLUDE
                           })pb"),
            R"({"process_exec":{"process":{"pid":10,"uid":1000,"binary":"/bin/ls","auid":1000},)"
            R"("parent":{"pid":9,"binary":"/bin/sh"}},"time":"1970-01-01T00:00:01Z"})");
}

TEST(FakePolicy, FieldFilterEventSetAndInvert) {
  // Applies to exit events only: the exec event stays whole.
  const std::string whole = Projected("");
  EXPECT_EQ(Projected(R"pb(field_filters {
                             event_set: PROCESS_EXIT
                             fields { paths: "process.pid" }
                           })pb"),
            whole);
  EXPECT_EQ(Projected(R"pb(field_filters {
                             event_set: PROCESS_EXIT
                             fields { paths: "process.pid" }
                             invert_event_set { value: true }
                           })pb"),
            R"({"process_exec":{"process":{"pid":10}},"time":"1970-01-01T00:00:01Z"})");
}

TEST(FakePolicy, FiltersApplyOneAfterTheOther) {
  EXPECT_EQ(Projected(R"pb(field_filters { fields { paths: [ "process.pid", "process.uid" ] } }
                           field_filters {
                             fields { paths: "process.uid" }
                             action: EXCLUDE
                           })pb"),
            R"({"process_exec":{"process":{"pid":10}},"time":"1970-01-01T00:00:01Z"})");
}

TEST(FakePolicy, MalformedPathFailsWhenItFirstApplies) {
  std::string error;
  auto policy = fake_agent::RequestPolicy::Make(
      FromText<tetragon::GetEventsRequest>(
          R"pb(field_filters { fields { paths: "process..pid" } })pb"),
      &error);
  ASSERT_TRUE(policy);
  auto event = FromText<tetragon::GetEventsResponse>(kExec);
  EXPECT_FALSE(policy->Project(&event, &error));
  EXPECT_NE(error.find("invalid fieldmask path 'process..pid'"), std::string::npos) << error;
}

TEST(FakePolicy, AllowAndDenyListsByEventType) {
  const auto exec = FromText<tetragon::GetEventsResponse>(kExec);
  const auto exit_event = FromText<tetragon::GetEventsResponse>("process_exit { status: 1 }");
  std::string error;
  auto only_exec = fake_agent::RequestPolicy::Make(
      FromText<tetragon::GetEventsRequest>("allow_list { event_set: PROCESS_EXEC }"), &error);
  EXPECT_TRUE(only_exec->Allows(exec));
  EXPECT_FALSE(only_exec->Allows(exit_event));
  auto either = fake_agent::RequestPolicy::Make(
      FromText<tetragon::GetEventsRequest>(
          "allow_list { event_set: PROCESS_EXIT } allow_list { event_set: PROCESS_EXEC }"),
      &error);
  EXPECT_TRUE(either->Allows(exec));
  EXPECT_TRUE(either->Allows(exit_event));
  auto deny_exec = fake_agent::RequestPolicy::Make(
      FromText<tetragon::GetEventsRequest>("deny_list { event_set: PROCESS_EXEC }"), &error);
  EXPECT_FALSE(deny_exec->Allows(exec));
  EXPECT_TRUE(deny_exec->Allows(exit_event));
  auto everything = fake_agent::RequestPolicy::Make(
      FromText<tetragon::GetEventsRequest>("allow_list {}"), &error);
  EXPECT_TRUE(everything->Allows(exec));
  EXPECT_TRUE(everything->Allows(exit_event));
}

TEST(FakePolicy, RefusesFiltersItCannotHonour) {
  std::string error;
  EXPECT_FALSE(fake_agent::RequestPolicy::Make(
      FromText<tetragon::GetEventsRequest>(R"pb(allow_list { container_id: "abc" })pb"), &error));
  EXPECT_EQ(error, "tetragon-fake does not implement allow_list Filter field 'container_id'");
}

TEST(FakePolicy, CelModes) {
  const std::string request =
      R"pb(allow_list {
             cel_expression: "process_exec.process.auid >= 1000u && process_exec.process.auid <= 4294967294u"
           })pb";
  const auto human = FromText<tetragon::GetEventsResponse>(
      R"pb(process_exec { process { auid { value: 1000 } } })pb");
  const auto root = FromText<tetragon::GetEventsResponse>(
      R"pb(process_exec { process { auid { value: 0 } } })pb");
  const auto unset = FromText<tetragon::GetEventsResponse>(R"pb(process_exec { process {} })pb");
  std::string error;
  int status = 0;
  // An agent without CEL support ignores the field.
  auto ignore =
      fake_agent::RequestPolicy::Make(FromText<tetragon::GetEventsRequest>(request), &error);
  ASSERT_TRUE(ignore) << error;
  EXPECT_TRUE(ignore->Allows(root));
  // One with it evaluates.
  auto evaluate = fake_agent::RequestPolicy::Make(FromText<tetragon::GetEventsRequest>(request),
                                                  &error, fake_agent::CelMode::kEvaluate);
  ASSERT_TRUE(evaluate) << error;
  EXPECT_TRUE(evaluate->Allows(human));
  EXPECT_FALSE(evaluate->Allows(root));
  EXPECT_FALSE(evaluate->Allows(unset));
  // The double refuses any other shape rather than guess.
  EXPECT_FALSE(fake_agent::RequestPolicy::Make(
      FromText<tetragon::GetEventsRequest>(
          R"pb(allow_list { cel_expression: "process_exec.process.binary == 'x'" })pb"),
      &error, fake_agent::CelMode::kEvaluate, &status));
  EXPECT_EQ(status, 3);
  // And a rejecting agent refuses the request.
  EXPECT_FALSE(fake_agent::RequestPolicy::Make(FromText<tetragon::GetEventsRequest>(request),
                                               &error, fake_agent::CelMode::kReject, &status));
  EXPECT_EQ(status, 3);
  EXPECT_NE(error.find("failed to compile CEL expression"), std::string::npos) << error;
}

bool Allowed(const std::string& request, const std::string& event) {
  std::string error;
  auto policy =
      fake_agent::RequestPolicy::Make(FromText<tetragon::GetEventsRequest>(request), &error);
  EXPECT_TRUE(policy) << error;
  return policy && policy->Allows(FromText<tetragon::GetEventsResponse>(event));
}

TEST(FakePolicy, ProcessPodNamespaceAndPolicyFilters) {
  const std::string host = R"pb(process_exec { process { binary: "/usr/bin/ssh" } })pb";
  const std::string pod = R"pb(process_exec {
                                 process {
                                   binary: "/bin/sh"
                                   pod { namespace: "prod" name: "web-1" }
                                 }
                               })pb";
  // binary_regex: RE2, unanchored, ORed within the filter's list.
  EXPECT_TRUE(Allowed(R"pb(allow_list { binary_regex: "ssh" })pb", host));
  EXPECT_FALSE(Allowed(R"pb(allow_list { binary_regex: "^ssh" })pb", host));
  EXPECT_TRUE(Allowed(R"pb(allow_list { binary_regex: [ "^/bin/", "ssh$" ] })pb", host));
  // namespace: "" is a host process.
  EXPECT_TRUE(Allowed(R"pb(allow_list { namespace: "" })pb", host));
  EXPECT_FALSE(Allowed(R"pb(allow_list { namespace: "" })pb", pod));
  EXPECT_TRUE(Allowed(R"pb(allow_list { namespace: [ "kube-system", "prod" ] })pb", pod));
  // pod_regex needs a pod.
  EXPECT_TRUE(Allowed(R"pb(allow_list { pod_regex: "^web-" })pb", pod));
  EXPECT_FALSE(Allowed(R"pb(allow_list { pod_regex: ".*" })pb", host));
  // One filter's conditions are ANDed.
  EXPECT_FALSE(Allowed(R"pb(allow_list { namespace: "prod" binary_regex: "ssh" })pb", pod));
  // Exec events come from no tracing policy.
  EXPECT_FALSE(Allowed(R"pb(allow_list { policy_names: "p" })pb", host));
  // A bad regex fails the call.
  std::string error;
  EXPECT_FALSE(fake_agent::RequestPolicy::Make(
      FromText<tetragon::GetEventsRequest>(R"pb(allow_list { binary_regex: "(" })pb"), &error));
  EXPECT_NE(error.find("invalid regex '('"), std::string::npos) << error;
}

}  // namespace
