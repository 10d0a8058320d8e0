// --request-log's lines: end-to-end tests read what tetrars asked the agent.
#include "request_log.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include "replay_source.h"
#include "tetragon/events.pb.h"

namespace {

using fake_agent::RequestLog;

std::string Request(const std::string& text) {
  tetragon::GetEventsRequest request;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &request)) << text;
  return request.SerializeAsString();
}

TEST(RequestLog, GetEventsInProtoJsonWithProtoFieldNames) {
  EXPECT_EQ(RequestLog::Line("GetEvents", Request(R"pb(
                               allow_list { event_set: PROCESS_EXEC }
                               field_filters { fields { paths: [ "process.pid", "process.auid" ] } }
                             )pb")),
            R"({"method":"GetEvents","request":{"allow_list":[{"event_set":["PROCESS_EXEC"]}],)"
            R"("field_filters":[{"fields":"process.pid,process.auid"}]}})");
  EXPECT_EQ(
      RequestLog::Line("GetEvents", Request(R"pb(
                         deny_list { container_name_regex: "^istio-" namespace_regex: "kube-.*" }
                         field_filters {
                           action: EXCLUDE
                           invert_event_set { value: false }
                         }
                       )pb")),
      R"({"method":"GetEvents","request":{"deny_list":[{"container_name_regex":["^istio-"],)"
      R"("namespace_regex":["kube-.*"]}],"field_filters":[{"action":"EXCLUDE",)"
      R"("invert_event_set":false}]}})");
}

TEST(RequestLog, FieldMaskPathsAreInTheJsonMappingsCamelCase) {
  // protobuf's JSON mapping writes a FieldMask's paths in lowerCamelCase,
  // whatever preserve_proto_field_names says.
  EXPECT_EQ(
      RequestLog::Line("GetEvents", Request(R"pb(field_filters {
                                                   fields { paths: "process.parent_exec_id" }
                                                 })pb")),
      R"({"method":"GetEvents","request":{"field_filters":[{"fields":"process.parentExecId"}]}})");
}

TEST(RequestLog, EmptyRequests) {
  EXPECT_EQ(RequestLog::Line("GetVersion", ""), R"({"method":"GetVersion","request":{}})");
  EXPECT_EQ(RequestLog::Line("GetEvents", ""), R"({"method":"GetEvents","request":{}})");
}

TEST(RequestLog, UnparsableRequestIsLoggedInBase64) {
  const std::string bad("\x0a\xff\xff\x7f", 4);  // field 1 announcing more than follows
  EXPECT_EQ(RequestLog::Line("GetEvents", bad),
            R"({"method":"GetEvents","unparsable":"Cv//fw=="})");
  bool ok = false;
  EXPECT_EQ(fake_agent::Base64Decode("Cv//fw==", &ok), bad);
  EXPECT_TRUE(ok);
}

TEST(RequestLog, Base64) {
  using fake_agent::Base64Encode;
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  std::string all;
  for (int i = 0; i < 256; ++i) all += char(i);
  bool ok = false;
  EXPECT_EQ(fake_agent::Base64Decode(Base64Encode(all), &ok), all);
  EXPECT_TRUE(ok);
}

}  // namespace
