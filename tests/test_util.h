// Helpers shared by the tests: corpus access and JSON as parsed objects.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace test_util {

std::string CorpusPath(const std::string& file);  // tests/data/tetragon-v0.10/<file>
std::vector<std::string> ReadLines(const std::string& path);
std::string Base64Decode(const std::string& text);  // fails the test on bad input

// tetra's JSON lines as objects (Go's protojson varies spacing: compare objects).
std::vector<nlohmann::json> ParseJsonLines(const std::string& text);

}  // namespace test_util
