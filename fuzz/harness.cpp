#include "harness.h"

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "auid_filter.h"
#include "compact_reference.h"
#include "compact_writer.h"
#include "decode.h"
#include "event_filter.h"
#include "grpc_deframer.h"
#include "json_writer.h"
#include "line_limit.h"
#include "pb_decode.h"
#include "process_of.h"
#include "schema.h"
#include "tetragon/events.pb.h"
#include "utf8.h"
#include "wire_json.h"

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

}  // namespace tetrars_fuzz
