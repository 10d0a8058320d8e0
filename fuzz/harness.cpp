#include "harness.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/message_differencer.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/utf8.h"
#include "compact_reference.h"
#include "decode/decode.h"
#include "decode/field_mask.h"
#include "decode/schema.h"
#include "decode/wire.h"
#include "encode/compact_writer.h"
#include "encode/line_limit.h"
#include "encode/wire_json.h"
#include "field_mask_reference.h"
#include "filter/auid_filter.h"
#include "filter/event_filter.h"
#include "json_writer.h"
#include "pb_decode.h"
#include "process_of.h"
#include "tetragon/events.pb.h"
#include "transport/grpc_deframer.h"

namespace tetrars_fuzz {
namespace {

[[noreturn]] void Violation(const char* what) {
  std::cerr << "invariant violated: " << what << "\n";
  std::abort();
}

struct Outcome {
  std::vector<std::string> messages;
  bool failed = false;
  tetrars::GrpcDeframer::Problem problem = tetrars::GrpcDeframer::Problem::kNone;
};

Outcome Run(const uint8_t* data, size_t size, const std::vector<size_t>& cuts) {
  constexpr size_t kMax = 1 << 16;
  Outcome outcome;
  tetrars::GrpcDeframer deframer(kMax, [&](const uint8_t* d, size_t n) {
    if (n > kMax) Violation("a message above the maximum was delivered");
    outcome.messages.emplace_back(reinterpret_cast<const char*>(d), n);
    return true;
  });
  size_t from = 0;
  for (size_t cut : cuts) {
    if (!deframer.Feed(data + from, cut - from)) break;
    from = cut;
  }
  if (deframer.problem() == tetrars::GrpcDeframer::Problem::kNone) {
    deframer.Feed(data + from, size - from);
  }
  outcome.problem = deframer.problem();
  outcome.failed = outcome.problem != tetrars::GrpcDeframer::Problem::kNone;
  return outcome;
}

// Every path of the schema below `type`, at most 4 names deep, and after
// each map some of its keys ("" adds a trailing dot: an empty segment).
void SchemaPaths(const google::protobuf::Descriptor* type, const std::string& prefix, int depth,
                 std::set<std::string>& out) {
  for (int i = 0; i < type->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = type->field(i);
    const std::string path = prefix + field->name();
    out.insert(path);
    if (field->is_map()) {
      for (const char* key : {"app", "tier", ""}) out.insert(path + "." + key);
    } else if (field->message_type() != nullptr && depth < 3) {
      SchemaPaths(field->message_type(), path + ".", depth + 1, out);
    }
  }
}

// What a field mask input picks its paths from. The first ones are fixed
// (scripts/fuzz.py's seeds name them by index): real paths, nested ones, map
// keys, names no type has, empty segments, submasks below scalars and lists
// of scalars. Then, sorted, every path of the schema below each event type.
const std::vector<std::string>& MaskPaths() {
  static const std::vector<std::string> paths = [] {
    std::vector<std::string> out = {
        "process",                                        // 0
        "process.pid",                                    // 1
        "process.binary",                                 // 2
        "process.pod.pod_labels.app",                     // 3
        "process.pod.pod_labels",                         // 4
        "parent",                                         // 5
        "ancestors.binary",                               // 6
        "process.arguments.first",                        // 7: a scalar with a submask
        "",                                               // 8
        ".",                                              // 9
        "..process..binary.",                             // 10
        "nosuch",                                         // 11
        "process.nosuch",                                 // 12
        "process.pid.value",                              // 13: a wrapper's field
        "time",                                           // 14: the event's, never the response's
        "node_name",                                      // 15
        "process.process_credentials.caps",               // 16
        "process.start_time.nanos",                       // 17
        "args.string_arg",                                // 18
        "return.int_arg",                                 // 19
        "process.pod.pod_labels.tier",                    // 20
        "process.pod.pod_labels.app.kubernetes.io/name",  // 21: a key with dots
        "process.pod",                                    // 22
        "process.cwd",                                    // 23
        "parent.pid",                                     // 24
        "status",                                         // 25
        "process.process_credentials.caps.permitted.x",   // 26: a list of scalars, a submask
        "process.pod.pod_labels.",                        // 27
        "process.pod.pod_labels.app.x",                   // 28: below a string value
        "process.pod.pod_annotations",                    // 29
        "app",                                            // 30
        "process.auid",                                   // 31
    };
    std::set<std::string> schema;
    const google::protobuf::OneofDescriptor* event =
        tetragon::GetEventsResponse::descriptor()->FindOneofByName("event");
    for (int i = 0; i < event->field_count(); ++i) {
      SchemaPaths(event->field(i)->message_type(), "", 0, schema);
    }
    out.insert(out.end(), schema.begin(), schema.end());
    return out;
  }();
  return paths;
}

// A field mask input: byte 0 holds the number of filters (1 + b % 3) and in
// bits 2, 3, 4 whether the first, second, third is EXCLUDE (else INCLUDE).
// Each filter then has a byte for its number of paths (b % 8), and each path
// 1 to 3 pieces of 2 bytes (little-endian): the low 15 bits pick one of
// MaskPaths() (modulo their number), the top bit says that another piece
// follows, joined with '.'. The rest of the input is the event. False when
// the input ends before the event.
bool FieldMaskInput(const uint8_t*& data, size_t& size, reference::FieldMaskSpecs& specs) {
  const std::vector<std::string>& paths = MaskPaths();
  size_t at = 0;
  const auto byte = [&](uint8_t& b) {
    if (at >= size) return false;
    b = data[at++];
    return true;
  };
  uint8_t head = 0;
  if (!byte(head)) return false;
  specs.resize(1 + head % 3);
  for (size_t f = 0; f < specs.size(); ++f) {
    specs[f].exclude = (head >> (2 + f)) & 1;
    uint8_t count = 0;
    if (!byte(count)) return false;
    for (int p = 0; p < count % 8; ++p) {
      std::string path;
      for (int piece = 0; piece < 3; ++piece) {
        uint8_t low = 0, high = 0;
        if (!byte(low) || !byte(high)) return false;
        if (piece > 0) path += '.';
        path += paths[(low | (high & 0x7f) << 8) % paths.size()];
        if (!(high & 0x80)) break;
      }
      specs[f].paths.push_back(std::move(path));
    }
  }
  data += at;
  size -= at;
  return true;
}

}  // namespace

void Deframer(const uint8_t* data, size_t size) {
  if (size < 1) return;
  // The first byte seeds where the rest is cut.
  const uint8_t step = data[0] | 1;
  ++data;
  --size;
  std::vector<size_t> cuts;
  for (size_t at = step % 7; at < size; at += step % 13 + 1) cuts.push_back(at);
  const Outcome whole = Run(data, size, {});
  const Outcome pieces = Run(data, size, cuts);
  if (whole.messages != pieces.messages) Violation("chunking changed the messages");
  if (whole.problem != pieces.problem) Violation("chunking changed the error");
  size_t framed = 0;
  for (const auto& m : whole.messages) framed += 5 + m.size();
  if (framed > size) Violation("delivered more bytes than were fed");
}

void DecodeEncode(const uint8_t* data, size_t size) {
  // tetrars' decoder (wire bytes, schema tables) against the reference
  // (libprotobuf): the same verdict, the same kind, the same auid verdict,
  // the same JSON.
  tetrars::Decoder decoder;
  const auto result = decoder.Decode(data, size);
  tetrars::reference::PbDecoder reference;
  const auto expected = reference.Decode(data, size);
  if (int(result) != int(expected)) Violation("the decoder and libprotobuf disagree on validity");
  // The skim (issue 22) reads any bytes, valid or not; its facts are checked
  // below where libprotobuf has an answer.
  tetrars::Decoder skimmer;
  const bool skimmed = skimmer.Skim(data, size);
  if (result == tetrars::Decoder::Result::kMalformed) {
    if (decoder.problem().empty()) Violation("no explanation for bad bytes");
    return;
  }
  if (decoder.event().kind != uint32_t(reference.event().event_case())) {
    Violation("the decoder reads another event kind");
  }
  std::string error;
  const auto auid = tetrars::AuidFilter::Parse("1000-4294967294", &error);
  const tetrars::EventFilter filter(
      {tetrars::EventKind(tetragon::PROCESS_EXEC), tetrars::EventKind(tetragon::PROCESS_EXIT)},
      *auid);
  const tetragon::Process* process = tetrars::SubjectProcess(reference.event());
  const bool has_auid = process != nullptr && process->has_auid();
  if (filter.Check(decoder.event(), decoder.walker()) !=
      filter.CheckFacts(reference.event().event_case(), has_auid,
                        has_auid ? process->auid().value() : 0)) {
    Violation("the filter reads another auid than libprotobuf");
  }
  if (skimmed) {
    if (skimmer.event().kind != uint32_t(reference.event().event_case())) {
      Violation("the skim reads another event kind than libprotobuf");
    }
    if (filter.Check(skimmer.event(), skimmer.walker()) !=
        filter.CheckFacts(reference.event().event_case(), has_auid,
                          has_auid ? process->auid().value() : 0)) {
      Violation("the skim reads another auid than libprotobuf");
    }
  }
  std::string line = "x";
  tetrars::WireJsonWriter writer;
  const tetrars::Event& event = decoder.event();
  const bool printed =
      writer.Append(tetrars::schema::EventsResponse(), event.data, event.size, line, &error);
  std::string reference_line = "x";
  std::string reference_error;
  const bool reference_printed =
      tetrars::AppendJson(reference.event(), reference_line, &reference_error);
  if (printed != reference_printed || line != reference_line || error != reference_error) {
    Violation("the wire JSON differs from the reference's");
  }
  if (!printed) {
    if (line != "x") Violation("a refused event left output behind");
    if (error.empty()) Violation("a refused event has no reason");
    return;
  }
  line.erase(0, 1);
  if (line.empty() || line.front() != '{' || line.back() != '}') Violation("not a JSON object");
  if (line.find('\n') != std::string::npos) Violation("a newline inside a JSON line");
  if (!tetrars::IsValidUtf8(line)) Violation("JSON output is not valid UTF-8");

  // The line limit, at a budget the input chooses: within it, still UTF-8,
  // still one object, or untouched when it cannot fit.
  const size_t budget = 100 + (size > 0 ? data[size - 1] : 0) * 8;
  const std::string whole = line;
  switch (tetrars::FitJsonLine(line, 0, budget)) {
    case tetrars::FitResult::kFits:
      if (line != whole) Violation("a line that fits was changed");
      break;
    case tetrars::FitResult::kShortened:
      if (line.size() > budget) Violation("a shortened line exceeds the budget");
      if (!tetrars::IsValidUtf8(line)) Violation("a shortened line is not valid UTF-8");
      if (line.front() != '{' || line.back() != '}') Violation("a shortened line is no object");
      break;
    case tetrars::FitResult::kTooLarge:
      if (line != whole) Violation("a line that cannot fit was changed");
      break;
  }

  // Compact mode: one line, valid UTF-8, within the budget.
  std::string compact;
  tetrars::CompactWriter compact_writer;
  compact_writer.Append(decoder.event(), true, budget, compact);
  std::string reference_compact;
  ::reference::AppendCompactLine(reference.event(), true, budget, reference_compact);
  if (compact != reference_compact) Violation("the compact line differs from the reference's");
  if (compact.find('\n') != std::string::npos) Violation("a newline inside a compact line");
  if (compact.size() > budget) Violation("a compact line exceeds the budget");
  if (!tetrars::IsValidUtf8(compact)) Violation("a compact line is not valid UTF-8");
}

void FieldMask(const uint8_t* data, size_t size) {
  reference::FieldMaskSpecs specs;
  if (!FieldMaskInput(data, size, specs)) return;
  // The event alone in a buffer of its size: ASan sees any read outside it.
  const std::unique_ptr<uint8_t[]> copy(new uint8_t[size]);
  if (size > 0) std::memcpy(copy.get(), data, size);
  const uint8_t* event = copy.get();
  tetrars::wire::EventFacts facts;
  if (!tetrars::wire::ValidateEvent(event, size, &facts)) return;

  tetragon::GetEventsResponse want;
  if (!want.ParseFromArray(event, int(size))) Violation("ValidateEvent accepts, libprotobuf not");
  reference::ApplyFieldMasks(want, specs);

  tetrars::FieldMasks masks;
  for (const auto& spec : specs) masks.Add(spec.paths, spec.exclude);
  static tetrars::wire::Walker walker;  // reused across events, as tetrars does
  std::string out;
  masks.Apply(event, size, walker, out);
  if (masks.empty() && out != std::string_view(reinterpret_cast<const char*>(event), size)) {
    Violation("no mask, yet the bytes changed");
  }
  std::string problem;
  if (!tetrars::wire::Validate(tetrars::schema::EventsResponse(),
                               reinterpret_cast<const uint8_t*>(out.data()), out.size(),
                               &problem)) {
    std::cerr << reference::DescribeFieldMasks(specs) << ": " << problem << "\n";
    Violation("the masked event is not a valid GetEventsResponse");
  }
  tetragon::GetEventsResponse got;
  if (!got.ParseFromString(out)) Violation("libprotobuf rejects the masked event");
  // Unknown fields are never printed, and FieldMasks may drop them.
  want.DiscardUnknownFields();
  got.DiscardUnknownFields();
  if (!google::protobuf::util::MessageDifferencer::Equals(want, got)) {
    std::cerr << reference::DescribeFieldMasks(specs) << "\n oracle: " << want.ShortDebugString()
              << "\n ours:   " << got.ShortDebugString() << "\n";
    Violation("the masked event differs from the fmutils oracle's");
  }
  std::string again;
  masks.Apply(event, size, walker, again);
  if (again != out) Violation("a second Apply wrote other bytes");
}

}  // namespace tetrars_fuzz
