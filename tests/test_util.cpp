#include "test_util.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "replay_source.h"

namespace test_util {

std::string CorpusPath(const std::string& file) {
  return std::string(TETRARS_TEST_DATA) + "/tetragon-v0.10/" + file;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::string Base64Decode(const std::string& text) {
  bool ok = false;
  std::string bytes = fake_agent::Base64Decode(text, &ok);
  EXPECT_TRUE(ok) << "invalid base64: " << text.substr(0, 40);
  return bytes;
}

std::vector<nlohmann::json> ParseJsonLines(const std::string& text) {
  std::vector<nlohmann::json> objects;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) objects.push_back(nlohmann::json::parse(line));
  return objects;
}

}  // namespace test_util
