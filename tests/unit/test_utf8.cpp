// Tests for common/utf8: decoding, validation, repair and truncation.

#include "common/analysis/utf8.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace fathom::utf8 {
namespace {

using namespace std::string_literals;

// Bytes as a std::string; the literals below may contain embedded NULs.
std::string Bytes(std::initializer_list<unsigned char> bytes) {
  return std::string(bytes.begin(), bytes.end());
}

void ExpectDecodes(const std::string& text, char32_t code_point, std::size_t length) {
  SCOPED_TRACE(testing::Message() << "U+" << std::hex << static_cast<std::uint32_t>(code_point));
  const Decoded d = DecodeAt(text, 0);
  EXPECT_TRUE(d.valid);
  EXPECT_EQ(d.code_point, code_point);
  EXPECT_EQ(d.length, length);
}

void ExpectMalformed(const std::string& text, std::size_t pos = 0) {
  SCOPED_TRACE(testing::Message() << "bytes of size " << text.size() << " at " << pos);
  const Decoded d = DecodeAt(text, pos);
  EXPECT_FALSE(d.valid);
  EXPECT_EQ(d.code_point, kReplacementChar);
  EXPECT_EQ(d.length, 1u);  // always makes progress, one byte at a time
}

// ---------------------------------------------------------------- DecodeAt

TEST(Utf8DecodeAt, OneByte) {
  ExpectDecodes("A", U'A', 1);
  ExpectDecodes(Bytes({0x00}), 0, 1);
  ExpectDecodes(Bytes({0x7F}), 0x7F, 1);
}

TEST(Utf8DecodeAt, TwoBytes) {
  ExpectDecodes(Bytes({0xC2, 0x80}), 0x80, 2);   // smallest two-byte value
  ExpectDecodes("\xC3\xA9", 0xE9, 2);            // é
  ExpectDecodes(Bytes({0xDF, 0xBF}), 0x7FF, 2);  // largest two-byte value
}

TEST(Utf8DecodeAt, ThreeBytes) {
  ExpectDecodes(Bytes({0xE0, 0xA0, 0x80}), 0x800, 3);
  ExpectDecodes("\xE2\x82\xAC", 0x20AC, 3);             // €
  ExpectDecodes("\xE2\x80\x99", 0x2019, 3);             // ’
  ExpectDecodes(Bytes({0xED, 0x9F, 0xBF}), 0xD7FF, 3);  // just below the surrogates
  ExpectDecodes(Bytes({0xEE, 0x80, 0x80}), 0xE000, 3);  // just above them
  ExpectDecodes(Bytes({0xEF, 0xBF, 0xBD}), 0xFFFD, 3);
  ExpectDecodes(Bytes({0xEF, 0xBF, 0xBF}), 0xFFFF, 3);  // noncharacter, still well-formed
}

TEST(Utf8DecodeAt, FourBytes) {
  ExpectDecodes(Bytes({0xF0, 0x90, 0x80, 0x80}), 0x10000, 4);
  ExpectDecodes("\xF0\x9F\x98\x80", 0x1F600, 4);  // 😀
  ExpectDecodes(Bytes({0xF4, 0x8F, 0xBF, 0xBF}), 0x10FFFF, 4);
}

TEST(Utf8DecodeAt, DecodesAtAnOffset) {
  const std::string text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";
  EXPECT_EQ(DecodeAt(text, 0).code_point, U'a');
  EXPECT_EQ(DecodeAt(text, 1).code_point, 0xE9u);
  EXPECT_EQ(DecodeAt(text, 3).code_point, 0x20ACu);
  EXPECT_EQ(DecodeAt(text, 6).code_point, 0x1F600u);
  EXPECT_EQ(DecodeAt(text, 10).code_point, U'z');
  // Starting inside a sequence lands on a continuation byte: malformed.
  ExpectMalformed(text, 2);
  ExpectMalformed(text, 7);
}

TEST(Utf8DecodeAt, OverlongFormsAreMalformed) {
  ExpectMalformed(Bytes({0xC0, 0x80}));  // U+0000 in two bytes
  ExpectMalformed(Bytes({0xC0, 0xAF}));  // '/' in two bytes
  ExpectMalformed(Bytes({0xC1, 0xBF}));  // U+007F in two bytes
  ExpectMalformed(Bytes({0xE0, 0x80, 0x80}));
  ExpectMalformed(Bytes({0xE0, 0x9F, 0xBF}));  // U+07FF in three bytes
  ExpectMalformed(Bytes({0xF0, 0x80, 0x80, 0x80}));
  ExpectMalformed(Bytes({0xF0, 0x8F, 0xBF, 0xBF}));  // U+FFFF in four bytes
}

TEST(Utf8DecodeAt, SurrogatesAreMalformed) {
  ExpectMalformed(Bytes({0xED, 0xA0, 0x80}));  // U+D800
  ExpectMalformed(Bytes({0xED, 0xAF, 0xBF}));  // U+DBFF
  ExpectMalformed(Bytes({0xED, 0xB0, 0x80}));  // U+DC00
  ExpectMalformed(Bytes({0xED, 0xBF, 0xBF}));  // U+DFFF
  // CESU-8 style surrogate pair for U+1F600.
  ExpectMalformed(Bytes({0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80}));
}

TEST(Utf8DecodeAt, AboveMaxCodePointIsMalformed) {
  ExpectMalformed(Bytes({0xF4, 0x90, 0x80, 0x80}));  // U+110000
  ExpectMalformed(Bytes({0xF5, 0x80, 0x80, 0x80}));
  ExpectMalformed(Bytes({0xF7, 0xBF, 0xBF, 0xBF}));  // U+1FFFFF
  // Five- and six-byte lead bytes of the old UTF-8, and the never-used bytes.
  ExpectMalformed(Bytes({0xF8, 0x88, 0x80, 0x80, 0x80}));
  ExpectMalformed(Bytes({0xFC, 0x84, 0x80, 0x80, 0x80, 0x80}));
  ExpectMalformed(Bytes({0xFE}));
  ExpectMalformed(Bytes({0xFF}));
}

TEST(Utf8DecodeAt, TruncatedSequencesAreMalformed) {
  ExpectMalformed(Bytes({0xC3}));
  ExpectMalformed(Bytes({0xE2}));
  ExpectMalformed(Bytes({0xE2, 0x82}));
  ExpectMalformed(Bytes({0xF0, 0x9F}));
  ExpectMalformed(Bytes({0xF0, 0x9F, 0x98}));
  // Truncated at the end of a longer text.
  ExpectMalformed("abc\xF0\x9F\x98"s, 3);
  // A sequence cut short by a non-continuation byte.
  ExpectMalformed(
      "\xC3"
      "A"s);
  ExpectMalformed(
      "\xE2\x82"
      "A"s);
  ExpectMalformed(
      "\xF0\x9F\x98"
      "A"s);
  ExpectMalformed(Bytes({0xE2, 0xC3, 0xA9}));
}

TEST(Utf8DecodeAt, LoneContinuationBytesAreMalformed) {
  for (int byte = 0x80; byte <= 0xBF; ++byte) {
    ExpectMalformed(std::string(1, static_cast<char>(byte)));
  }
}

TEST(Utf8DecodeAt, ViewOfALargerBufferDoesNotReadPastItsEnd) {
  const std::string buffer = "\xC3\xA9";
  const Decoded d = DecodeAt(std::string_view(buffer).substr(0, 1), 0);
  EXPECT_FALSE(d.valid);
}

// ------------------------------------------------------------------ Append

TEST(Utf8Append, EncodesBoundaries) {
  struct Case {
    char32_t code_point;
    std::string bytes;
  };
  const std::vector<Case> cases = {
      {0x00, Bytes({0x00})},
      {0x7F, Bytes({0x7F})},
      {0x80, Bytes({0xC2, 0x80})},
      {0x7FF, Bytes({0xDF, 0xBF})},
      {0x800, Bytes({0xE0, 0xA0, 0x80})},
      {0xFFFD, Bytes({0xEF, 0xBF, 0xBD})},
      {0xFFFF, Bytes({0xEF, 0xBF, 0xBF})},
      {0x10000, Bytes({0xF0, 0x90, 0x80, 0x80})},
      {0x10FFFF, Bytes({0xF4, 0x8F, 0xBF, 0xBF})},
  };
  for (const Case& c : cases) {
    std::string out = "x";
    Append(out, c.code_point);
    EXPECT_EQ(out, "x" + c.bytes) << std::hex << static_cast<std::uint32_t>(c.code_point);
  }
}

TEST(Utf8Append, RoundTripsEveryScalarValue) {
  std::string out;
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    out.clear();
    Append(out, cp);
    const std::size_t expected_length = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    ASSERT_EQ(out.size(), expected_length) << std::hex << static_cast<std::uint32_t>(cp);
    const Decoded d = DecodeAt(out, 0);
    ASSERT_TRUE(d.valid) << std::hex << static_cast<std::uint32_t>(cp);
    ASSERT_EQ(d.code_point, cp);
    ASSERT_EQ(d.length, expected_length);
  }
}

// ----------------------------------------------------------------- IsValid

TEST(Utf8IsValid, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValid(""));
  EXPECT_TRUE(IsValid("plain ASCII text, with punctuation!"));
  EXPECT_TRUE(IsValid(Bytes({0x00, 0x41})));
  EXPECT_TRUE(IsValid("école Москва 日本語 “quoted” – — 😀"));
  EXPECT_TRUE(IsValid(Bytes({0xF4, 0x8F, 0xBF, 0xBF})));
}

TEST(Utf8IsValid, RejectsMalformedText) {
  EXPECT_FALSE(IsValid(Bytes({0x80})));
  EXPECT_FALSE(IsValid(Bytes({0xFF})));
  EXPECT_FALSE(IsValid("abc\xC3"s));                       // truncated at the end
  EXPECT_FALSE(IsValid("\xC3(abc"s));                      // bad continuation
  EXPECT_FALSE(IsValid(Bytes({'a', 0xC0, 0x80, 'b'})));    // overlong
  EXPECT_FALSE(IsValid(Bytes({'a', 0xED, 0xA0, 0x80})));   // surrogate
  EXPECT_FALSE(IsValid(Bytes({0xF4, 0x90, 0x80, 0x80})));  // > U+10FFFF
  EXPECT_FALSE(IsValid("valid é then bad \xE2\x82"s));
}

// ------------------------------------------------------------------ Repair

TEST(Utf8Repair, LeavesValidTextUntouched) {
  std::string text = "école Москва 日本語 😀";
  const std::string original = text;
  EXPECT_EQ(Repair(text), 0u);
  EXPECT_EQ(text, original);

  std::string empty;
  EXPECT_EQ(Repair(empty), 0u);
  EXPECT_EQ(empty, "");
}

TEST(Utf8Repair, ReplacesEachMalformedByte) {
  // Repair follows DecodeAt: every byte that does not start a well-formed
  // sequence becomes one U+FFFD (not Unicode's "maximal subpart" practice).
  struct Case {
    std::string input;
    std::string output;
    std::size_t replacements;
  };
  const std::vector<Case> cases = {
      {"a\xFF"
       "b",
       "a\uFFFD"
       "b",
       1},
      {"\x80", "\uFFFD", 1},
      {"abc\xC3", "abc\uFFFD", 1},
      {"\xE2\x82", "\uFFFD\uFFFD", 2},  // truncated 3-byte sequence
      {"\xF0\x9F\x98"
       "x",
       "\uFFFD\uFFFD\uFFFD"
       "x",
       3},                                                   // truncated 4-byte sequence
      {Bytes({0xC0, 0x80}), "\uFFFD\uFFFD", 2},              // overlong NUL
      {Bytes({0xED, 0xA0, 0x80}), "\uFFFD\uFFFD\uFFFD", 3},  // surrogate
      {Bytes({0xF4, 0x90, 0x80, 0x80}), "\uFFFD\uFFFD\uFFFD\uFFFD", 4},
      {"\xC3\xA9\xFF\xC3\xA9", "é\uFFFDé", 1},
      {"\xE2\x82"
       "\xE2\x82\xAC",
       "\uFFFD\uFFFD€", 2},  // valid € after a cut one
  };
  for (const Case& c : cases) {
    std::string text = c.input;
    EXPECT_EQ(Repair(text), c.replacements) << c.output;
    EXPECT_EQ(text, c.output);
    EXPECT_TRUE(IsValid(text));
  }
}

TEST(Utf8Repair, RandomBytesBecomeValidAndKeepWellFormedSequences) {
  std::mt19937 rng(20250222);
  std::uniform_int_distribution<int> length_dist(0, 64);
  std::uniform_int_distribution<int> byte_dist(0, 255);
  for (int round = 0; round < 2000; ++round) {
    std::string text(static_cast<std::size_t>(length_dist(rng)), '\0');
    for (char& c : text) c = static_cast<char>(byte_dist(rng));

    // The expected result, built code point by code point.
    std::string expected;
    std::size_t expected_replacements = 0;
    for (std::size_t pos = 0; pos < text.size();) {
      const Decoded d = DecodeAt(text, pos);
      if (d.valid) {
        expected.append(text, pos, d.length);
      } else {
        Append(expected, kReplacementChar);
        ++expected_replacements;
      }
      pos += d.length;
    }
    const bool was_valid = IsValid(text);
    EXPECT_EQ(was_valid, expected_replacements == 0);

    std::string repaired = text;
    ASSERT_EQ(Repair(repaired), expected_replacements);
    ASSERT_EQ(repaired, expected);
    ASSERT_TRUE(IsValid(repaired));
    std::string again = repaired;
    ASSERT_EQ(Repair(again), 0u);  // idempotent
    ASSERT_EQ(again, repaired);
  }
}

// --------------------------------------------------------- TruncationPoint

TEST(Utf8TruncationPoint, WholeTextWhenItFits) {
  EXPECT_EQ(TruncationPoint("", 0), 0u);
  EXPECT_EQ(TruncationPoint("", 10), 0u);
  EXPECT_EQ(TruncationPoint("abc", 3), 3u);
  EXPECT_EQ(TruncationPoint("abc", 100), 3u);
  EXPECT_EQ(TruncationPoint("é", 2), 2u);
}

TEST(Utf8TruncationPoint, StepsBackToACodePointBoundary) {
  const std::string text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";  // a é € 😀 z
  // Boundaries: 0 1 3 6 10 11.
  const std::size_t expected[] = {0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10, 11};
  for (std::size_t max = 0; max <= text.size(); ++max) {
    EXPECT_EQ(TruncationPoint(text, max), expected[max]) << "max_bytes " << max;
  }
  EXPECT_EQ(TruncationPoint("abc", 0), 0u);
  EXPECT_EQ(TruncationPoint("abc", 2), 2u);
}

TEST(Utf8TruncationPoint, NeverSplitsACodePoint) {
  // Random valid text mixing 1-, 2-, 3- and 4-byte code points.
  const char32_t alphabet[] = {U'a',   U'Z',   U'7',   0xE9,    0x416,   0x7FF,   0x800,
                               0x2019, 0x65E5, 0xFFFD, 0x10000, 0x1F600, 0x10FFFF};
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::size_t> pick(0, std::size(alphabet) - 1);
  for (int round = 0; round < 200; ++round) {
    std::string text;
    std::vector<std::size_t> boundaries{0};
    for (int i = 0; i < 40; ++i) {
      Append(text, alphabet[pick(rng)]);
      boundaries.push_back(text.size());
    }
    for (std::size_t max = 0; max <= text.size() + 1; ++max) {
      const std::size_t cut = TruncationPoint(text, max);
      // The largest boundary <= max.
      std::size_t best = 0;
      for (const std::size_t b : boundaries) {
        if (b <= max) best = b;
      }
      ASSERT_EQ(cut, best) << "max_bytes " << max;
      ASSERT_TRUE(IsValid(std::string_view(text).substr(0, cut)));
    }
  }
}

}  // namespace
}  // namespace fathom::utf8
