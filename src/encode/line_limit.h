// Part of stage 4 (encode): keeps one JSON line within a byte budget, because
// journald splits stdout lines longer than its LineMax (48 KiB by default) and
// a split JSON line is two broken records in the SIEM.
//
// Contract: FitJsonLine() takes the JSON object that AppendJson() wrote at
// line[from..] and, when it is longer than `budget` bytes, shortens its longest
// string values first ("water filling": every string longer than some length C
// is cut to C, with C as large as the budget allows), so the long arguments go
// before a cwd or a binary and short values (numbers as strings, timestamps,
// ids) are never touched. Cuts are made on the escaped JSON text, never inside
// a UTF-8 sequence or an escape, and each cut string ends with
// "...[truncated N bytes]" (N: bytes of escaped text removed). Keys and the
// structure stay as they were, so the result is still valid JSON.
// Returns kFits (untouched), kShortened, or kTooLarge (untouched: even with
// every long string cut, the line would not fit; the caller writes a minimal
// line instead).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tetrars {

enum class FitResult { kFits, kShortened, kTooLarge };

// Strings of at most this many escaped bytes are never shortened.
inline constexpr size_t kShortestCut = 64;

FitResult FitJsonLine(std::string& line, size_t from, size_t budget);

// "...[truncated N bytes]", and its size for N = `removed` (or for any N up to it).
std::string TruncationMarker(size_t removed);
size_t MarkerSize(size_t removed);

// The longest prefix of escaped text (JSON escapes, \xNN, UTF-8) of at most
// `limit` bytes that ends between two whole characters or escapes.
size_t SafeCut(std::string_view text, size_t limit);

}  // namespace tetrars
