// Fuzz harnesses: each checks invariants on arbitrary input and aborts on a
// violation. libFuzzer drives them (fuzz/*_fuzzer.cpp); the unit tests replay
// every input kept in tests/fuzz_regressions/ through them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tetrars_fuzz {

// The deframer must deliver the same messages (or fail at the same point)
// whether the bytes come at once or cut into chunks by the input itself.
void Deframer(const uint8_t* data, size_t size);

// Decode + filter + encode: never crash; tetrars' wire decoder, filter and
// JSON agree with the libprotobuf reference (tests/reference); an event always
// prints as one line of valid UTF-8 JSON; a malformed message always gets an
// explanation.
void DecodeEncode(const uint8_t* data, size_t size);

// Field masks (src/decode/field_mask.h: an old agent's -f/-F, applied by tetrars):
// the input is a list of 1-3 filters, then an event (layout in harness.cpp,
// FieldMaskInput). When wire::ValidateEvent accepts the event, FieldMasks'
// output validates as a GetEventsResponse, parses to what the fmutils oracle
// (tests/reference/field_mask_reference.h) makes of the parsed event (unknown
// fields aside), is the input itself when no mask has a name in it, and is
// the same when applied again.
void FieldMask(const uint8_t* data, size_t size);

}  // namespace tetrars_fuzz
