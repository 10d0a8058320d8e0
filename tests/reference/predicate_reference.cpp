// See predicate_reference.h: src/filter/predicate.cpp before issue 12, verbatim.
#include "predicate_reference.h"

#include <charconv>

namespace reference {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

bool IsWrapper(const Descriptor* type) {
  return type->file()->name() == "google/protobuf/wrappers.proto";
}

template <typename T>
bool Number(const std::string& text, T* value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return ec == std::errc() && end == text.data() + text.size();
}

template <typename T>
bool Compare(const T& a, const T& b, int op) {
  switch (op) {
    case 0:
      return a == b;
    case 1:
      return a != b;
    case 2:
      return a < b;
    case 3:
      return a <= b;
    case 4:
      return a > b;
    default:
      return a >= b;
  }
}

}  // namespace

std::optional<Predicate> Predicate::Parse(const std::string& text,
                                          const std::vector<EventKind>& types, std::string* error) {
  Predicate p;
  const size_t first_space = text.find(' ');
  const size_t op_end =
      first_space == std::string::npos ? std::string::npos : text.find(' ', first_space + 1);
  if (op_end == std::string::npos) {
    *error = "invalid --match '" + text + "': expected 'PATH OP VALUE'";
    return std::nullopt;
  }
  p.path_ = text.substr(0, first_space);
  const std::string op = text.substr(first_space + 1, op_end - first_space - 1);
  const std::string value = text.substr(op_end + 1);
  static const std::pair<const char*, Op> kOps[] = {
      {"==", Op::kEq}, {"!=", Op::kNe}, {"<", Op::kLt},  {"<=", Op::kLe},
      {">", Op::kGt},  {">=", Op::kGe}, {"=~", Op::kRe}, {"!~", Op::kNotRe}};
  bool known = false;
  for (const auto& [name, code] : kOps) {
    if (op == name) {
      p.op_ = code;
      known = true;
    }
  }
  if (!known) {
    *error =
        "invalid --match '" + text + "': unknown operator '" + op + "' (use == != < <= > >= =~ !~)";
    return std::nullopt;
  }
  // Resolve the path in every selected event type where it exists.
  const FieldDescriptor* leaf = nullptr;
  for (EventKind type : types) {
    const FieldDescriptor* event =
        tetragon::GetEventsResponse::descriptor()->FindFieldByNumber(type);
    if (event == nullptr || event->message_type() == nullptr) continue;
    Route route{event, {}};
    const Descriptor* message = event->message_type();
    size_t start = 0;
    bool ok = true;
    while (ok) {
      const size_t dot = p.path_.find('.', start);
      const FieldDescriptor* field =
          message == nullptr ? nullptr
                             : message->FindFieldByName(p.path_.substr(start, dot - start));
      if (field == nullptr || field->is_repeated()) {
        ok = false;
        if (field != nullptr) {
          *error = "invalid --match '" + text + "': " + field->name() +
                   " is a repeated field: --match reads single values";
          return std::nullopt;
        }
        break;
      }
      route.fields.push_back(field);
      if (dot == std::string::npos) break;
      message = field->message_type();
      start = dot + 1;
    }
    if (!ok) continue;
    const FieldDescriptor* last = route.fields.back();
    if (last->message_type() != nullptr) {
      if (!IsWrapper(last->message_type())) {
        *error = "invalid --match '" + text + "': " + p.path_ + " is a message, not a value";
        return std::nullopt;
      }
      route.fields.push_back(last->message_type()->FindFieldByNumber(1));  // the wrapper's value
    }
    if (leaf != nullptr && leaf->cpp_type() != route.fields.back()->cpp_type()) {
      *error = "invalid --match '" + text + "': " + p.path_ +
               " has different types in the selected events";
      return std::nullopt;
    }
    leaf = route.fields.back();
    p.routes_.push_back(std::move(route));
  }
  if (leaf == nullptr) {
    *error = "invalid --match '" + text + "': no field " + p.path_ + " in the selected event types";
    return std::nullopt;
  }
  p.type_ = leaf->cpp_type();
  p.is_string_ = leaf->type() == FieldDescriptor::TYPE_STRING;
  const bool regex_op = p.op_ == Op::kRe || p.op_ == Op::kNotRe;
  const bool order_op =
      p.op_ == Op::kLt || p.op_ == Op::kLe || p.op_ == Op::kGt || p.op_ == Op::kGe;
  const auto fail = [&](const std::string& why) -> std::optional<Predicate> {
    *error = "invalid --match '" + text + "': " + why;
    return std::nullopt;
  };
  if (regex_op) {
    if (!p.is_string_) return fail(op + " needs a string field; " + p.path_ + " is not one");
    p.regex_ = std::make_shared<re2::RE2>(value, re2::RE2::Quiet);
    if (!p.regex_->ok()) return fail("bad regular expression: " + p.regex_->error());
    return p;
  }
  switch (p.type_) {
    case FieldDescriptor::CPPTYPE_STRING:
      if (order_op) return fail(op + " needs a number field; " + p.path_ + " is a string");
      p.text_ = value;
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      if (order_op || (value != "true" && value != "false")) {
        return fail(p.path_ + " is true or false, compared with == or !=");
      }
      p.boolean_ = value == "true";
      break;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* named = leaf->enum_type()->FindValueByName(value);
      if (named != nullptr) {
        p.signed_ = named->number();
      } else if (!Number(value, &p.signed_)) {
        return fail("'" + value + "' is not a value of " + leaf->enum_type()->name());
      }
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64:
      if (!Number(value, &p.unsigned_) ||
          (p.type_ == FieldDescriptor::CPPTYPE_UINT32 && p.unsigned_ > UINT32_MAX)) {
        return fail("'" + value + "' is not a number " + p.path_ + " can hold");
      }
      break;
    default:
      if (!Number(value, &p.signed_) || (p.type_ == FieldDescriptor::CPPTYPE_INT32 &&
                                         (p.signed_ < INT32_MIN || p.signed_ > INT32_MAX))) {
        return fail("'" + value + "' is not a number " + p.path_ + " can hold");
      }
  }
  return p;
}

bool Predicate::Matches(const tetragon::GetEventsResponse& event) const {
  const bool negative = op_ == Op::kNe || op_ == Op::kNotRe;
  for (const Route& route : routes_) {
    if (event.event_case() != route.event->number()) continue;
    const Message* message = &event.GetReflection()->GetMessage(event, route.event);
    for (size_t i = 0; i + 1 < route.fields.size(); ++i) {
      const Reflection* r = message->GetReflection();
      if (!r->HasField(*message, route.fields[i])) return negative;  // absent
      message = &r->GetMessage(*message, route.fields[i]);
    }
    const FieldDescriptor* leaf = route.fields.back();
    const Reflection* r = message->GetReflection();
    const int op = int(op_);
    switch (type_) {
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string scratch;
        const std::string& value = r->GetStringReference(*message, leaf, &scratch);
        if (op_ == Op::kRe) return re2::RE2::PartialMatch(value, *regex_);
        if (op_ == Op::kNotRe) return !re2::RE2::PartialMatch(value, *regex_);
        return Compare(value, text_, op);
      }
      case FieldDescriptor::CPPTYPE_BOOL:
        return Compare(r->GetBool(*message, leaf), boolean_, op);
      case FieldDescriptor::CPPTYPE_ENUM:
        return Compare<int64_t>(r->GetEnumValue(*message, leaf), signed_, op);
      case FieldDescriptor::CPPTYPE_UINT32:
        return Compare<uint64_t>(r->GetUInt32(*message, leaf), unsigned_, op);
      case FieldDescriptor::CPPTYPE_UINT64:
        return Compare<uint64_t>(r->GetUInt64(*message, leaf), unsigned_, op);
      case FieldDescriptor::CPPTYPE_INT32:
        return Compare<int64_t>(r->GetInt32(*message, leaf), signed_, op);
      case FieldDescriptor::CPPTYPE_INT64:
        return Compare<int64_t>(r->GetInt64(*message, leaf), signed_, op);
      default:
        return false;  // no float fields in the schema
    }
  }
  return negative;  // the event type has no such field: absent
}

}  // namespace reference
