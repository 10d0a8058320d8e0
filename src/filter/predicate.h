// Stage 3 of the data path (filter), second part: --match predicates.
//
// Contract: Predicate::Parse() reads 'PATH OP VALUE', where PATH names a
// scalar field of the event message of the selected types (validated, as for
// -f; wrappers such as process.uid read as their value; no repeated field on
// the way), OP is one of == != < <= > >= =~ !~ and VALUE is parsed by the
// field's type (numbers in range, true/false, enum names or numbers, strings;
// =~ and !~ take an RE2 pattern on a string field, unanchored; RE2 comes
// from libtetrars-regex.so, loaded for them: regex.h). Matches()
// only reads the event. A field that is absent (an unset message or wrapper
// on the way, or an event of a type without the field) matches only `!=` and
// `!~`; a scalar that is merely unset in a message that is set reads as its
// default (0, "", false). All predicates must hold; they run after the
// server-side filters and the --auid rule.
//
// No libprotobuf: PATH is resolved against the schema tables (schema.h), and
// Matches() reads the validated wire bytes of the event (event.h) with the
// wire walker (wire.h, FindInEvent). The rules and error texts are those of
// the libprotobuf version it replaces (tests/reference/predicate_reference.h),
// and tests/predicate_test.cpp proves both match alike over the corpus and
// random messages.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "decode/event.h"
#include "decode/event_types.h"
#include "decode/wire.h"
#include "filter/regex_library.h"

namespace tetrars {

class Predicate {
 public:
  // Nothing, with a one-line reason in `error`, for a bad predicate. When
  // `advice` is given, it is set when the predicate needs something other than
  // a better --match: =~ and !~ without libtetrars-regex.so (regex.h).
  static std::optional<Predicate> Parse(const std::string& text,
                                        const std::vector<EventKind>& types, std::string* error,
                                        std::string* advice = nullptr);

  // `event` must be validated (wire::Validate against schema::EventsResponse(),
  // as Event promises). `walker` is only scratch: the caller's one walker,
  // shared by every predicate and stage, so its arena is reused and matching
  // allocates nothing in steady state. Its built indexes stay as they were.
  bool Matches(const Event& event, wire::Walker& walker) const;
  const std::string& path() const { return path_; }

 private:
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kRe, kNotRe };
  // The value classes the comparison and the "different types" rule go by:
  // protobuf's CppType (sint32/sfixed32 are kInt32, string/bytes kString ...).
  enum class Type { kInt32, kInt64, kUint32, kUint64, kDouble, kFloat, kBool, kEnum, kString };

  bool Compare(const wire::Scalar& value) const;

  // Parse()'s steps.
  static Type TypeOf(schema::Kind kind);
  bool ParseOp(const std::string& op);
  bool Route(const schema::Field& event, wire::Path* route, std::string* why) const;
  const schema::Field* ResolveRoutes(const std::vector<EventKind>& types, std::string* why);
  std::string ParseValue(const std::string& op, const std::string& value,
                         const schema::Field& leaf);
  std::string ParseEnumValue(const std::string& value, const schema::Field& leaf);

  std::string path_;
  Op op_ = Op::kEq;
  // Per selected event type that has PATH: the steps from GetEventsResponse
  // (its event member first) down to the scalar.
  wire::EventPath routes_;
  Type type_ = Type::kInt32;
  bool is_string_ = false;  // a string field, not bytes: the regex operators need one
  std::string text_;        // string value
  int64_t signed_ = 0;      // int32/int64/enum value
  uint64_t unsigned_ = 0;   // uint32/uint64 value
  bool boolean_ = false;
  std::optional<Regex> regex_;  // =~ and !~: RE2, from libtetrars-regex.so
};

}  // namespace tetrars
