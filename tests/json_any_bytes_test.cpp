// Every JSON line is valid UTF-8 JSON whatever bytes the agent sends: random
// messages of the whole schema (strings of random bytes, unknown enum numbers,
// maps, nested messages) through the writer and the line limit, checked by an
// independent strict parser (nlohmann::json rejects invalid UTF-8).
#include <gtest/gtest.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "base/utf8.h"
#include "encode/line_limit.h"
#include "json_writer.h"
#include "random_message.h"
#include "tetragon/events.pb.h"

namespace {

TEST(JsonAnyBytes, RandomMessagesPrintValidUtf8JsonWithinAnyLimit) {
  test_util::RandomMessages random(20261127);
  std::mt19937 budgets(7);
  int printed = 0, refused = 0, shortened = 0, too_large = 0;
  for (int i = 0; i < 3000; ++i) {
    tetragon::GetEventsResponse event;
    random.Fill(event, 0);
    std::string line;
    std::string error;
    if (!tetrars::AppendJson(event, line, &error)) {
      // Only what protojson refuses too (a Timestamp or Duration out of range).
      EXPECT_TRUE(error.find("out of range") != std::string::npos) << error;
      EXPECT_TRUE(line.empty());
      ++refused;
      continue;
    }
    ++printed;
    ASSERT_TRUE(tetrars::IsValidUtf8(line)) << "message " << i;
    ASSERT_TRUE(nlohmann::json::accept(line)) << "message " << i << ": " << line;
    const size_t budget = 128 + budgets() % 2048;
    const tetrars::FitResult fit = tetrars::FitJsonLine(line, 0, budget);
    if (fit == tetrars::FitResult::kShortened) {
      ++shortened;
      ASSERT_LE(line.size(), budget);
      ASSERT_TRUE(tetrars::IsValidUtf8(line)) << "message " << i;
      ASSERT_TRUE(nlohmann::json::accept(line)) << "message " << i << ": " << line;
    }
    if (fit == tetrars::FitResult::kTooLarge) ++too_large;
  }
  std::cout << printed << " printed (" << shortened << " shortened, " << too_large
            << " too large), " << refused << " refused\n";
  // The generator must exercise every path, or this test proves little.
  EXPECT_GT(printed, 1000);
  EXPECT_GT(refused, 10);
  EXPECT_GT(shortened, 100);
  EXPECT_GT(too_large, 10);
}

}  // namespace
