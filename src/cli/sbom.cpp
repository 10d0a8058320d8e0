#include "cli/sbom.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cstring>
#include <vector>

namespace tetrars {
namespace {

// zlib is loaded for --sbom alone (dlopen), so the daemon does not map it.
struct Zlib {
  void* handle = nullptr;
  decltype(&inflateInit_) init = nullptr;
  decltype(&::inflate) run = nullptr;
  decltype(&inflateEnd) end = nullptr;

  explicit Zlib(std::string* error) {
    handle = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      *error = std::string("cannot load zlib (") + dlerror() + "; install zlib1g)";
      return;
    }
    init = reinterpret_cast<decltype(init)>(dlsym(handle, "inflateInit_"));
    run = reinterpret_cast<decltype(run)>(dlsym(handle, "inflate"));
    end = reinterpret_cast<decltype(end)>(dlsym(handle, "inflateEnd"));
    if (init == nullptr || run == nullptr || end == nullptr) *error = "libz.so.1 lacks inflate";
  }
  Zlib(const Zlib&) = delete;
  Zlib& operator=(const Zlib&) = delete;
  ~Zlib() {
    if (handle != nullptr) dlclose(handle);
  }
  bool ok() const { return end != nullptr; }
};

std::string Inflate(const std::string& compressed, std::string* error) {
  const Zlib zlib(error);
  if (!zlib.ok()) return "";
  z_stream z{};
  if (zlib.init(&z, ZLIB_VERSION, int(sizeof z)) != Z_OK) {
    *error = "cannot start zlib";
    return "";
  }
  std::string out;
  char buffer[16384];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = uInt(compressed.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    rc = zlib.run(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - z.avail_out);
  }
  zlib.end(&z);
  if (rc != Z_STREAM_END) {
    *error = "the .sbom section is not a complete zlib stream";
    return "";
  }
  return out;
}

}  // namespace

std::optional<std::string> ReadEmbeddedSbom(const std::string& path, std::string* error) {
  // POSIX reads, not an ifstream: iostreams would bring libstdc++'s locale
  // machinery into the binary for this one file.
  std::string elf;
  if (const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
    char chunk[65536];
    for (ssize_t n; (n = read(fd, chunk, sizeof chunk)) > 0;) elf.append(chunk, size_t(n));
    close(fd);
  }
  Elf64_Ehdr header;
  if (elf.size() < sizeof header || std::memcmp(elf.data(), ELFMAG, SELFMAG) != 0 ||
      elf[EI_CLASS] != ELFCLASS64) {
    *error = "cannot read " + path + " as a 64-bit ELF file";
    return std::nullopt;
  }
  std::memcpy(&header, elf.data(), sizeof header);
  const auto section = [&](size_t i) {
    Elf64_Shdr s{};
    const size_t at = header.e_shoff + i * header.e_shentsize;
    if (at + sizeof s <= elf.size()) std::memcpy(&s, elf.data() + at, sizeof s);
    return s;
  };
  if (header.e_shstrndx >= header.e_shnum) {
    *error = path + " has no section names";
    return std::nullopt;
  }
  const Elf64_Shdr names = section(header.e_shstrndx);
  for (size_t i = 0; i < header.e_shnum; ++i) {
    const Elf64_Shdr s = section(i);
    if (names.sh_offset + s.sh_name >= elf.size()) continue;
    if (std::strcmp(elf.data() + names.sh_offset + s.sh_name, ".sbom") != 0) continue;
    if (s.sh_offset + s.sh_size > elf.size()) break;
    std::string json = Inflate(elf.substr(s.sh_offset, s.sh_size), error);
    if (json.empty()) return std::nullopt;
    return json;
  }
  *error = path + " has no .sbom section (built without scripts/make_sbom.py, or stripped of it)";
  return std::nullopt;
}

}  // namespace tetrars
