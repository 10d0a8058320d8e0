// Every JSON line is valid UTF-8 JSON whatever bytes the agent sends: random
// messages of the whole schema (strings of random bytes, unknown enum numbers,
// maps, nested messages) through the writer and the line limit, checked by an
// independent strict parser (nlohmann::json rejects invalid UTF-8).
#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>
#include <gtest/gtest.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "json_writer.h"
#include "line_limit.h"
#include "tetragon/events.pb.h"
#include "utf8.h"

namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

class RandomMessages {
 public:
  explicit RandomMessages(uint32_t seed) : random_(seed) {}

  void Fill(Message& message, int depth) {
    const auto* descriptor = message.GetDescriptor();
    const auto* reflection = message.GetReflection();
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const FieldDescriptor* field = descriptor->field(i);
      if (Chance(depth == 0 ? 2 : 4)) continue;
      if (field->is_repeated()) {
        const int n = int(random_() % 4);
        for (int k = 0; k < n; ++k) Add(message, reflection, field, depth);
      } else {
        Set(message, reflection, field, depth);
      }
    }
  }

 private:
  bool Chance(int one_in) { return random_() % one_in != 0; }

  std::string Bytes() {
    // Mostly text with the awkward bytes: controls, quotes, backslashes,
    // UTF-8 sequences, and bytes that are not UTF-8 at all.
    static const std::vector<std::string> pieces = {"a",
                                                    "/usr/bin/",
                                                    " ",
                                                    "\"",
                                                    "\\",
                                                    "\n",
                                                    "\x01",
                                                    "\x1f",
                                                    "\x7f",
                                                    "é",
                                                    "€",
                                                    "😀",
                                                    "\xc3",
                                                    "\xff",
                                                    "\xed\xa0\x80",
                                                    "\xf4\x90\x80\x80",
                                                    "\xe2\x80\xa8",
                                                    "\xc0\xaf",
                                                    "\0"};
    std::string text;
    const int n = int(random_() % (Chance(8) ? 20 : 400));
    for (int i = 0; i < n; ++i) {
      if (random_() % 3 == 0) {
        text += char(random_() % 256);
      } else {
        text += pieces[random_() % pieces.size()];
      }
    }
    return text;
  }

  void Set(Message& m, const google::protobuf::Reflection* r, const FieldDescriptor* f, int depth) {
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        r->SetInt32(&m, f, int32_t(random_()));
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        r->SetInt64(&m, f, int64_t(Wide()));
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        r->SetUInt32(&m, f, uint32_t(random_()));
        break;
      case FieldDescriptor::CPPTYPE_UINT64:
        r->SetUInt64(&m, f, Wide());
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        r->SetDouble(&m, f, Double());
        break;
      case FieldDescriptor::CPPTYPE_FLOAT:
        r->SetFloat(&m, f, float(Double()));
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        r->SetBool(&m, f, random_() % 2);
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        r->SetEnumValue(&m, f, int(random_() % 60));
        break;
      case FieldDescriptor::CPPTYPE_STRING:
        r->SetString(&m, f, Bytes());
        break;
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (depth < 4) Fill(*r->MutableMessage(&m, f), depth + 1);
        break;
    }
  }

  void Add(Message& m, const google::protobuf::Reflection* r, const FieldDescriptor* f, int depth) {
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        r->AddInt32(&m, f, int32_t(random_()));
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        r->AddInt64(&m, f, int64_t(Wide()));
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        r->AddUInt32(&m, f, uint32_t(random_()));
        break;
      case FieldDescriptor::CPPTYPE_UINT64:
        r->AddUInt64(&m, f, Wide());
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        r->AddDouble(&m, f, Double());
        break;
      case FieldDescriptor::CPPTYPE_FLOAT:
        r->AddFloat(&m, f, float(Double()));
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        r->AddBool(&m, f, random_() % 2);
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        r->AddEnumValue(&m, f, int(random_() % 60));
        break;
      case FieldDescriptor::CPPTYPE_STRING:
        r->AddString(&m, f, Bytes());
        break;
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (depth < 4) Fill(*r->AddMessage(&m, f), depth + 1);  // map entries too
        break;
    }
  }

  uint64_t Wide() { return (uint64_t(random_()) << 32) | random_(); }
  double Double() { return std::ldexp(double(int32_t(random_())), int(random_() % 80) - 40); }

  std::mt19937 random_;
};

TEST(JsonAnyBytes, RandomMessagesPrintValidUtf8JsonWithinAnyLimit) {
  RandomMessages random(20261127);
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
