// The JSON writer on messages the v0.10 corpus lacks, against JSON written by
// hand from the proto3 JSON mapping (as Go's protojson prints it).
#include "json_writer.h"

#include <google/protobuf/wrappers.pb.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tetragon/events.pb.h"

namespace {

std::string Json(const google::protobuf::Message& message) {
  std::string out;
  std::string error;
  EXPECT_TRUE(tetrars::AppendJson(message, out, &error)) << error;
  return out;
}

TEST(JsonWriter, CredentialsAndBinaryPropertiesOfNewerAgents) {
  tetragon::Process p;
  p.mutable_pid()->set_value(4242);
  p.mutable_uid()->set_value(0);
  p.set_binary("/usr/bin/sudo");
  p.mutable_auid()->set_value(1000);
  auto* creds = p.mutable_process_credentials();
  creds->mutable_uid()->set_value(1000);
  creds->mutable_gid()->set_value(1000);
  creds->mutable_euid()->set_value(0);
  creds->mutable_egid()->set_value(0);
  creds->mutable_suid()->set_value(0);
  creds->mutable_sgid()->set_value(0);
  creds->mutable_fsuid()->set_value(0);
  creds->mutable_fsgid()->set_value(0);
  creds->add_securebits(tetragon::SecBitNoRoot);
  creds->add_securebits(tetragon::SecBitNoRootLocked);
  creds->mutable_caps()->add_permitted(tetragon::CAP_SYS_ADMIN);
  creds->mutable_caps()->add_permitted(tetragon::DAC_OVERRIDE);
  creds->mutable_caps()->add_effective(tetragon::CAP_CHOWN);  // value 0, still listed
  creds->mutable_user_ns()->mutable_level()->set_value(0);
  creds->mutable_user_ns()->mutable_uid()->set_value(0);
  creds->mutable_user_ns()->mutable_ns()->set_inum(4026531837u);
  creds->mutable_user_ns()->mutable_ns()->set_is_host(true);
  auto* binary = p.mutable_binary_properties();
  binary->mutable_setuid()->set_value(0);
  binary->add_privileges_changed(tetragon::PRIVILEGES_RAISED_EXEC_FILE_SETUID);
  binary->mutable_file()->mutable_inode()->set_number(123456789012u);
  binary->mutable_file()->mutable_inode()->mutable_links()->set_value(0);
  binary->mutable_file()->set_path("/memfd:x (deleted)");
  p.mutable_user()->set_name("alice");
  p.mutable_in_init_tree()->set_value(false);

  EXPECT_EQ(Json(p),
            R"({"pid":4242,"uid":0,"binary":"/usr/bin/sudo","auid":1000,)"
            R"("process_credentials":{"uid":1000,"gid":1000,"euid":0,"egid":0,"suid":0,"sgid":0,)"
            R"("fsuid":0,"fsgid":0,"securebits":["SecBitNoRoot","SecBitNoRootLocked"],)"
            R"("caps":{"permitted":["CAP_SYS_ADMIN","DAC_OVERRIDE"],"effective":["CAP_CHOWN"]},)"
            R"("user_ns":{"level":0,"uid":0,"ns":{"inum":4026531837,"is_host":true}}},)"
            R"("binary_properties":{"setuid":0,"privileges_changed":)"
            R"(["PRIVILEGES_RAISED_EXEC_FILE_SETUID"],"file":{"inode":{"number":"123456789012",)"
            R"j("links":0},"path":"/memfd:x (deleted)"}},"user":{"name":"alice"},)j"
            R"("in_init_tree":false})");
}

TEST(JsonWriter, PodLabelsAndNodeLabelsAreSortedByKey) {
  tetragon::GetEventsResponse event;
  auto* process = event.mutable_process_exec()->mutable_process();
  auto* pod = process->mutable_pod();
  pod->set_namespace_("kube-system");
  pod->set_name("coredns-1");
  (*pod->mutable_pod_labels())["k8s-app"] = "kube-dns";
  (*pod->mutable_pod_labels())["app.kubernetes.io/name"] = "coredns";
  (*pod->mutable_pod_labels())["Zeta"] = "";
  auto* container = pod->mutable_container();
  container->set_id("containerd://abc");
  container->set_name("coredns");
  container->mutable_image()->set_name("registry.k8s.io/coredns:v1.11");
  container->mutable_start_time()->set_seconds(1700000000);
  container->mutable_pid()->set_value(1);
  container->set_maybe_exec_probe(true);
  process->set_docker("abc");
  event.set_node_name("node-a");
  event.mutable_time()->set_seconds(1700000000);
  event.mutable_time()->set_nanos(5000000);
  event.set_cluster_name("prod");
  (*event.mutable_node_labels())["zone"] = "eu-1";
  (*event.mutable_node_labels())["arch"] = "amd64";
  (*event.mutable_node_labels())["Arch"] = "x";

  EXPECT_EQ(Json(event),
            R"({"process_exec":{"process":{"pod":{"namespace":"kube-system","name":"coredns-1",)"
            R"("container":{"id":"containerd://abc","name":"coredns","image":)"
            R"({"name":"registry.k8s.io/coredns:v1.11"},"start_time":"2023-11-14T22:13:20Z",)"
            R"("pid":1,"maybe_exec_probe":true},"pod_labels":{"Zeta":"",)"
            R"("app.kubernetes.io/name":"coredns","k8s-app":"kube-dns"}},"docker":"abc"}},)"
            R"("node_name":"node-a","time":"2023-11-14T22:13:20.005Z","cluster_name":"prod",)"
            R"("node_labels":{"Arch":"x","arch":"amd64","zone":"eu-1"}})");
}

TEST(JsonWriter, UnknownEnumNumbersPrintAsNumbers) {
  tetragon::Process p;
  p.mutable_cap()->add_permitted(tetragon::CAP_BPF);
  p.mutable_cap()->add_permitted(static_cast<tetragon::CapabilitiesType>(64));
  EXPECT_EQ(Json(p), R"({"cap":{"permitted":["CAP_BPF",64]}})");

  tetragon::FieldFilter filter;
  filter.add_event_set(tetragon::PROCESS_EXEC);
  filter.add_event_set(static_cast<tetragon::EventType>(99));
  filter.set_action(static_cast<tetragon::FieldFilterAction>(7));
  EXPECT_EQ(Json(filter), R"({"event_set":["PROCESS_EXEC",99],"action":7})");
}

TEST(JsonWriter, SixtyFourBitIntegersAreStrings) {
  tetragon::GetEventsResponse event;
  event.mutable_aggregation_info()->set_count(std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(Json(event), R"({"aggregation_info":{"count":"18446744073709551615"}})");

  google::protobuf::Int64Value negative;
  negative.set_value(-5);
  EXPECT_EQ(Json(negative), R"("-5")");
  google::protobuf::UInt32Value big;
  big.set_value(4294967295u);
  EXPECT_EQ(Json(big), "4294967295");
}

TEST(JsonWriter, Proto3DefaultsAreOmittedButPresenceIsKept) {
  tetragon::Process p;
  p.set_refcnt(0);
  p.set_flags("");
  EXPECT_EQ(Json(p), "{}");
  p.mutable_ns()->mutable_uts();  // an empty message that is set
  p.mutable_tid()->set_value(0);  // a wrapper that is set to 0
  EXPECT_EQ(Json(p), R"({"ns":{"uts":{}},"tid":0})");

  tetragon::ProcessExit exit_event;
  exit_event.set_status(0);
  exit_event.set_signal("");
  EXPECT_EQ(Json(exit_event), "{}");
  exit_event.set_status(137);
  exit_event.set_signal("SIGKILL");
  exit_event.mutable_time()->set_seconds(951782400);
  EXPECT_EQ(Json(exit_event), R"({"signal":"SIGKILL","status":137,"time":"2000-02-29T00:00:00Z"})");
}

TEST(JsonWriter, EnvironmentVariablesKeepTheirCapitalisedNames) {
  tetragon::Process p;
  auto* var = p.add_environment_variables();
  var->set_key("PATH");
  var->set_value("/bin");
  EXPECT_EQ(Json(p), R"({"environment_variables":[{"Key":"PATH","Value":"/bin"}]})");
}

TEST(JsonWriter, TimestampsUseZeroThreeSixOrNineFractionDigits) {
  const struct {
    int64_t seconds;
    int32_t nanos;
    const char* json;
  } cases[] = {
      {0, 0, R"("1970-01-01T00:00:00Z")"},
      {0, 1, R"("1970-01-01T00:00:00.000000001Z")"},
      {0, 1000, R"("1970-01-01T00:00:00.000001Z")"},
      {0, 1000000, R"("1970-01-01T00:00:00.001Z")"},
      {0, 120000000, R"("1970-01-01T00:00:00.120Z")"},
      {0, 123456700, R"("1970-01-01T00:00:00.123456700Z")"},
      {-1, 0, R"("1969-12-31T23:59:59Z")"},
      {-62135596800, 0, R"("0001-01-01T00:00:00Z")"},
      {253402300799, 999999999, R"("9999-12-31T23:59:59.999999999Z")"},
      {1795796484, 61632910, R"("2026-11-27T16:21:24.061632910Z")"},
  };
  for (const auto& c : cases) {
    google::protobuf::Timestamp ts;
    ts.set_seconds(c.seconds);
    ts.set_nanos(c.nanos);
    EXPECT_EQ(Json(ts), c.json) << c.seconds << "s " << c.nanos << "ns";
  }
}

TEST(JsonWriter, OutOfRangeTimestampIsRefusedAndLeavesOutputUnchanged) {
  for (auto [seconds, nanos] : {std::pair<int64_t, int32_t>{253402300800, 0},
                                {-62135596801, 0},
                                {0, -1},
                                {0, 1000000000}}) {
    tetragon::GetEventsResponse event;
    event.set_node_name("n");
    event.mutable_time()->set_seconds(seconds);
    event.mutable_time()->set_nanos(nanos);
    std::string out = "previous line\n";
    std::string error;
    EXPECT_FALSE(tetrars::AppendJson(event, out, &error));
    EXPECT_EQ(out, "previous line\n");
    EXPECT_NE(error.find("timestamp out of range"), std::string::npos) << error;
  }
}

TEST(JsonWriter, DurationsAndFieldMasks) {
  tetragon::GetEventsRequest request;
  request.mutable_aggregation_options()->mutable_window_size()->set_seconds(1);
  request.mutable_aggregation_options()->mutable_window_size()->set_nanos(500000000);
  request.mutable_aggregation_options()->set_channel_buffer_size(10);
  auto* filter = request.add_field_filters();
  filter->mutable_fields()->add_paths("process.binary_properties");
  filter->mutable_fields()->add_paths("parent.pid");
  filter->set_action(tetragon::EXCLUDE);
  EXPECT_EQ(
      Json(request),
      R"({"aggregation_options":{"window_size":"1.500s","channel_buffer_size":"10"},)"
      R"("field_filters":[{"fields":"process.binaryProperties,parent.pid","action":"EXCLUDE"}]})");

  google::protobuf::Duration d;
  d.set_seconds(-1);
  d.set_nanos(-500000000);
  EXPECT_EQ(Json(d), R"("-1.500s")");
  d.set_seconds(0);
  d.set_nanos(-1000);
  EXPECT_EQ(Json(d), R"("-0.000001s")");
  d.set_seconds(3);
  d.set_nanos(0);
  EXPECT_EQ(Json(d), R"("3s")");
  d.set_nanos(-1);  // signs disagree: protojson refuses it
  std::string out, error;
  EXPECT_FALSE(tetrars::AppendJson(d, out, &error));
}

TEST(JsonWriter, BytesAreStandardBase64WithPadding) {
  const std::pair<std::string, std::string> cases[] = {
      {"", R"("")"},
      {"f", R"("Zg==")"},
      {"fo", R"("Zm8=")"},
      {"foo", R"("Zm9v")"},
      {"foob", R"("Zm9vYg==")"},
      {std::string("\x00\xff\x10hi", 5), R"("AP8QaGk=")"},
      {"\xfb\xff", R"("+/8=")"}};
  for (const auto& [bytes, json] : cases) {
    google::protobuf::BytesValue value;
    value.set_value(bytes);
    EXPECT_EQ(Json(value), json);
  }
}

TEST(JsonWriter, FloatsFollowGoEncodingJson) {
  const std::pair<double, std::string> cases[] = {
      {0, "0"},
      {1.5, "1.5"},
      {100, "100"},
      {-2.25, "-2.25"},
      {1e21, "1e+21"},
      {1e-7, "1e-7"},
      {0.000001, "0.000001"},
      {123456789012345680000.0, "123456789012345680000"},
      {NAN, R"("NaN")"},
      {INFINITY, R"("Infinity")"},
      {-INFINITY, R"("-Infinity")"}};
  for (const auto& [number, json] : cases) {
    google::protobuf::DoubleValue value;
    value.set_value(number);
    EXPECT_EQ(Json(value), json) << number;
  }
  google::protobuf::FloatValue f;
  f.set_value(0.1f);
  EXPECT_EQ(Json(f), "0.1");
}

}  // namespace
