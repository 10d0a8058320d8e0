// libFuzzer target: decode + filter + encode of one GetEventsResponse.
#include <google/protobuf/stubs/logging.h>

#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = [] {
    google::protobuf::SetLogHandler(nullptr);  // parse failures are expected here
    return true;
  }();
  (void)quiet;
  tetrars_fuzz::DecodeEncode(data, size);
  return 0;
}
