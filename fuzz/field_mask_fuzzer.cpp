// libFuzzer target: an old agent's field filters applied by tetrars
// (src/decode/field_mask.h) against the fmutils oracle (tests/reference/
// field_mask_reference.h), on a mask list and an event that the input
// chooses. The invariants are fuzz/harness.h's FieldMask.
#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tetrars_fuzz::FieldMask(data, size);
  return 0;
}
