// What ships with the binary: the embedded SBOM and the man page.
#include <google/protobuf/stubs/common.h>
#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>
#include <zlib.h>

#include <fstream>
#include <regex>
#include <set>

#include "e2e_support.h"

namespace {

using nlohmann::json;

std::string Output(const std::string& command) {
  std::string out;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buf[4096];
    for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
    pclose(pipe);
  }
  return out;
}

std::string SectionWithObjcopy() {
  const std::string dir = test_util::MakeTempDir();
  const std::string file = dir + "/sbom.z";
  EXPECT_EQ(std::system(
                ("objcopy --dump-section .sbom=" + file + " " + e2e::kTetrars + " " + dir + "/copy")
                    .c_str()),
            0);
  const std::string compressed = test_util::ReadFile(file);
  std::filesystem::remove_all(dir);
  std::string out(1 << 20, '\0');
  uLongf size = out.size();
  EXPECT_EQ(uncompress(reinterpret_cast<Bytef*>(out.data()), &size,
                       reinterpret_cast<const Bytef*>(compressed.data()), compressed.size()),
            Z_OK);
  out.resize(size);
  return out;
}

// The component of the Debian package whose name starts with `prefix`
// (libnghttp2-14 when linked dynamically, libnghttp2-dev for the archive).
const json* Component(const json& bom, const std::string& prefix) {
  for (const json& c : bom["components"]) {
    if (c["name"].get<std::string>().rfind(prefix, 0) == 0) return &c;
  }
  return nullptr;
}

std::string Property(const json& component, const std::string& name) {
  for (const json& p : component["properties"]) {
    if (p["name"] == name) return p["value"];
  }
  return "";
}

TEST(Sbom, SectionIsCycloneDxListingTheLibrariesActuallyLinked) {
  const json bom = json::parse(SectionWithObjcopy());
  EXPECT_EQ(bom["bomFormat"], "CycloneDX");
  EXPECT_EQ(bom["specVersion"], "1.5");
  const std::string version = Output(e2e::kTetrars + " --version");
  EXPECT_EQ("tetrars " + bom["metadata"]["component"]["version"].get<std::string>() + "\n",
            version);

  // The versions the libraries report about themselves at run time.
  const json* nghttp2 = Component(bom, "libnghttp2");
  ASSERT_NE(nghttp2, nullptr) << bom.dump(2);
  EXPECT_EQ(Property(*nghttp2, "upstream:version"), nghttp2_version(0)->version_str);
  EXPECT_EQ(Property(*nghttp2, "tetrars:linkage"), TETRARS_EXPECTED_LINKAGE);
  EXPECT_EQ((*nghttp2)["licenses"][0]["license"]["id"], "MIT");
  // libprotobuf compiles the schema at build time: a build tool, not a component.
  EXPECT_EQ(Component(bom, "libprotobuf"), nullptr) << bom.dump(2);
  bool protoc_listed = false;
  for (const json& tool : bom["metadata"]["tools"]["components"]) {
    protoc_listed |= tool["name"].get<std::string>().rfind("protobuf-compiler", 0) == 0 ||
                     tool["name"].get<std::string>().rfind("libprotoc", 0) == 0;
  }
  EXPECT_TRUE(protoc_listed) << bom["metadata"]["tools"].dump(2);
  // And the binary does not load it either.
  EXPECT_EQ(Output("ldd " + e2e::kTetrars).find("libprotobuf"), std::string::npos);
  // The Debian version, as dpkg reports it, and a purl built from it.
  const std::string package = (*nghttp2)["name"];
  EXPECT_EQ((*nghttp2)["version"], Output("dpkg-query -W -f '${Version}' " + package));
  EXPECT_EQ((*nghttp2)["purl"].get<std::string>().rfind("pkg:deb/debian/" + package + "@", 0), 0u);

  const json& compiler = bom["metadata"]["tools"]["components"][0];
  EXPECT_EQ(compiler["version"], TETRARS_CXX_COMPILER_VERSION);
}

// Issue 22: RE2 is not in the binary but in libtetrars-regex.so, which the
// binary loads for the options that need it; the SBOM says so.
TEST(Sbom, ListsTheRegexLibraryAndWhatItLinks) {
  const json bom = json::parse(SectionWithObjcopy());
  const json* plugin = Component(bom, "libtetrars-regex.so");
  ASSERT_NE(plugin, nullptr) << bom.dump(2);
  EXPECT_EQ(Property(*plugin, "tetrars:linkage").rfind("dlopen, for --process", 0), 0u);
  const json* re2 = Component(bom, "libre2");
  ASSERT_NE(re2, nullptr) << bom.dump(2);
  EXPECT_EQ(Property(*re2, "tetrars:linkage"), "dynamic, through libtetrars-regex.so");
  bool plugin_needs_re2 = false;
  for (const json& d : bom["dependencies"]) {
    if (d["ref"] != (*plugin)["bom-ref"]) continue;
    for (const json& ref : d["dependsOn"]) plugin_needs_re2 |= ref == (*re2)["bom-ref"];
  }
  EXPECT_TRUE(plugin_needs_re2) << bom["dependencies"].dump(2);
  // Nor does the binary hold RE2's code or load it at start.
  EXPECT_EQ(Output("nm -C " + e2e::kTetrars + " | grep -c 're2::' || true"), "0\n");
  EXPECT_EQ(Output("ldd " + e2e::kTetrars).find("libre2"), std::string::npos);
}

TEST(Sbom, SbomFlagPrintsTheSection) {
  EXPECT_EQ(Output(e2e::kTetrars + " --sbom"), SectionWithObjcopy());
}

std::set<std::string> Matches(const std::string& text, const std::string& pattern) {
  std::set<std::string> found;
  const std::regex re(pattern);
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) {
    found.insert(std::regex_replace(std::string((*it)[1]), std::regex(R"(\\-)"), "-"));
  }
  return found;
}

std::string Between(const std::string& text, const std::string& from, const std::string& to) {
  const size_t start = text.find(from);
  return start == std::string::npos ? "" : text.substr(start, text.find(to, start + 1) - start);
}

TEST(ManPage, DocumentsExactlyTheFlagsOfHelp) {
  // --help: option lines start with two spaces, maybe "-x, ", then "--flag".
  const std::string help = Between(Output(e2e::kTetrars + " --help"), "Options:", "Examples:");
  const auto help_flags = Matches(help, R"(\n  (?:-[a-z], )?(--[a-z-]+))");
  // The man page: .B/.BI/.BR lines of the OPTIONS section, dashes escaped.
  std::ifstream in(std::string(TETRARS_SOURCE_DIR) + "/docs/tetrars.1");
  const std::string man((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto man_flags = Matches(Between(man, ".SH OPTIONS", ".SH FILTERING"),
                                 R"(\n\.B[IR]? (?:\\-[a-z] ", " )?(\\-\\-[a-z\\-]+))");
  EXPECT_GE(help_flags.size(), 12u);
  EXPECT_EQ(help_flags, man_flags);
}

// The fake agent is a test oracle: it links the event model (tetrars_model)
// and the libprotobuf reference, not the client it tests (the loop, the
// transport, the command line). tetrars itself is the positive control.
TEST(Build, TheFakeAgentDoesNotLinkTheClient) {
  const std::string client = R"('tetrars::(GrpcCall|ParseCommandLine|Run\(|Sink::|Decoder::)')";
  EXPECT_EQ(Output("nm -C " + e2e::kFake + " | grep -c -E " + client + " || true"), "0\n");
  EXPECT_NE(Output("nm -C " + e2e::kTetrars + " | grep -c -E " + client + " || true"), "0\n");
}

}  // namespace
