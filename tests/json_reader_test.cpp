// The info file's JSON reader against nlohmann's strict parser as the oracle:
// the same verdict on well-formedness, the same server_address.
#include "base/json_reader.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace {

void ExpectLikeNlohmann(const std::string& text) {
  SCOPED_TRACE(text);
  bool valid = false;
  const auto ours = tetrars::JsonObjectString(text, "server_address", &valid);
  nlohmann::json parsed;
  bool oracle_valid = true;
  try {
    parsed = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error&) {
    oracle_valid = false;
  }
  oracle_valid = oracle_valid && parsed.is_object();
  ASSERT_EQ(valid, oracle_valid);
  if (!valid) return;
  const bool has = parsed.contains("server_address") && parsed["server_address"].is_string();
  ASSERT_EQ(ours.has_value(), has);
  if (has) {
    EXPECT_EQ(*ours, parsed["server_address"].get<std::string>());
  }
}

TEST(JsonReader, AgreesWithAStrictParser) {
  for (const char* text : {
           R"({"server_address":"localhost:54321","version":"v1.4.0"})",
           R"( { "version" : [1, 2.5e3, -0.1, {"a": null}], "server_address" : "unix:///x" } )",
           R"({"server_address":"a\"b\\c\/d\u00e9\ud83d\ude00\n"})",
           R"({"server_address":1})",
           R"({"other":"x"})",
           R"({})",
           R"({"server_address":"one","server_address":"two"})",
           R"([1,2])",
           R"({"server_address":"x",})",
           R"({"server_address":"x"} trailing)",
           R"({"server_address":01})",
           R"({"server_address":"\x"})",
           "{\"server_address\":\"tab\there\"}",
           R"({"server_address":tru})",
           R"({"a":1.})",
           R"({"a":-})",
           "",
           "{",
           R"({"server_address":"\ud800"})",
           R"({"server_address":"\udc00x"})",
           R"({"server_address":"\ud800\u0041"})",
           "{\"server_address\":\"\xff\xfe\"}",
           "{\"server_address\":\"caf\xc3\xa9\"}",
       }) {
    ExpectLikeNlohmann(text);
  }
  // Deeper than the reader goes: refused, not a stack overflow.
  bool valid = true;
  tetrars::JsonObjectString(std::string(100000, '['), "k", &valid);
  EXPECT_FALSE(valid);
  tetrars::JsonObjectString("{\"a\":" + std::string(100000, '['), "k", &valid);
  EXPECT_FALSE(valid);
}

}  // namespace
