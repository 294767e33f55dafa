// Tests for common/codec: bit-packed blocks and varints.

#include "common/format/codec.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace fathom::codec {
namespace {

using Block = std::array<std::uint32_t, kBlockSize>;

std::uint32_t MaxValue(std::uint32_t width) {
  return width == 0 ? 0 : width == 32 ? 0xFFFFFFFFu : (1u << width) - 1;
}

// The documented layout, bit by bit: value i lives in lane i % 4 as that
// lane's (i / 4)-th value; each lane is a little-endian bit stream of 32-bit
// words, and word w of lane l is the (4 * w + l)-th 32-bit little-endian word.
std::string ReferencePack(const Block& values, std::uint32_t width) {
  std::string out(PackedBytes(width), '\0');
  for (std::size_t i = 0; i < kBlockSize; ++i) {
    const std::size_t lane = i % 4;
    const std::size_t index_in_lane = i / 4;
    for (std::uint32_t b = 0; b < width; ++b) {
      if (((values[i] >> b) & 1) == 0) continue;
      const std::size_t lane_bit = index_in_lane * width + b;
      const std::size_t word = lane_bit / 32;
      const std::size_t bit_in_word = lane_bit % 32;
      const std::size_t byte = (word * 4 + lane) * 4 + bit_in_word / 8;
      out[byte] =
          static_cast<char>(static_cast<unsigned char>(out[byte]) | (1u << (bit_in_word % 8)));
    }
  }
  return out;
}

// Unpacks from an exactly sized heap buffer (so a sanitizer sees any read past
// the packed bytes), placed at an odd offset to exercise unaligned input.
Block UnpackFromExactBuffer(const std::string& packed, std::uint32_t width) {
  std::vector<std::uint8_t> buffer(packed.size() + 1);
  std::copy(packed.begin(), packed.end(), buffer.begin() + 1);
  Block values;
  values.fill(0xDEADBEEF);
  UnpackBlock(buffer.data() + 1, width, values.data());
  return values;
}

// ------------------------------------------------------------- PackedBytes

TEST(CodecPackedBytes, IsWidthTimes128Bits) {
  EXPECT_EQ(PackedBytes(0), 0u);
  EXPECT_EQ(PackedBytes(1), 16u);
  EXPECT_EQ(PackedBytes(7), 112u);
  EXPECT_EQ(PackedBytes(32), 512u);
  for (std::uint32_t width = 0; width <= 32; ++width) {
    EXPECT_EQ(PackedBytes(width) * 8, kBlockSize * width);
  }
  static_assert(PackedBytes(32) == kBlockSize * sizeof(std::uint32_t));
}

// ------------------------------------------------------------- MaxBitWidth

TEST(CodecMaxBitWidth, EdgeCases) {
  EXPECT_EQ(MaxBitWidth(nullptr, 0), 0u);
  const std::uint32_t zero[] = {0, 0, 0};
  EXPECT_EQ(MaxBitWidth(zero, 3), 0u);
  const std::uint32_t one[] = {1};
  EXPECT_EQ(MaxBitWidth(one, 1), 1u);
  const std::uint32_t two[] = {0, 2};
  EXPECT_EQ(MaxBitWidth(two, 2), 2u);
  const std::uint32_t three[] = {3};
  EXPECT_EQ(MaxBitWidth(three, 1), 2u);
  const std::uint32_t mixed[] = {1, 2, 4};  // OR is 7
  EXPECT_EQ(MaxBitWidth(mixed, 3), 3u);
  const std::uint32_t byte_max[] = {255, 0};
  EXPECT_EQ(MaxBitWidth(byte_max, 2), 8u);
  const std::uint32_t byte_over[] = {256};
  EXPECT_EQ(MaxBitWidth(byte_over, 1), 9u);
  const std::uint32_t top[] = {0x80000000u};
  EXPECT_EQ(MaxBitWidth(top, 1), 32u);
  const std::uint32_t all[] = {0xFFFFFFFFu};
  EXPECT_EQ(MaxBitWidth(all, 1), 32u);
  const std::uint32_t below_top[] = {0x7FFFFFFFu, 5};
  EXPECT_EQ(MaxBitWidth(below_top, 2), 31u);
  // Only the first n values count.
  const std::uint32_t prefix[] = {1, 1, 0xFFFFFFFFu};
  EXPECT_EQ(MaxBitWidth(prefix, 2), 1u);
}

TEST(CodecMaxBitWidth, PowersOfTwo) {
  for (std::uint32_t k = 0; k < 32; ++k) {
    const std::uint32_t power = 1u << k;
    EXPECT_EQ(MaxBitWidth(&power, 1), k + 1) << "2^" << k;
    const std::uint32_t below = power - 1;
    EXPECT_EQ(MaxBitWidth(&below, 1), k) << "2^" << k << "-1";
  }
}

// ------------------------------------------------- PackBlock / UnpackBlock

class CodecBlockTest : public testing::TestWithParam<std::uint32_t> {};

TEST_P(CodecBlockTest, RandomValuesOfExactlyThisWidth) {
  const std::uint32_t width = GetParam();
  std::mt19937 rng(1000 + width);
  for (int round = 0; round < 20; ++round) {
    Block values;
    std::uniform_int_distribution<std::uint32_t> dist(0, MaxValue(width));
    for (auto& v : values) v = dist(rng);
    // Make the width exact: some value has its top bit set.
    if (width > 0) values[rng() % kBlockSize] |= 1u << (width - 1);
    ASSERT_EQ(MaxBitWidth(values.data(), kBlockSize), width);

    std::string out = "prefix";
    PackBlock(values.data(), width, out);
    ASSERT_EQ(out.size(), 6 + PackedBytes(width));
    EXPECT_EQ(out.substr(0, 6), "prefix");  // appends, leaves earlier bytes alone
    const std::string packed = out.substr(6);
    EXPECT_EQ(packed, ReferencePack(values, width)) << "layout differs from the documented one";
    EXPECT_EQ(UnpackFromExactBuffer(packed, width), values);
  }
}

TEST_P(CodecBlockTest, AllZero) {
  const std::uint32_t width = GetParam();
  Block values{};
  std::string packed;
  PackBlock(values.data(), width, packed);
  ASSERT_EQ(packed.size(), PackedBytes(width));
  EXPECT_EQ(packed, std::string(PackedBytes(width), '\0'));
  EXPECT_EQ(UnpackFromExactBuffer(packed, width), values);
}

TEST_P(CodecBlockTest, AllMax) {
  const std::uint32_t width = GetParam();
  Block values;
  values.fill(MaxValue(width));
  std::string packed;
  PackBlock(values.data(), width, packed);
  ASSERT_EQ(packed.size(), PackedBytes(width));
  // Every bit of the block is used.
  EXPECT_EQ(packed, std::string(PackedBytes(width), '\xFF'));
  EXPECT_EQ(UnpackFromExactBuffer(packed, width), values);
}

TEST_P(CodecBlockTest, WiderThanNeeded) {
  const std::uint32_t width = GetParam();
  Block values;
  std::mt19937 rng(width);
  std::uniform_int_distribution<std::uint32_t> dist(0, MaxValue(width / 2));
  for (auto& v : values) v = dist(rng);
  std::string packed;
  PackBlock(values.data(), width, packed);
  ASSERT_EQ(packed.size(), PackedBytes(width));
  EXPECT_EQ(UnpackFromExactBuffer(packed, width), values);
}

INSTANTIATE_TEST_SUITE_P(AllWidths, CodecBlockTest, testing::Range<std::uint32_t>(0, 33),
                         [](const testing::TestParamInfo<std::uint32_t>& param_info) {
                           return "Width" + std::to_string(param_info.param);
                         });

TEST(CodecBlock, Width32IsPlainLittleEndianWords) {
  Block values;
  for (std::size_t i = 0; i < kBlockSize; ++i)
    values[i] = 0x01020304u * static_cast<std::uint32_t>(i + 1);
  values[127] = 0xFFFFFFFFu;
  std::string packed;
  PackBlock(values.data(), 32, packed);
  ASSERT_EQ(packed.size(), 512u);
  for (std::size_t i = 0; i < kBlockSize; ++i) {
    std::uint32_t word = 0;
    for (int b = 3; b >= 0; --b) word = (word << 8) | static_cast<unsigned char>(packed[i * 4 + b]);
    EXPECT_EQ(word, values[i]) << i;
  }
}

TEST(CodecBlock, Width1LayoutInterleavesLanes) {
  // Value 5 is lane 1's second value: bit 1 of lane 1's first word, which is
  // the block's second 32-bit word (bytes 4..7).
  Block values{};
  values[5] = 1;
  std::string packed;
  PackBlock(values.data(), 1, packed);
  std::string expected(16, '\0');
  expected[4] = '\x02';
  EXPECT_EQ(packed, expected);
}

TEST(CodecBlock, ConsecutiveBlocksInOneBuffer) {
  // Pack blocks of different widths back to back, then unpack each from its
  // (unaligned) offset.
  std::mt19937 rng(99);
  const std::uint32_t widths[] = {3, 0, 17, 32, 1, 9};
  std::vector<Block> blocks;
  std::string out = "x";  // misalign everything that follows
  for (const std::uint32_t width : widths) {
    Block values;
    std::uniform_int_distribution<std::uint32_t> dist(0, MaxValue(width));
    for (auto& v : values) v = dist(rng);
    PackBlock(values.data(), width, out);
    blocks.push_back(values);
  }
  const auto* in = reinterpret_cast<const std::uint8_t*>(out.data()) + 1;
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    Block values;
    UnpackBlock(in, widths[b], values.data());
    EXPECT_EQ(values, blocks[b]) << "block " << b;
    in += PackedBytes(widths[b]);
  }
  EXPECT_EQ(in, reinterpret_cast<const std::uint8_t*>(out.data() + out.size()));
}

// --------------------------------------------------------------- PrefixSum

// Doc gaps to ids at every length (SIMD rows and the scalar tail), with a
// zero gap at each place: the sums modulo 2^32, and positive gaps reported
// as such only when no gap from first_checked on is zero.
TEST(CodecPrefixSum, SumsFromBaseAndReportsZeroGaps) {
  std::mt19937_64 rng(7);
  for (std::size_t n = 0; n <= kBlockSize + 3; ++n) {
    for (const std::size_t first_checked : {std::size_t{0}, std::size_t{1}}) {
      for (std::size_t zero_at = 0; zero_at <= n; ++zero_at) {  // n: no zero gap
        std::vector<std::uint32_t> gaps(n);
        for (auto& gap : gaps) gap = 1 + static_cast<std::uint32_t>(rng() % 5000);
        if (zero_at < n) gaps[zero_at] = 0;
        const auto base = static_cast<std::uint32_t>(rng() % 3 == 0 ? 0xFFFFF000u : rng() % 100000);
        std::vector<std::uint32_t> expected(n);
        std::uint32_t sum = base;
        for (std::size_t i = 0; i < n; ++i) expected[i] = sum += gaps[i];
        std::vector<std::uint32_t> values = gaps;
        const bool positive = PrefixSum(values.data(), n, base, first_checked);
        EXPECT_EQ(values, expected) << "n " << n;
        EXPECT_EQ(positive, zero_at == n || zero_at < first_checked)
            << "n " << n << ", zero gap at " << zero_at << ", checked from " << first_checked;
      }
    }
  }
}

// ----------------------------------------------------------------- Varints

std::string Encode(std::uint64_t value) {
  std::string out;
  PutVarint(value, out);
  return out;
}

const std::uint8_t* Begin(const std::string& s) {
  return reinterpret_cast<const std::uint8_t*>(s.data());
}

std::string Bytes(std::initializer_list<unsigned char> bytes) {
  return std::string(bytes.begin(), bytes.end());
}

TEST(CodecVarint, Encodings) {
  EXPECT_EQ(Encode(0), Bytes({0x00}));
  EXPECT_EQ(Encode(1), Bytes({0x01}));
  EXPECT_EQ(Encode(127), Bytes({0x7F}));
  EXPECT_EQ(Encode(128), Bytes({0x80, 0x01}));
  EXPECT_EQ(Encode(300), Bytes({0xAC, 0x02}));
  EXPECT_EQ(Encode((1u << 14) - 1), Bytes({0xFF, 0x7F}));
  EXPECT_EQ(Encode(1u << 14), Bytes({0x80, 0x80, 0x01}));
  EXPECT_EQ(Encode(1u << 21), Bytes({0x80, 0x80, 0x80, 0x01}));
  EXPECT_EQ(Encode((1u << 28) - 1), Bytes({0xFF, 0xFF, 0xFF, 0x7F}));
  EXPECT_EQ(Encode(1u << 28), Bytes({0x80, 0x80, 0x80, 0x80, 0x01}));
  EXPECT_EQ(Encode(0xFFFFFFFFu), Bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x0F}));
  EXPECT_EQ(Encode(0xFFFFFFFFu).size(), kMaxVarintBytes);
}

TEST(CodecVarint, AppendsToExistingOutput) {
  std::string out = "ab";
  PutVarint(300, out);
  EXPECT_EQ(out, "ab" + Bytes({0xAC, 0x02}));
}

void ExpectRoundTrip(std::uint32_t value) {
  SCOPED_TRACE(testing::Message() << "value " << value);
  const std::string encoded = Encode(value);
  // Exactly sized heap copy: a sanitizer catches reads past the end.
  const std::vector<std::uint8_t> buffer(encoded.begin(), encoded.end());
  std::uint32_t decoded = 0xDEADBEEF;
  const std::uint8_t* next = GetVarint(buffer.data(), buffer.data() + buffer.size(), &decoded);
  ASSERT_EQ(next, buffer.data() + buffer.size());
  EXPECT_EQ(decoded, value);
  std::uint32_t unchecked = 0xDEADBEEF;
  EXPECT_EQ(GetVarintUnchecked(buffer.data(), &unchecked), buffer.data() + buffer.size());
  EXPECT_EQ(unchecked, value);
}

TEST(CodecVarint, RoundTripsEdgeValues) {
  for (const std::uint32_t value :
       {0u, 1u, 127u, 128u, 255u, 256u, 16383u, 16384u, 1u << 21, (1u << 21) - 1, (1u << 28) - 1,
        1u << 28, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFEu, 0xFFFFFFFFu}) {
    ExpectRoundTrip(value);
  }
}

TEST(CodecVarint, RoundTripsRandomStream) {
  std::mt19937 rng(42);
  std::vector<std::uint32_t> values;
  std::string stream;
  for (int i = 0; i < 20000; ++i) {
    // Random bit length first, so every encoded size is well represented.
    const std::uint32_t bits = rng() % 33;
    const std::uint32_t value = bits == 0 ? 0 : static_cast<std::uint32_t>(rng()) >> (32 - bits);
    values.push_back(value);
    PutVarint(value, stream);
  }
  const std::vector<std::uint8_t> buffer(stream.begin(), stream.end());
  const std::uint8_t* in = buffer.data();
  const std::uint8_t* unchecked_in = buffer.data();
  const std::uint8_t* end = buffer.data() + buffer.size();
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::uint32_t value = 0;
    std::uint32_t unchecked = 0;
    in = GetVarint(in, end, &value);
    ASSERT_NE(in, nullptr) << i;
    unchecked_in = GetVarintUnchecked(unchecked_in, &unchecked);
    ASSERT_EQ(value, values[i]) << i;
    ASSERT_EQ(unchecked, value) << i;
    ASSERT_EQ(unchecked_in, in) << i;
  }
  EXPECT_EQ(in, end);
}

TEST(CodecVarint, TruncatedInputReturnsNull) {
  std::uint32_t value = 0;
  const std::string empty;
  EXPECT_EQ(GetVarint(Begin(empty), Begin(empty), &value), nullptr);
  for (const std::uint32_t v : {128u, 300u, 1u << 21, (1u << 28) - 1, 0xFFFFFFFFu}) {
    const std::string encoded = Encode(v);
    for (std::size_t cut = 0; cut < encoded.size(); ++cut) {
      const std::vector<std::uint8_t> buffer(encoded.begin(),
                                             encoded.begin() + static_cast<std::ptrdiff_t>(cut));
      EXPECT_EQ(GetVarint(buffer.data(), buffer.data() + buffer.size(), &value), nullptr)
          << "value " << v << " cut to " << cut << " bytes";
    }
  }
  // The end pointer is honoured even when more bytes follow in memory.
  const std::string two = Bytes({0x80, 0x01});
  EXPECT_EQ(GetVarint(Begin(two), Begin(two) + 1, &value), nullptr);
}

TEST(CodecVarint, OverlongOrTooLargeReturnsNull) {
  std::uint32_t value = 0;
  const std::string cases[] = {
      Bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x00}),  // 6-byte overlong zero
      Bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}),  // 6 bytes
      Bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x1F}),        // 2^33 - 1: does not fit
      Bytes({0x80, 0x80, 0x80, 0x80, 0x10}),        // exactly 2^32
      Bytes({0x80, 0x80, 0x80, 0x80, 0x8F, 0x00}),  // continuation on the 5th byte
  };
  for (const std::string& bytes : cases) {
    const std::vector<std::uint8_t> buffer(bytes.begin(), bytes.end());
    EXPECT_EQ(GetVarint(buffer.data(), buffer.data() + buffer.size(), &value), nullptr)
        << "size " << bytes.size();
  }
  // PutVarint takes 64-bit values; GetVarint refuses the ones over 32 bits.
  const std::string big = Encode(std::uint64_t{1} << 32);
  EXPECT_EQ(GetVarint(Begin(big), Begin(big) + big.size(), &value), nullptr);
}

TEST(CodecVarint, NonMinimalEncodingThatFitsDecodes) {
  // Padding with 0x80 bytes up to the 5-byte limit is accepted (as protobuf
  // does); only what does not fit 32 bits in 5 bytes is rejected.
  const std::string padded = Bytes({0x81, 0x80, 0x80, 0x80, 0x00});
  std::uint32_t value = 0;
  EXPECT_EQ(GetVarint(Begin(padded), Begin(padded) + padded.size(), &value),
            Begin(padded) + padded.size());
  EXPECT_EQ(value, 1u);
  std::uint32_t unchecked = 0;
  EXPECT_EQ(GetVarintUnchecked(Begin(padded), &unchecked), Begin(padded) + padded.size());
  EXPECT_EQ(unchecked, 1u);
}

TEST(CodecVarint, StopsAtTheFirstCompleteVarint) {
  const std::string bytes = Bytes({0xAC, 0x02, 0x05, 0xFF});
  std::uint32_t value = 0;
  const std::uint8_t* next = GetVarint(Begin(bytes), Begin(bytes) + bytes.size(), &value);
  EXPECT_EQ(next, Begin(bytes) + 2);
  EXPECT_EQ(value, 300u);
  next = GetVarint(next, Begin(bytes) + bytes.size(), &value);
  EXPECT_EQ(next, Begin(bytes) + 3);
  EXPECT_EQ(value, 5u);
  EXPECT_EQ(GetVarint(next, Begin(bytes) + bytes.size(), &value), nullptr);  // 0xFF, then nothing
}

}  // namespace
}  // namespace fathom::codec
