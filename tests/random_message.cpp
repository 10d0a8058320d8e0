// See random_message.h (moved here from json_any_bytes_test.cpp, unchanged).
#include "random_message.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>

#include <cmath>
#include <vector>

namespace test_util {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

void RandomMessages::Fill(Message& message, int depth) {
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

std::string RandomMessages::Bytes() {
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

void RandomMessages::Set(Message& m, const google::protobuf::Reflection* r,
                         const FieldDescriptor* f, int depth) {
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

void RandomMessages::Add(Message& m, const google::protobuf::Reflection* r,
                         const FieldDescriptor* f, int depth) {
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

double RandomMessages::Double() {
  return std::ldexp(double(int32_t(random_())), int(random_() % 80) - 40);
}

}  // namespace test_util
