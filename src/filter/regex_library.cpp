#include "filter/regex_library.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "filter/regex_shim.h"

#ifndef TETRARS_REGEX_LIBRARY_DIR
#error "TETRARS_REGEX_LIBRARY_DIR (where make install puts libtetrars-regex.so) is not defined"
#endif

namespace tetrars {

struct Regex::Library {
  void* handle = nullptr;
  decltype(&tetrars_regex_compile) compile = nullptr;
  decltype(&tetrars_regex_partial_match) partial_match = nullptr;
  decltype(&tetrars_regex_free) free = nullptr;

  Library() = default;
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;
  // Deliberately never dlclose()d: RE2 keeps process-wide allocations (its
  // empty string and group maps) that unloading would strand (LeakSanitizer
  // reports them), and the shared libstdc++ that libre2 brings cannot be
  // unloaded anyway (GNU unique symbols).
  ~Library() = default;
};

struct Regex::Compiled {
  std::shared_ptr<const Library> library;
  tetrars_regex* regex = nullptr;

  Compiled(std::shared_ptr<const Library> from, tetrars_regex* compiled)
      : library(std::move(from)), regex(compiled) {}
  Compiled(const Compiled&) = delete;
  Compiled& operator=(const Compiled&) = delete;
  ~Compiled() { library->free(regex); }
};

namespace {

// The directory of the running binary, from /proc/self/exe (argv[0] may be a
// bare name found on PATH); nothing when /proc is not there.
std::optional<std::string> ExecutableDirectory() {
  char path[4096];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return std::nullopt;
  const std::string exe(path, size_t(n));
  const size_t slash = exe.rfind('/');
  if (slash == std::string::npos) return std::nullopt;
  return exe.substr(0, slash == 0 ? 1 : slash);
}

// Where the library may be as a file, in order: beside the binary, then its
// installed place (once, if the binary runs from there).
std::vector<std::string> Candidates() {
  std::vector<std::string> directories;
  if (auto beside = ExecutableDirectory()) directories.push_back(*beside);
  if (directories.empty() || directories.front() != TETRARS_REGEX_LIBRARY_DIR) {
    directories.push_back(TETRARS_REGEX_LIBRARY_DIR);
  }
  return directories;
}

// The library, when the program links it; its path goes to `where`.
void* AlreadyLoaded(std::string* where) {
  Dl_info info{};
  void* function = dlsym(RTLD_DEFAULT, "tetrars_regex_abi");
  if (function == nullptr || dladdr(function, &info) == 0 || info.dli_fname == nullptr) {
    return nullptr;
  }
  *where = info.dli_fname;
  return dlopen(info.dli_fname, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
}

template <typename Function>
bool Bind(void* handle, const char* name, Function* out) {
  *out = reinterpret_cast<Function>(dlsym(handle, name));
  return *out != nullptr;
}

// The functions of an opened library; nothing, with why, when it is not one
// this tetrars can call.
std::shared_ptr<Regex::Library> Functions(std::shared_ptr<Regex::Library> library,
                                          const std::string& where, RegexError* error) {
  decltype(&tetrars_regex_abi) abi = nullptr;
  void* handle = library->handle;
  if (!Bind(handle, "tetrars_regex_abi", &abi) ||
      !Bind(handle, "tetrars_regex_compile", &library->compile) ||
      !Bind(handle, "tetrars_regex_partial_match", &library->partial_match) ||
      !Bind(handle, "tetrars_regex_free", &library->free)) {
    *error = {RegexError::kLibrary, where + " lacks the tetrars_regex_ functions"};
    return nullptr;
  }
  if (const int version = abi(); version != TETRARS_REGEX_ABI) {
    *error = {RegexError::kLibrary,
              where + " has interface " + std::to_string(version) + ", this tetrars needs " +
                  std::to_string(TETRARS_REGEX_ABI) + ": another build's copy"};
    return nullptr;
  }
  return library;
}

}  // namespace

std::optional<Regex> Regex::Compile(std::string_view pattern, RegexError* error) {
  auto library = std::make_shared<Library>();
  std::string where = kRegexLibrary;
  // Already there (linked by the program, as the tests do): that copy. The
  // library has no SONAME to be found by (a private plugin, not a public
  // library), so it is found by one of its functions.
  library->handle = AlreadyLoaded(&where);
  if (library->handle == nullptr) {
    std::string searched;
    for (const std::string& directory : Candidates()) {
      const std::string path = directory + "/" + kRegexLibrary;
      if (access(path.c_str(), F_OK) != 0 && errno == ENOENT) {
        searched += (searched.empty() ? "" : " or ") + directory;
        continue;
      }
      library->handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (library->handle == nullptr) {
        *error = {RegexError::kLibrary, dlerror()};
        return std::nullopt;
      }
      where = path;
      break;
    }
    if (library->handle == nullptr) {
      *error = {RegexError::kLibrary, "not in " + searched};
      return std::nullopt;
    }
  }
  auto functions = Functions(std::move(library), where, error);
  if (functions == nullptr) return std::nullopt;
  // RE2's reasons quote the pattern (or a part of it): room for all of it.
  std::string reason(pattern.size() + 256, '\0');
  tetrars_regex* compiled =
      functions->compile(pattern.data(), pattern.size(), reason.data(), reason.size());
  if (compiled == nullptr) {
    reason.resize(reason.find('\0'));
    *error = {RegexError::kPattern, reason};
    return std::nullopt;
  }
  return Regex(std::make_shared<const Compiled>(std::move(functions), compiled));
}

bool Regex::PartialMatch(std::string_view text) const {
  return compiled_->library->partial_match(compiled_->regex, text.data(), text.size()) != 0;
}

std::string RegexLibraryMissing(const std::string& option, const RegexError& error) {
  return option + " needs " + kRegexLibrary + " (" + error.text + ")";
}

}  // namespace tetrars
