// The test oracle for --match: src/filter/predicate.h/.cpp as they were before issue
// 12 ported them to the schema tables, copied verbatim (libprotobuf descriptors
// and reflection over a parsed GetEventsResponse). Only the namespace changed
// (tetrars -> reference). tests/predicate_test.cpp checks that the ported
// tetrars::Predicate parses and matches exactly as this one does. Do not
// "fix" it: it is the behaviour the port must keep.
//
// The original contract:
//
// Contract: Predicate::Parse() reads 'PATH OP VALUE', where PATH names a
// scalar field of the event message of the selected types (validated, as for
// -f; wrappers such as process.uid read as their value; no repeated field on
// the way), OP is one of == != < <= > >= =~ !~ and VALUE is parsed by the
// field's type (numbers in range, true/false, enum names or numbers, strings;
// =~ and !~ take an RE2 pattern on a string field, unanchored). Matches()
// only reads the event. A field that is absent (an unset message or wrapper
// on the way) matches only `!=` and `!~`. All predicates must hold; they run
// after the server-side filters and the --auid rule.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "decode/event_types.h"
#include "tetragon/events.pb.h"

namespace reference {

using tetrars::EventKind;

class Predicate {
 public:
  // Nothing, with a one-line reason in `error`, for a bad predicate.
  static std::optional<Predicate> Parse(const std::string& text,
                                        const std::vector<EventKind>& types, std::string* error);

  bool Matches(const tetragon::GetEventsResponse& event) const;
  const std::string& path() const { return path_; }

 private:
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kRe, kNotRe };
  // The fields from the event message down to the scalar, per event type.
  struct Route {
    const google::protobuf::FieldDescriptor* event = nullptr;  // in GetEventsResponse
    std::vector<const google::protobuf::FieldDescriptor*> fields;
  };

  std::string path_;
  Op op_ = Op::kEq;
  std::vector<Route> routes_;
  google::protobuf::FieldDescriptor::CppType type_{};
  bool is_string_ = false;
  std::string text_;       // string value
  int64_t signed_ = 0;     // int32/int64/enum value
  uint64_t unsigned_ = 0;  // uint32/uint64 value
  bool boolean_ = false;
  std::shared_ptr<re2::RE2> regex_;
};

}  // namespace reference
