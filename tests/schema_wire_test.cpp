// Our schema against the wire: bytes encoded here by hand, with the field
// numbers of Tetragon's public API reference, must decode into the fields of
// the same names. The corpus covers what v0.10 sends; this covers the rest.
#include <gtest/gtest.h>

#include "json_writer.h"
#include "tetragon/events.pb.h"
#include "wire_builder.h"

namespace {

using wire::BytesField;
using wire::Varint;
using wire::VarintField;

std::string U32Wrapper(int number, uint32_t value) {
  return BytesField(number, VarintField(1, value));
}

template <typename Message>
std::string JsonOf(const std::string& wire) {
  Message message;
  EXPECT_TRUE(message.ParseFromString(wire));
  // A field number missing from our schema would land in unknown fields and be
  // absent from the JSON, so the JSON comparison catches nested ones too.
  EXPECT_TRUE(message.GetReflection()->GetUnknownFields(message).empty());
  std::string json;
  EXPECT_TRUE(tetrars::AppendJson(message, json));
  return json;
}

TEST(SchemaWire, ProcessFieldsOfNewerAgents) {
  const std::string wire =
      U32Wrapper(16, 77) +  // tid
      BytesField(17,
                 U32Wrapper(3, 0) + VarintField(9, 1)) +  // process_credentials.euid, securebits
      BytesField(18, U32Wrapper(1, 0) +
                         VarintField(3, 2) +  // binary_properties.setuid, privileges_changed
                         BytesField(4, BytesField(1, VarintField(1, 9)) + BytesField(2, "/x"))) +
      BytesField(19, BytesField(1, "alice")) +                  // user.name
      BytesField(20, VarintField(1, 1)) +                       // in_init_tree
      BytesField(21, BytesField(1, "K") + BytesField(2, "V"));  // environment_variables
  EXPECT_EQ(
      JsonOf<tetragon::Process>(wire),
      R"({"tid":77,"process_credentials":{"euid":0,"securebits":["SecBitNoRoot"]},)"
      R"("binary_properties":{"setuid":0,"privileges_changed":)"
      R"(["PRIVILEGES_RAISED_EXEC_FILE_SETUID"],"file":{"inode":{"number":"9"},"path":"/x"}},)"
      R"("user":{"name":"alice"},"in_init_tree":true,"environment_variables":[{"Key":"K","Value":"V"}]})");
}

TEST(SchemaWire, PodAndContainer) {
  const std::string container = BytesField(1, "id") + VarintField(13, 1) +  // maybe_exec_probe
                                BytesField(14, VarintField(1, 1));  // security_context.privileged
  const std::string wire =
      BytesField(3, "uid-1") + BytesField(4, container) +
      BytesField(5, BytesField(1, "app") + BytesField(2, "web")) +  // pod_labels
      BytesField(6, "deploy") + BytesField(7, "Deployment") +
      BytesField(8, BytesField(1, "note") + BytesField(2, "x"));  // pod_annotations
  EXPECT_EQ(JsonOf<tetragon::Pod>(wire),
            R"({"uid":"uid-1","container":{"id":"id","maybe_exec_probe":true,)"
            R"("security_context":{"privileged":true}},"pod_labels":{"app":"web"},)"
            R"("workload":"deploy","workload_kind":"Deployment","pod_annotations":{"note":"x"}})");
}

TEST(SchemaWire, ResponseAndExitFields) {
  const std::string exit_event = BytesField(1, U32Wrapper(9, 1000)) + BytesField(3, "SIGKILL") +
                                 VarintField(4, 9) + BytesField(5, VarintField(1, 1)) +  // time
                                 BytesField(6, U32Wrapper(2, 1));  // ancestors
  const std::string wire = BytesField(5, exit_event) + BytesField(1000, "node") +
                           BytesField(1003, "cluster") +
                           BytesField(1004, BytesField(1, "zone") + BytesField(2, "a"));
  EXPECT_EQ(JsonOf<tetragon::GetEventsResponse>(wire),
            R"({"process_exit":{"process":{"auid":1000},"signal":"SIGKILL","status":9,)"
            R"("time":"1970-01-01T00:00:01Z","ancestors":[{"pid":1}]},"node_name":"node",)"
            R"("cluster_name":"cluster","node_labels":{"zone":"a"}})");
}

TEST(SchemaWire, RequestFieldsWeSend) {
  tetragon::GetEventsRequest request;
  auto* filter = request.add_allow_list();
  filter->add_event_set(tetragon::PROCESS_EXIT);
  filter->add_cel_expression("true");
  filter->add_policy_names("p");
  auto* fields = request.add_field_filters();
  fields->mutable_fields()->add_paths("process.pid");
  fields->set_action(tetragon::EXCLUDE);
  fields->mutable_invert_event_set()->set_value(true);
  const std::string expected =
      BytesField(
          1, BytesField(6, Varint(5)) /* packed */ + BytesField(10, "p") + BytesField(13, "true")) +
      BytesField(4, BytesField(2, BytesField(1, "process.pid")) + VarintField(3, 1) +
                        BytesField(4, VarintField(1, 1)));
  EXPECT_EQ(request.SerializeAsString(), expected);
}

}  // namespace
