// postings.doc's tail postings (docs/FORMAT.md, format 7) and doclens' bit-packed
// lengths (format 10):
// every value round-trips, the encoding is the smallest the rules allow,
// and truncated or overflowing bytes are refused without reading past them.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "common/format/field_lengths.hpp"
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

TEST(DocLengths, BitPackedInTheFewestBitsThatHoldTheLongest) {
  std::mt19937 random(7);
  for (unsigned width = 0; width <= 32; ++width) {
    SCOPED_TRACE(width);
    const std::uint32_t longest = static_cast<std::uint32_t>(WidthMask(width));
    for (const std::size_t count : {std::size_t{1}, std::size_t{63}, std::size_t{200}}) {
      std::vector<std::uint32_t> lengths(count);
      for (std::uint32_t& length : lengths) length = width == 0 ? 0 : random() & longest;
      lengths[count / 2] = longest;  // the width is the longest's
      std::string bytes;
      PutLengthsColumn(bytes, lengths);
      EXPECT_EQ(bytes.size(), 16 + PackedBytes(count, width));
      // Exact heap copy: ASan sees a read past it.
      const std::vector<std::uint8_t> exact(bytes.begin(), bytes.end());
      LengthsColumn column;
      std::string error;
      EXPECT_EQ(GetLengthsColumn(exact.data(), exact.data() + exact.size(), count, &column, &error),
                exact.data() + exact.size())
          << error;
      EXPECT_EQ(column.lengths.width(), width);
      std::uint64_t total = 0;
      for (std::size_t d = 0; d < count; ++d) {
        ASSERT_EQ(column.lengths[d], lengths[d]) << d;
        total += lengths[d];
      }
      EXPECT_EQ(column.total_length, total);
      EXPECT_EQ(VerifyLengthsColumn(column, count), "");
    }
  }
}

TEST(DocLengths, CheckFindsAWideWidthAWrongTotalAndDirtyPadding) {
  const std::vector<std::uint32_t> lengths = {3, 1395, 0, 17};
  std::string bytes;
  PutLengthsColumn(bytes, lengths);
  ASSERT_EQ(Get<std::uint64_t>(Bytes(bytes) + 8), 11u);  // 1395 needs 11 bits
  const auto verify = [&](const std::string& damaged) {
    LengthsColumn column;
    std::string error;
    if (GetLengthsColumn(Bytes(damaged), Bytes(damaged) + damaged.size(), lengths.size(), &column,
                         &error) == nullptr) {
      return "refused: " + error;
    }
    return VerifyLengthsColumn(column, lengths.size());
  };
  EXPECT_EQ(verify(bytes), "");
  std::string total = bytes;
  total[0] = static_cast<char>(total[0] + 1);
  EXPECT_NE(verify(total).find("not the recorded total"), std::string::npos) << verify(total);
  std::string padding = bytes;
  padding[16 + 44 / 8] = static_cast<char>(padding[16 + 44 / 8] | 0x80);  // a bit after the 44
  EXPECT_NE(verify(padding).find("padding"), std::string::npos) << verify(padding);
  std::string wide;  // the same lengths at 12 bits: readable, but not the writer's
  Put<std::uint64_t>(wide, 1415);
  Put<std::uint64_t>(wide, 12);
  const std::size_t packed_at = wide.size();
  wide.append(PackedBytes(lengths.size(), 12), '\0');
  for (std::size_t d = 0; d < lengths.size(); ++d) {
    PutPacked(reinterpret_cast<std::uint8_t*>(wide.data() + packed_at), d, 12, lengths[d]);
  }
  EXPECT_NE(verify(wide).find("needs 11"), std::string::npos) << verify(wide);
  std::string over = bytes;
  over[8] = 33;
  EXPECT_NE(verify(over).find("over 32 bits"), std::string::npos) << verify(over);
  // Too few bytes for the count: refused before any length is read.
  LengthsColumn column;
  std::string error;
  EXPECT_EQ(GetLengthsColumn(Bytes(bytes), Bytes(bytes) + bytes.size() - 8, lengths.size(), &column,
                             &error),
            nullptr);
  EXPECT_EQ(
      GetLengthsColumn(Bytes(bytes), Bytes(bytes) + bytes.size(), UINT64_MAX / 2, &column, &error),
      nullptr);
}

TEST(DocLengths, AColumnOfZerosTakesNoBitsForAnyCount) {
  const std::vector<std::uint32_t> lengths(100000, 0);
  std::string bytes;
  PutLengthsColumn(bytes, lengths);
  EXPECT_EQ(bytes.size(), 16 + kPackedPadding);
  LengthsColumn column;
  std::string error;
  ASSERT_NE(
      GetLengthsColumn(Bytes(bytes), Bytes(bytes) + bytes.size(), lengths.size(), &column, &error),
      nullptr)
      << error;
  EXPECT_EQ(column.lengths[99999], 0u);
  EXPECT_EQ(VerifyLengthsColumn(column, lengths.size()), "");
}

}  // namespace
}  // namespace fathom::format
