// Cost of printing recorded events: libprotobuf parse + reflection writer
// (today's path) against wire::Validate + WireJsonWriter (issue 12), and of
// the reject path (validate, read the kind and process.auid).
//
//   wire_bench MODE LOOPS corpus.wire.b64...
//   MODE: reflection | wire | reject | peek (today's WirePeeker) | none
//
// Run it under callgrind at two loop counts: the difference divided by the
// extra events is the instructions per event, start-up excluded. Without
// valgrind it prints nanoseconds per event.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "json_writer.h"
#include "decode/schema.h"
#include "tetragon/events.pb.h"
#include "decode/wire.h"
#include "encode/wire_json.h"
#include "wire_peek.h"

namespace {

std::string Base64Decode(const std::string& text) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else
      continue;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xff);
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: wire_bench MODE LOOPS corpus.wire.b64...\n");
    return 2;
  }
  const std::string mode = argv[1];
  const long loops = std::atol(argv[2]);
  std::vector<std::string> events;
  for (int i = 3; i < argc; ++i) {
    std::ifstream in(argv[i]);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) events.push_back(Base64Decode(line));
    }
  }
  const auto& root = tetrars::schema::EventsResponse();
  tetrars::WireJsonWriter writer;
  tetrars::wire::Walker walker;
  tetrars::wire::EventPath auid;
  tetrars::wire::CompileEventPath("process.auid", &auid);
  tetrars::WirePeeker peeker;
  tetragon::GetEventsResponse message;
  std::string out;
  out.reserve(1 << 16);
  size_t sink = 0;
  const auto start = std::chrono::steady_clock::now();
  for (long loop = 0; loop < loops; ++loop) {
    for (const std::string& e : events) {
      const auto* data = reinterpret_cast<const uint8_t*>(e.data());
      out.clear();
      if (mode == "reflection") {
        message.Clear();
        if (message.ParseFromArray(e.data(), int(e.size()))) tetrars::AppendJson(message, out);
      } else if (mode == "wire") {
        if (tetrars::wire::Validate(root, data, e.size())) writer.Append(root, data, e.size(), out);
      } else if (mode == "reject") {
        if (tetrars::wire::Validate(root, data, e.size())) {
          sink += walker.EventKind(data, e.size());
          sink += tetrars::wire::FindInEvent(walker, data, e.size(), auid).bits;
        }
      } else if (mode == "peek") {
        const tetrars::WirePeek peek = peeker.Peek(data, e.size());
        sink += peek.auid + uint32_t(peek.kind);
      }
      sink += out.size();
    }
  }
  const double ns =
      std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s: %zu events x %ld loops, %.0f ns/event (sink %zu)\n", mode.c_str(), events.size(),
              loops, loops ? ns / double(loops * long(events.size())) : 0.0, sink);
  return 0;
}
