// libFuzzer target: the wire walker against libprotobuf on raw bytes.
// Invariants (abort on violation):
//   - wire::Validate's verdict on GetEventsResponse equals ParseFromArray's;
//   - when valid, WireJsonWriter prints exactly what AppendJson prints for
//     the parsed message, or refuses with the same error;
//   - the event kind and process.auid read from the wire equal the parsed
//     message's.
#include <google/protobuf/stubs/logging.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "decode/schema.h"
#include "decode/wire.h"
#include "encode/wire_json.h"
#include "json_writer.h"
#include "tetragon/events.pb.h"

namespace {

[[noreturn]] void Violation(const std::string& what) {
  std::cerr << "invariant violated: " << what << "\n";
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = [] {
    google::protobuf::SetLogHandler(nullptr);  // parse failures are expected here
    return true;
  }();
  (void)quiet;
  static tetrars::WireJsonWriter writer;
  static tetrars::wire::Walker walker;
  static const tetrars::wire::EventPath auid = [] {
    tetrars::wire::EventPath path;
    if (!tetrars::wire::CompileEventPath("process.auid", &path)) Violation("no process.auid");
    return path;
  }();

  tetragon::GetEventsResponse parsed;
  const bool want_valid = parsed.ParseFromArray(data, int(size));
  std::string problem;
  const bool got_valid =
      tetrars::wire::Validate(tetrars::schema::EventsResponse(), data, size, &problem);
  if (want_valid != got_valid) {
    Violation(std::string("verdict: libprotobuf ") + (want_valid ? "valid" : "invalid") +
              ", walker " + (got_valid ? "valid" : "invalid (" + problem + ")"));
  }
  if (!got_valid) return 0;

  std::string want, want_error, got, got_error;
  const bool want_printed = tetrars::AppendJson(parsed, want, &want_error);
  const bool got_printed =
      writer.Append(tetrars::schema::EventsResponse(), data, size, got, &got_error);
  if (want_printed != got_printed || want != got || want_error != got_error) {
    Violation("JSON:\n  AppendJson: " + want + want_error + "\n  wire JSON:  " + got + got_error);
  }

  if (walker.EventKind(data, size) != uint32_t(parsed.event_case())) Violation("event kind");
  const tetrars::wire::Scalar got_auid = tetrars::wire::FindInEvent(walker, data, size, auid);
  const tetragon::Process* process = nullptr;
  switch (parsed.event_case()) {
    case tetragon::GetEventsResponse::kProcessExec:
      process = &parsed.process_exec().process();
      break;
    case tetragon::GetEventsResponse::kProcessExit:
      process = &parsed.process_exit().process();
      break;
    case tetragon::GetEventsResponse::kProcessKprobe:
      process = &parsed.process_kprobe().process();
      break;
    default:
      break;
  }
  if (process != nullptr) {
    if (got_auid.present != process->has_auid() ||
        (got_auid.present && uint32_t(got_auid.bits) != process->auid().value())) {
      Violation("process.auid");
    }
  }
  return 0;
}
