// The fake agent must honour requests as the real agent does; the end-to-end
// tests are only as good as this.
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include "json_writer.h"
#include "request_policy.h"
#include "tetragon/events.pb.h"
#include "wire_builder.h"

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
  EXPECT_EQ(status, 2);  // UNKNOWN, as v1.7.0
  EXPECT_EQ(error.rfind("error compiling CEL expression: ", 0), 0u) << error;
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

// Tetragon's pkg/filters: Go regexps (unanchored) on the process's pod
// namespace and container name; without a pod (or a container) no match.
TEST(FakePolicy, NamespaceAndContainerNameRegex) {
  const std::string host = R"pb(process_exec { process { binary: "/usr/bin/ssh" } })pb";
  const std::string pod_only = R"pb(process_exec {
                                      process {
                                        binary: "/bin/sh"
                                        pod { namespace: "kube-system" name: "dns-1" }
                                      }
                                    })pb";
  const std::string container = R"pb(process_exec {
                                       process {
                                         binary: "/bin/sh"
                                         pod {
                                           namespace: "prod"
                                           name: "web-1"
                                           container { name: "nginx-main" }
                                         }
                                       }
                                     })pb";
  EXPECT_TRUE(Allowed(R"pb(allow_list { namespace_regex: "kube-" })pb", pod_only));
  EXPECT_TRUE(Allowed(R"pb(allow_list { namespace_regex: [ "^dev$", "^pro" ] })pb", container));
  EXPECT_FALSE(Allowed(R"pb(allow_list { namespace_regex: "^kube$" })pb", pod_only));
  EXPECT_FALSE(Allowed(R"pb(allow_list { namespace_regex: ".*" })pb", host));
  EXPECT_TRUE(Allowed(R"pb(allow_list { container_name_regex: "nginx" })pb", container));
  EXPECT_FALSE(Allowed(R"pb(allow_list { container_name_regex: "^main" })pb", container));
  EXPECT_FALSE(Allowed(R"pb(allow_list { container_name_regex: ".*" })pb", pod_only));
  EXPECT_FALSE(Allowed(R"pb(allow_list { container_name_regex: ".*" })pb", host));
  EXPECT_TRUE(Allowed(R"pb(deny_list { container_name_regex: "nginx" })pb", pod_only));
  EXPECT_FALSE(Allowed(R"pb(deny_list { container_name_regex: "nginx" })pb", container));
  // ANDed with the other conditions of the filter.
  EXPECT_FALSE(Allowed(
      R"pb(allow_list { namespace_regex: "prod" container_name_regex: "redis" })pb", container));
  std::string error;
  EXPECT_FALSE(fake_agent::RequestPolicy::Make(
      FromText<tetragon::GetEventsRequest>(R"pb(allow_list { container_name_regex: "[" })pb"),
      &error));
  EXPECT_NE(error.find("invalid regex '['"), std::string::npos) << error;
}

TEST(FakePolicy, AgentVersionParsing) {
  using fake_agent::ParseAgentVersion;
  for (const char* text : {"v1.7.0", "1.7.0", "V1.7.0", "v1.7", "v1.7.0-rc.1", "v1.7.0+dirty"}) {
    const auto version = ParseAgentVersion(text);
    ASSERT_TRUE(version) << text;
    EXPECT_EQ(version->major, 1) << text;
    EXPECT_EQ(version->minor, 7) << text;
    EXPECT_EQ(version->patch, 0) << text;
  }
  const auto describe = ParseAgentVersion("v1.2.3-14-gdeadbee");
  ASSERT_TRUE(describe);
  EXPECT_EQ(describe->patch, 3);
  for (const char* text : {"", "v", "1", "v1", "latest", "deadbee", "v1.x", "1.7.0.1", "1.7rc"})
    EXPECT_FALSE(ParseAgentVersion(text)) << text;
}

TEST(FakePolicy, FilterFieldsNewerThanTheAgentAreKnownFromTheirRelease) {
  using fake_agent::KnowsFilterField;
  using fake_agent::ParseAgentVersion;
  const auto knows = [](const char* version, int field) {
    return KnowsFilterField(ParseAgentVersion(version), field);
  };
  EXPECT_TRUE(KnowsFilterField(std::nullopt, 19));
  EXPECT_TRUE(knows("v0.10.0", 9));
  EXPECT_FALSE(knows("v1.0.3", 10));  // policy_names
  EXPECT_TRUE(knows("v1.1.0", 10));
  EXPECT_FALSE(knows("v1.2.1", 13));  // cel_expression
  EXPECT_TRUE(knows("v1.3.0", 13));
  EXPECT_FALSE(knows("v1.5.0", 18));  // container_name_regex
  EXPECT_TRUE(knows("v1.6.0", 18));
  EXPECT_TRUE(knows("v1.6.0-rc.1", 18));  // the real rc.1 has it
  EXPECT_FALSE(knows("v1.6.0", 19));      // namespace_regex
  EXPECT_TRUE(knows("v1.7.0", 19));
  EXPECT_TRUE(knows("v2.0.0", 19));
}

// What one call streams, by agent version: the request as tetrars would send
// it to agents old and new.
size_t Streamed(const std::string& request_text, const std::vector<std::string>& events,
                const char* version, int* status = nullptr) {
  const std::optional<fake_agent::AgentVersion> parsed =
      version == nullptr ? std::nullopt : fake_agent::ParseAgentVersion(version);
  const auto plan = fake_agent::PrepareEvents(
      FromText<tetragon::GetEventsRequest>(request_text).SerializeAsString(), events,
      fake_agent::CelMode::kReject, parsed);
  if (status != nullptr) *status = plan.status;
  return plan.events.size();
}

TEST(FakePolicy, AnOlderAgentIgnoresTheFilterFieldsItDoesNotKnow) {
  std::vector<std::string> events;
  for (const char* text : {R"pb(process_exec {
                                  process {
                                    pod {
                                      namespace: "prod"
                                      container { name: "app" }
                                    }
                                  }
                                })pb",
                           R"pb(process_exec {
                                  process {
                                    pod {
                                      namespace: "kube-system"
                                      container { name: "istio-proxy" }
                                    }
                                  }
                                })pb",
                           R"pb(process_exec { process { binary: "/bin/sh" } })pb"}) {
    events.push_back(FromText<tetragon::GetEventsResponse>(text).SerializeAsString());
  }
  const std::string by_container = R"pb(deny_list { container_name_regex: "^istio-" })pb";
  EXPECT_EQ(Streamed(by_container, events, nullptr), 2u);
  EXPECT_EQ(Streamed(by_container, events, "v1.7.0"), 2u);
  EXPECT_EQ(Streamed(by_container, events, "v1.6.0"), 2u);
  // Field 18 unknown to v1.5.0: its deny_list holds an empty Filter, which
  // matches every event (Tetragon's FilterFuncs.MatchAll of no functions):
  // nothing at all is streamed.
  EXPECT_EQ(Streamed(by_container, events, "v1.5.0"), 0u);
  const std::string by_namespace = R"pb(allow_list { namespace_regex: "^prod$" })pb";
  EXPECT_EQ(Streamed(by_namespace, events, "v1.7.0"), 1u);
  // An allow_list Filter left empty allows everything, as in the real agent.
  EXPECT_EQ(Streamed(by_namespace, events, "v1.6.0"), 3u);
  // An older agent cannot reject the CEL it does not know.
  int status = 0;
  const std::string cel = R"pb(allow_list { cel_expression: "true" event_set: PROCESS_EXEC })pb";
  EXPECT_EQ(Streamed(cel, events, "v1.3.0", &status), 0u);
  EXPECT_EQ(status, 2);  // UNKNOWN, as v1.7.0 refuses a CEL it cannot compile
  EXPECT_EQ(Streamed(cel, events, "v1.2.0", &status), 3u);
  EXPECT_EQ(status, 0);
  // Fields the fake does not implement are no refusal either when the agent
  // would not know them (container_id, v1.3.0).
  EXPECT_EQ(Streamed(R"pb(allow_list { container_id: "abc" })pb", events, "v1.2.0", &status), 3u);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(Streamed(R"pb(allow_list { container_id: "abc" })pb", events, "v1.3.0", &status), 0u);
  EXPECT_EQ(status, 12);
}

TEST(FakePolicy, UnknownFilterFieldsAreIgnored) {
  // Field 99 of Filter: newer than any schema the fake knows.
  const std::string request =
      wire::BytesField(1, wire::BytesField(99, "x") + wire::VarintField(6, 1));
  const auto plan = fake_agent::PrepareEvents(
      request, {FromText<tetragon::GetEventsResponse>(kExec).SerializeAsString()});
  EXPECT_EQ(plan.status, 0) << plan.message;
  EXPECT_EQ(plan.events.size(), 1u);
}

// Issue 21.5: a v0.10 agent's Pod field 3 is `repeated string labels`; the
// fake parsed it as v1.6.0's `string uid` when it filtered fields, and
// re-serialised only the last label. The bytes here are written by hand
// (wire_builder.h), independently of libprotobuf.
TEST(FakePolicy, FieldFiltersKeepAnOldAgentsPodLabelsByteForByte) {
  using wire::BytesField;
  using wire::VarintField;
  const std::string pod = BytesField(1, "default") + BytesField(2, "web-1") +
                          BytesField(3, "app=web") + BytesField(3, "tier=front");
  const std::string pid = BytesField(2, VarintField(1, 42));
  const std::string binary = BytesField(5, "/bin/ls");
  const auto event = [](const std::string& process) {
    return BytesField(1, BytesField(1, process));  // process_exec.process
  };
  const std::string replayed = event(pid + binary + BytesField(10, pod));
  const auto prepared = [&replayed](const std::string& request_text, const char* version) {
    std::string request;
    EXPECT_TRUE(FromText<tetragon::GetEventsRequest>(request_text).SerializeToString(&request));
    const auto played = version == nullptr ? std::nullopt : fake_agent::ParseAgentVersion(version);
    const auto plan =
        fake_agent::PrepareEvents(request, {replayed}, fake_agent::CelMode::kIgnore, played);
    EXPECT_EQ(plan.status, 0) << plan.message;
    return plan.events.size() == 1 ? plan.events[0] : std::string("(no event)");
  };
  const std::string include =
      R"pb(field_filters { fields { paths: [ "process.binary", "process.pod" ] } })pb";
  // Every label, in order, for the agent that sent them and for the newest.
  EXPECT_EQ(prepared(include, "v0.10.0"), event(binary + BytesField(10, pod)));
  EXPECT_EQ(prepared(include, nullptr), event(binary + BytesField(10, pod)));
  // Named as the played agent names field 3.
  const std::string without_labels =
      event(pid + binary + BytesField(10, BytesField(1, "default") + BytesField(2, "web-1")));
  EXPECT_EQ(prepared(R"pb(field_filters {
                            action: EXCLUDE
                            fields { paths: "process.pod.labels" }
                          })pb",
                     "v0.10.0"),
            without_labels);
  EXPECT_EQ(prepared(R"pb(field_filters {
                            action: EXCLUDE
                            fields { paths: "process.pod.uid" }
                          })pb",
                     "v1.7.0"),
            without_labels);
  EXPECT_EQ(prepared(R"pb(field_filters {
                            action: EXCLUDE
                            fields { paths: "process.pod.uid" }
                          })pb",
                     "v0.10.0"),
            replayed)
      << "v0.10.0 has no field named uid: the path matches nothing";
}

}  // namespace
