// Build-time schema compiler: protoc's FileDescriptorSet (--include_imports)
// -> generated/schema_tables.cpp, the constant tables src/decode/schema.h declares.
//
//   schema_compiler <descriptor_set.pb> <out.cpp>
//
// Why a C++ program over the descriptor set, not a protoc plugin or a script:
//   - it needs only libprotobuf, already a build dependency (a plugin needs
//     libprotoc and the plugin protocol; a Python script needs python3-protobuf,
//     which the build does not install);
//   - it loads the set into a DescriptorPool, so every property it writes down
//     (packedness, presence, map entries, real vs synthetic oneofs, alias
//     resolution of enum numbers) is the one libprotobuf itself computes, the
//     same descriptors the tests use as the oracle;
//   - it is an ordinary host executable, so CMake orders it like any other
//     generator (protoc -> descriptor set -> this -> compile).
// The output is deterministic (sorted by full name), so rebuilds are stable.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;

const char* KindName(FieldDescriptor::Type type) {
  switch (type) {
    case FieldDescriptor::TYPE_INT32:
      return "kInt32";
    case FieldDescriptor::TYPE_INT64:
      return "kInt64";
    case FieldDescriptor::TYPE_UINT32:
      return "kUint32";
    case FieldDescriptor::TYPE_UINT64:
      return "kUint64";
    case FieldDescriptor::TYPE_SINT32:
      return "kSint32";
    case FieldDescriptor::TYPE_SINT64:
      return "kSint64";
    case FieldDescriptor::TYPE_FIXED32:
      return "kFixed32";
    case FieldDescriptor::TYPE_FIXED64:
      return "kFixed64";
    case FieldDescriptor::TYPE_SFIXED32:
      return "kSfixed32";
    case FieldDescriptor::TYPE_SFIXED64:
      return "kSfixed64";
    case FieldDescriptor::TYPE_BOOL:
      return "kBool";
    case FieldDescriptor::TYPE_FLOAT:
      return "kFloat";
    case FieldDescriptor::TYPE_DOUBLE:
      return "kDouble";
    case FieldDescriptor::TYPE_STRING:
      return "kString";
    case FieldDescriptor::TYPE_BYTES:
      return "kBytes";
    case FieldDescriptor::TYPE_ENUM:
      return "kEnum";
    case FieldDescriptor::TYPE_MESSAGE:
      return "kMessage";
    case FieldDescriptor::TYPE_GROUP:
      break;
  }
  return nullptr;  // groups: not in proto3, refused below
}

int WireType(FieldDescriptor::Type type) {
  switch (type) {
    case FieldDescriptor::TYPE_FIXED64:
    case FieldDescriptor::TYPE_SFIXED64:
    case FieldDescriptor::TYPE_DOUBLE:
      return 1;
    case FieldDescriptor::TYPE_FIXED32:
    case FieldDescriptor::TYPE_SFIXED32:
    case FieldDescriptor::TYPE_FLOAT:
      return 5;
    case FieldDescriptor::TYPE_STRING:
    case FieldDescriptor::TYPE_BYTES:
    case FieldDescriptor::TYPE_MESSAGE:
      return 2;
    default:
      return 0;
  }
}

const char* WellKnownName(const std::string& name) {
  static const std::map<std::string, const char*> kKnown = {
      {"google.protobuf.Timestamp", "kTimestamp"},
      {"google.protobuf.Duration", "kDuration"},
      {"google.protobuf.FieldMask", "kFieldMask"},
      {"google.protobuf.DoubleValue", "kDoubleValue"},
      {"google.protobuf.FloatValue", "kFloatValue"},
      {"google.protobuf.Int64Value", "kInt64Value"},
      {"google.protobuf.UInt64Value", "kUInt64Value"},
      {"google.protobuf.Int32Value", "kInt32Value"},
      {"google.protobuf.UInt32Value", "kUInt32Value"},
      {"google.protobuf.BoolValue", "kBoolValue"},
      {"google.protobuf.StringValue", "kStringValue"},
      {"google.protobuf.BytesValue", "kBytesValue"},
      {"google.protobuf.Any", "kAny"},
      {"google.protobuf.Struct", "kStruct"},
      {"google.protobuf.Value", "kValue"},
      {"google.protobuf.ListValue", "kListValue"},
  };
  auto it = kKnown.find(name);
  return it == kKnown.end() ? "kNone" : it->second;
}

std::string Quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void CollectMessages(const Descriptor* d, std::vector<const Descriptor*>& out,
                     std::vector<const EnumDescriptor*>& enums) {
  out.push_back(d);
  for (int i = 0; i < d->nested_type_count(); ++i) CollectMessages(d->nested_type(i), out, enums);
  for (int i = 0; i < d->enum_type_count(); ++i) enums.push_back(d->enum_type(i));
}

[[noreturn]] void Die(const std::string& why) {
  std::cerr << "schema_compiler: " << why << "\n";
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) Die("usage: schema_compiler <descriptor_set.pb> <out.cpp>");
  std::ifstream in(argv[1], std::ios::binary);
  google::protobuf::FileDescriptorSet set;
  if (!in || !set.ParseFromIstream(&in)) Die(std::string("cannot read ") + argv[1]);

  google::protobuf::DescriptorPool pool;
  std::vector<const Descriptor*> messages;
  std::vector<const EnumDescriptor*> enums;
  for (const auto& file_proto : set.file()) {  // dependencies come first
    const google::protobuf::FileDescriptor* file = pool.BuildFile(file_proto);
    if (file == nullptr) Die("cannot build " + file_proto.name());
    for (int i = 0; i < file->message_type_count(); ++i) {
      CollectMessages(file->message_type(i), messages, enums);
    }
    for (int i = 0; i < file->enum_type_count(); ++i) enums.push_back(file->enum_type(i));
  }
  const auto by_name = [](const auto* a, const auto* b) { return a->full_name() < b->full_name(); };
  std::sort(messages.begin(), messages.end(), by_name);
  std::sort(enums.begin(), enums.end(), by_name);
  std::map<const Descriptor*, int> message_index;
  std::map<const EnumDescriptor*, int> enum_index;
  for (size_t i = 0; i < messages.size(); ++i) message_index[messages[i]] = int(i);
  for (size_t i = 0; i < enums.size(); ++i) enum_index[enums[i]] = int(i);

  std::ostringstream o;
  o << "// Generated by tools/schema_compiler from " << set.file_size()
    << " .proto files. Do not edit.\n"
       "#include \"decode/schema.h\"\n\nnamespace tetrars::schema {\nnamespace {\n\n";
  o << "[[maybe_unused]] constexpr uint8_t kNoDense[1] = {0};\n"
       "[[maybe_unused]] constexpr NumberedField kNoSparse[1] = {{0, 0}};\n"
       "[[maybe_unused]] constexpr Oneof kNoOneofs[1] = {{\"\", 0, 0}};\n\n";

  // Small numbers go in a dense byte table, as long as it stays small.
  constexpr int kDenseLimit = 256;
  for (size_t m = 0; m < messages.size(); ++m) {
    const Descriptor* d = messages[m];
    if (d->field_count() >= 255) Die(d->full_name() + ": too many fields for the dense table");
    o << "// " << d->full_name() << "\n";
    if (d->field_count() > 0) {
      o << "constexpr Field kFields" << m << "[] = {\n";
      for (int i = 0; i < d->field_count(); ++i) {
        const FieldDescriptor* f = d->field(i);
        const char* kind = KindName(f->type());
        if (kind == nullptr) Die(f->full_name() + ": groups are not supported");
        int flags = 0;
        if (f->is_repeated()) flags |= 1;
        if (f->is_packed()) flags |= 2;
        if (f->is_repeated() && f->is_packable()) flags |= 4;
        if (f->is_map()) flags |= 8;
        if (f->has_presence()) flags |= 16;
        std::string key_kind = "kInt32", value_kind = "kInt32";
        if (f->is_map()) {
          key_kind = KindName(f->message_type()->map_key()->type());
          value_kind = KindName(f->message_type()->map_value()->type());
        }
        const auto* oneof = f->real_containing_oneof();
        int type = -1;
        if (f->type() == FieldDescriptor::TYPE_MESSAGE) type = message_index.at(f->message_type());
        if (f->type() == FieldDescriptor::TYPE_ENUM) type = enum_index.at(f->enum_type());
        o << "    {" << Quote(f->name()) << ", " << Quote("\"" + f->name() + "\":") << ", "
          << f->number() << ", Kind::" << kind << ", " << WireType(f->type()) << ", " << flags
          << ", Kind::" << key_kind << ", Kind::" << value_kind << ", "
          << (oneof ? oneof->index() : -1) << ", " << type << ", " << i << "},\n";
      }
      o << "};\n";
    }
    int dense_size = 0;
    std::vector<std::pair<int, int>> sparse;
    for (int i = 0; i < d->field_count(); ++i) {
      const int n = d->field(i)->number();
      if (n < kDenseLimit) {
        dense_size = std::max(dense_size, n + 1);
      } else {
        sparse.emplace_back(n, i);
      }
    }
    if (dense_size > 0) {
      std::vector<int> dense(size_t(dense_size), 0);
      for (int i = 0; i < d->field_count(); ++i) {
        if (d->field(i)->number() < kDenseLimit) dense[size_t(d->field(i)->number())] = i + 1;
      }
      o << "constexpr uint8_t kDense" << m << "[] = {";
      for (size_t n = 0; n < dense.size(); ++n) o << (n ? ", " : "") << dense[n];
      o << "};\n";
    }
    std::sort(sparse.begin(), sparse.end());
    if (!sparse.empty()) {
      o << "constexpr NumberedField kSparse" << m << "[] = {";
      for (size_t k = 0; k < sparse.size(); ++k) {
        o << (k ? ", " : "") << "{" << sparse[k].first << ", " << sparse[k].second << "}";
      }
      o << "};\n";
    }
    if (d->real_oneof_decl_count() > 0) {
      o << "constexpr Oneof kOneofs" << m << "[] = {";
      for (int k = 0; k < d->real_oneof_decl_count(); ++k) {
        const auto* oneof = d->oneof_decl(k);
        o << (k ? ", " : "") << "{" << Quote(oneof->name()) << ", " << oneof->field(0)->index()
          << ", " << oneof->field_count() << "}";
      }
      o << "};\n";
    }
  }

  for (size_t e = 0; e < enums.size(); ++e) {
    // One name per number: the first declared, as EnumDescriptor::FindValueByNumber.
    std::map<int, std::string> names;
    for (int i = 0; i < enums[e]->value_count(); ++i) {
      names.emplace(enums[e]->value(i)->number(), enums[e]->value(i)->name());
    }
    o << "constexpr EnumValue kValues" << e << "[] = {";
    bool first = true;
    for (const auto& [number, name] : names) {
      o << (first ? "" : ", ") << "{" << number << ", " << Quote(name) << "}";
      first = false;
    }
    o << "};\n";
  }

  o << "\nconstexpr Message kMessages[] = {\n";
  for (size_t m = 0; m < messages.size(); ++m) {
    const Descriptor* d = messages[m];
    bool dense = false, sparse = false;
    for (int i = 0; i < d->field_count(); ++i) {
      (d->field(i)->number() < kDenseLimit ? dense : sparse) = true;
    }
    o << "    {" << Quote(d->full_name()) << ", "
      << (d->field_count() ? "kFields" + std::to_string(m)
                           : std::string("std::span<const Field>()"))
      << ", "
      << (dense ? "kDense" + std::to_string(m)
                : std::string("std::span<const uint8_t>(kNoDense, 0)"))
      << ", "
      << (sparse ? "kSparse" + std::to_string(m)
                 : std::string("std::span<const NumberedField>(kNoSparse, 0)"))
      << ", "
      << (d->real_oneof_decl_count() ? "kOneofs" + std::to_string(m)
                                     : std::string("std::span<const Oneof>(kNoOneofs, 0)"))
      << ", WellKnown::" << WellKnownName(d->full_name()) << ", "
      << (d->options().map_entry() ? "true" : "false") << "},\n";
  }
  o << "};\n\nconstexpr Enum kEnums[] = {\n";
  for (size_t e = 0; e < enums.size(); ++e) {
    o << "    {" << Quote(enums[e]->full_name()) << ", kValues" << e << "},\n";
  }
  o << "};\n\n}  // namespace\n\nconst Schema kSchema = {kMessages, kEnums};\n\n"
       "}  // namespace tetrars::schema\n";

  std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
  out << o.str();
  if (!out) Die(std::string("cannot write ") + argv[2]);
  return 0;
}
