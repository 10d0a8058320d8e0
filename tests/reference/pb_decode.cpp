#include "pb_decode.h"

#include <limits>

#include "wire_peek.h"

namespace tetrars::reference {

std::string PbDecoder::Explain(const uint8_t* data, size_t size) {
  const WirePeek peek = PeekEvent(data, size);
  return peek.problem.empty() ? "protobuf refused it" : peek.problem;
}

PbDecoder::Result PbDecoder::Decode(const uint8_t* data, size_t size) {
  event_.Clear();
  if (size > size_t(std::numeric_limits<int>::max()) || !event_.ParseFromArray(data, int(size))) {
    return Result::kMalformed;
  }
  if (event_.event_case() == tetragon::GetEventsResponse::EVENT_NOT_SET) return Result::kUnmodelled;
  return Result::kEvent;
}

}  // namespace tetrars::reference
