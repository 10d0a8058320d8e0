// libFuzzer target: gRPC message framing (src/transport/grpc_deframer.h).
#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tetrars_fuzz::Deframer(data, size);
  return 0;
}
