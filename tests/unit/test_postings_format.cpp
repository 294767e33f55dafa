// postings.doc's tail postings and doclens' widths (docs/FORMAT.md, format 7):
// every value round-trips, the encoding is the smallest the rules allow,
// and truncated or overflowing bytes are refused without reading past them.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "common/format/format.hpp"
#include "common/format/patched_blocks.hpp"

namespace fathom::format {
namespace {

const std::uint8_t* Bytes(const std::string& s) {
  return reinterpret_cast<const std::uint8_t*>(s.data());
}

TEST(TailPosting, RoundTripsEveryKindOfGapAndFrequency) {
  const std::vector<std::uint32_t> gaps = {0,   1,    63,   64,       127,
                                           128, 8191, 8192, 1u << 31, UINT32_MAX};
  const std::vector<std::uint32_t> frequencies = {1, 2, 3, 129, 1u << 20, UINT32_MAX};
  for (const std::uint32_t gap : gaps) {
    for (const std::uint32_t frequency : frequencies) {
      std::string bytes;
      PutTailPosting(gap, frequency, bytes);
      // Exact heap copy: ASan sees a read past it.
      const std::vector<std::uint8_t> exact(bytes.begin(), bytes.end());
      std::uint32_t got_gap = 0, got_frequency = 0;
      const std::uint8_t* after =
          GetTailPosting(exact.data(), exact.data() + exact.size(), &got_gap, &got_frequency);
      ASSERT_EQ(after, exact.data() + exact.size()) << gap << " " << frequency;
      EXPECT_EQ(got_gap, gap);
      EXPECT_EQ(got_frequency, frequency);
      for (std::size_t cut = 0; cut < exact.size(); ++cut) {
        const std::vector<std::uint8_t> truncated(exact.begin(), exact.begin() + cut);
        EXPECT_EQ(GetTailPosting(truncated.data(), truncated.data() + truncated.size(), &got_gap,
                                 &got_frequency),
                  nullptr)
            << "cut at " << cut << " of gap " << gap << " frequency " << frequency;
      }
    }
  }
}

TEST(TailPosting, AFrequencyOfOneTakesNoByteOfItsOwn) {
  std::string one, two;
  PutTailPosting(5, 1, one);
  PutTailPosting(5, 2, two);
  EXPECT_EQ(one, std::string("\x0b", 1));      // 5 << 1 | 1
  EXPECT_EQ(two, std::string("\x0a\x00", 2));  // 5 << 1, then 2 - 2
}

TEST(TailPosting, GapsOver32BitsAndFrequencyOverflowAreRefused) {
  std::string too_wide;
  codec::PutVarint((std::uint64_t{1} << 33) | 1, too_wide);  // gap 2^32
  std::uint32_t gap = 0, frequency = 0;
  EXPECT_EQ(GetTailPosting(Bytes(too_wide), Bytes(too_wide) + too_wide.size(), &gap, &frequency),
            nullptr);
  std::string overflow;
  codec::PutVarint(std::uint64_t{7} << 1, overflow);
  codec::PutVarint(UINT32_MAX, overflow);  // frequency UINT32_MAX + 2
  EXPECT_EQ(GetTailPosting(Bytes(overflow), Bytes(overflow) + overflow.size(), &gap, &frequency),
            nullptr);
}

TEST(PatchedBlock, DocGapsWithOneLongJumpStayNarrow) {
  std::uint32_t gaps[codec::kBlockSize];
  for (std::size_t i = 0; i < codec::kBlockSize; ++i) gaps[i] = 1 + i % 50;
  gaps[17] = 300;
  std::string bytes;
  PackPatchedBlock(gaps, bytes);
  EXPECT_EQ(bytes[0], 6);  // width of 50, not of 300
  EXPECT_EQ(bytes[1], 1);  // one exception
  EXPECT_EQ(bytes.size(), 2 + 16 * 6 + 2u);
  std::uint32_t decoded[codec::kBlockSize];
  ASSERT_EQ(UnpackPatchedBlock(Bytes(bytes), Bytes(bytes) + bytes.size(), decoded),
            Bytes(bytes) + bytes.size());
  std::uint32_t fast[codec::kBlockSize];
  UnpackPatchedBlockUnchecked(Bytes(bytes), fast);
  for (std::size_t i = 0; i < codec::kBlockSize; ++i) {
    EXPECT_EQ(decoded[i], gaps[i]);
    EXPECT_EQ(fast[i], gaps[i]);
  }
}

TEST(PatchedBlock, UncheckedDecodeOfDamagedExceptionsStaysInTheBlock) {
  std::mt19937 random(7);
  std::uint32_t values[codec::kBlockSize];
  for (auto& value : values) value = random() % 16;
  for (int i = 0; i < 10; ++i) values[random() % codec::kBlockSize] = 1000 + random() % 3000;
  std::string bytes;
  PackPatchedBlock(values, bytes);
  ASSERT_GT(bytes[1], 0);
  const std::size_t indexes = 2 + 16 * static_cast<std::size_t>(bytes[0]);
  for (int round = 0; round < 200; ++round) {
    std::string damaged = bytes;
    damaged[indexes + random() % static_cast<std::size_t>(damaged[1])] =
        static_cast<char>(random());
    const std::vector<std::uint8_t> exact(damaged.begin(), damaged.end());
    ASSERT_NE(SkipPatchedBlock(exact.data(), exact.data() + exact.size()), nullptr);
    // Guard values on both sides: a write outside the 128 would change them.
    std::uint32_t out[codec::kBlockSize + 2] = {};
    out[0] = out[codec::kBlockSize + 1] = 0xdeadbeef;
    UnpackPatchedBlockUnchecked(exact.data(), out + 1);
    EXPECT_EQ(out[0], 0xdeadbeef);
    EXPECT_EQ(out[codec::kBlockSize + 1], 0xdeadbeef);
  }
}

TEST(DocLengths, TheFewestBytesThatHoldTheLongest) {
  EXPECT_EQ(DocLengthBytes(0), 1u);
  EXPECT_EQ(DocLengthBytes(255), 1u);
  EXPECT_EQ(DocLengthBytes(256), 2u);
  EXPECT_EQ(DocLengthBytes(65535), 2u);
  EXPECT_EQ(DocLengthBytes(65536), 4u);
  EXPECT_EQ(DocLengthBytes(UINT32_MAX), 4u);
  for (const std::uint32_t width : {1u, 2u, 4u}) {
    std::string bytes;
    const std::vector<std::uint32_t> lengths = {0, 1, 200, 255};
    for (const std::uint32_t length : lengths) {
      for (std::uint32_t b = 0; b < width; ++b)
        bytes.push_back(static_cast<char>(length >> (8 * b)));
    }
    const DocLengths view(Bytes(bytes), width);
    for (std::size_t d = 0; d < lengths.size(); ++d) EXPECT_EQ(view[d], lengths[d]) << width;
  }
  std::string wide;
  Put<std::uint32_t>(wide, 70000);
  Put<std::uint32_t>(wide, 3);
  EXPECT_EQ(DocLengths(Bytes(wide), 4)[0], 70000u);
  EXPECT_EQ(DocLengths(Bytes(wide), 4)[1], 3u);
}

}  // namespace
}  // namespace fathom::format
