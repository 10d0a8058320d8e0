// The SBOM embedded in the binary: a zlib-compressed CycloneDX 1.5 JSON
// document in the ELF section ".sbom", added after linking by
// scripts/make_sbom.py (see CMakeLists.txt). `tetrars --sbom` prints it;
// `objcopy --dump-section .sbom=FILE tetrars` extracts it without running
// the binary.
#pragma once

#include <optional>
#include <string>

namespace tetrars {

// The decompressed SBOM of the ELF file at `path`, or nothing with `error`.
std::optional<std::string> ReadEmbeddedSbom(const std::string& path, std::string* error);

}  // namespace tetrars
