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

}  // namespace tetrars_fuzz
