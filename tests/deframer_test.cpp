// gRPC message framing: messages split across DATA frames at every byte,
// several in one frame, and the errors that must stop the stream.
#include <gtest/gtest.h>

#include <set>

#include "transport/grpc_deframer.h"
#include "wire_builder.h"

namespace {

using wire::Frame;

struct Collector {
  std::vector<std::string> messages;
  tetrars::GrpcDeframer deframer{1 << 20, [this](const uint8_t* data, size_t size) {
                                   messages.emplace_back(reinterpret_cast<const char*>(data), size);
                                   return true;
                                 }};
  bool Feed(const std::string& bytes) {
    return deframer.Feed(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
};

const std::vector<std::string> kPayloads = {"first message", "", std::string(300, 'x'),
                                            std::string("\0\x01\x02", 3)};

std::string Stream() {
  std::string stream;
  for (const auto& payload : kPayloads) stream += Frame(payload);
  return stream;
}

TEST(GrpcDeframer, SeveralMessagesInOneFrame) {
  Collector c;
  ASSERT_TRUE(c.Feed(Stream()));
  EXPECT_EQ(c.messages, kPayloads);
  EXPECT_TRUE(c.deframer.AtBoundary());
}

TEST(GrpcDeframer, SplitAtEveryBytePosition) {
  const std::string stream = Stream();
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    Collector c;
    ASSERT_TRUE(c.Feed(stream.substr(0, cut)));
    ASSERT_TRUE(c.Feed(stream.substr(cut)));
    EXPECT_EQ(c.messages, kPayloads) << "cut at " << cut;
  }
}

TEST(GrpcDeframer, SplitAtEveryPairOfPositions) {
  const std::string stream = Frame("abcdefgh") + Frame("") + Frame("ij");
  for (size_t a = 0; a <= stream.size(); ++a) {
    for (size_t b = a; b <= stream.size(); ++b) {
      Collector c;
      ASSERT_TRUE(c.Feed(stream.substr(0, a)));
      ASSERT_TRUE(c.Feed(stream.substr(a, b - a)));
      ASSERT_TRUE(c.Feed(stream.substr(b)));
      EXPECT_EQ(c.messages, (std::vector<std::string>{"abcdefgh", "", "ij"})) << a << "," << b;
    }
  }
}

TEST(GrpcDeframer, OneByteAtATime) {
  const std::string stream = Stream();
  std::set<size_t> boundaries = {0};
  size_t offset = 0;
  for (const auto& payload : kPayloads) boundaries.insert(offset += 5 + payload.size());
  Collector c;
  for (size_t i = 0; i < stream.size(); ++i) {
    ASSERT_TRUE(c.Feed(std::string(1, stream[i])));
    EXPECT_EQ(c.deframer.AtBoundary(), boundaries.count(i + 1) == 1) << "after byte " << i;
  }
  EXPECT_EQ(c.messages, kPayloads);
}

TEST(GrpcDeframer, KnowsWhenItStopsMidMessage) {
  Collector c;
  ASSERT_TRUE(c.Feed(Frame("hello").substr(0, 3)));
  EXPECT_FALSE(c.deframer.AtBoundary());
  ASSERT_TRUE(c.Feed(Frame("hello").substr(3, 4)));
  EXPECT_FALSE(c.deframer.AtBoundary());
  ASSERT_TRUE(c.Feed(Frame("hello").substr(7)));
  EXPECT_TRUE(c.deframer.AtBoundary());
}

TEST(GrpcDeframer, CompressedFlagIsRefused) {
  Collector c;
  EXPECT_FALSE(c.Feed(Frame("ok") + Frame("zipped", 1) + Frame("after")));
  EXPECT_EQ(c.messages, std::vector<std::string>{"ok"});
  EXPECT_NE(c.deframer.error().find("compressed"), std::string::npos);
  EXPECT_FALSE(c.Feed(Frame("more")));  // stays failed until Reset
  c.deframer.Reset();
  EXPECT_TRUE(c.Feed(Frame("more")));
  EXPECT_EQ(c.messages.back(), "more");
}

TEST(GrpcDeframer, UnknownFlagIsRefused) {
  Collector c;
  EXPECT_FALSE(c.Feed(Frame("x", 0x80)));
  EXPECT_TRUE(c.messages.empty());
  EXPECT_NE(c.deframer.error().find("flag 128"), std::string::npos);
}

TEST(GrpcDeframer, LengthAboveMaximumIsRefusedBeforeBuffering) {
  std::vector<std::string> got;
  tetrars::GrpcDeframer deframer(10, [&](const uint8_t* d, size_t n) {
    got.emplace_back(reinterpret_cast<const char*>(d), n);
    return true;
  });
  const std::string ok = Frame("0123456789");
  const std::string big = Frame("0123456789A");
  EXPECT_TRUE(deframer.Feed(reinterpret_cast<const uint8_t*>(ok.data()), ok.size()));
  // Only the 5-byte prefix is needed to refuse it.
  EXPECT_FALSE(deframer.Feed(reinterpret_cast<const uint8_t*>(big.data()), 5));
  EXPECT_EQ(got, std::vector<std::string>{"0123456789"});
  EXPECT_NE(deframer.error().find("11 bytes exceeds the maximum of 10"), std::string::npos)
      << deframer.error();
}

TEST(GrpcDeframer, ReceiverCanStopTheStream) {
  int calls = 0;
  tetrars::GrpcDeframer deframer(100, [&](const uint8_t*, size_t) { return ++calls < 2; });
  const std::string stream = Frame("a") + Frame("b") + Frame("c");
  EXPECT_FALSE(deframer.Feed(reinterpret_cast<const uint8_t*>(stream.data()), stream.size()));
  EXPECT_EQ(calls, 2);
}

}  // namespace
