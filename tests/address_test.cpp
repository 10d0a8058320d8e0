#include "transport/address.h"

#include <gtest/gtest.h>

namespace {

TEST(Address, UnixForms) {
  std::string error;
  auto a = tetrars::ParseAddress("unix:///var/run/tetragon/tetragon.sock", &error);
  ASSERT_TRUE(a) << error;
  EXPECT_TRUE(a->is_unix);
  EXPECT_EQ(a->path, "/var/run/tetragon/tetragon.sock");
  EXPECT_EQ(a->Authority(), "localhost");

  a = tetrars::ParseAddress("unix:/run/t.sock", &error);
  ASSERT_TRUE(a) << error;
  EXPECT_EQ(a->path, "/run/t.sock");

  a = tetrars::ParseAddress("unix:relative/t.sock", &error);
  ASSERT_TRUE(a) << error;
  EXPECT_EQ(a->path, "relative/t.sock");
}

TEST(Address, TcpForms) {
  std::string error;
  auto a = tetrars::ParseAddress("localhost:54321", &error);
  ASSERT_TRUE(a) << error;
  EXPECT_FALSE(a->is_unix);
  EXPECT_EQ(a->host, "localhost");
  EXPECT_EQ(a->port, "54321");
  EXPECT_EQ(a->Authority(), "localhost:54321");

  a = tetrars::ParseAddress("[::1]:54321", &error);
  ASSERT_TRUE(a) << error;
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->Authority(), "[::1]:54321");
}

TEST(Address, MistakesAreExplained) {
  const std::pair<const char*, const char*> cases[] = {
      {"unix://relative", "unix:// must be followed by an absolute path"},
      {"unix:", "the socket path is empty"},
      {"http://localhost:54321", "unsupported scheme"},
      {"localhost", "missing :port"},
      {":54321", "missing host"},
      {"localhost:0", "port must be a number from 1 to 65535"},
      {"localhost:65536", "port must be a number from 1 to 65535"},
      {"localhost:http", "port must be a number from 1 to 65535"},
      {"::1:54321", "put an IPv6 address in brackets"},
      {"[::1]54321", "expected [address]:port"},
  };
  for (const auto& [text, why] : cases) {
    std::string error;
    EXPECT_FALSE(tetrars::ParseAddress(text, &error)) << text;
    EXPECT_NE(error.find(why), std::string::npos) << text << ": " << error;
    EXPECT_NE(error.find(": use unix:///path/to/socket or host:port"), std::string::npos) << error;
  }
}

// The kernel's sockaddr_un holds 107 bytes of path: a longer one can never
// connect, so it is refused at once instead of being retried forever.
TEST(Address, UnixPathsUpToTheKernelsLimit) {
  std::string error;
  const std::string longest = "/" + std::string(106, 'a');
  ASSERT_TRUE(tetrars::ParseAddress("unix://" + longest, &error)) << error;
  EXPECT_FALSE(tetrars::ParseAddress("unix://" + longest + "a", &error));
  EXPECT_NE(error.find("the socket path has 108 bytes, more than the 107 a unix socket address "
                       "holds"),
            std::string::npos)
      << error;
}

}  // namespace
