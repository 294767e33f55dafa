// Impact records (common/format/impacts.hpp, format::PutImpacts/GetImpacts): the
// stored pairs bound the BM25 score of every posting of the block for any
// k1 and b, exactly when the record did not have to be capped; the byte
// encoding round-trips and rejects malformed records; the cursor returns
// each block's record.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "common/format/codec.hpp"
#include "common/format/format.hpp"
#include "common/format/impacts.hpp"
#include "common/read/posting_cursor.hpp"
#include "indexer/write/segment_writer.hpp"
#include "tests/encoded_list.hpp"

namespace fathom {
namespace {

using format::Impact;

// BM25 without idf, in double: the bounds are a property of real numbers;
// float rounding is the evaluators' kBoundSlack's business.
double Score(std::uint32_t tf, std::uint32_t length, double k1, double b, double average) {
  return tf / (tf + k1 * (1 - b + b * length / average));
}

struct Block {
  std::vector<std::uint32_t> frequencies, lengths;
};

// Frequencies mostly small with a long tail, lengths log-uniform: the shape
// of real lists, where the largest frequency and the shortest length are
// rarely in the same document.
Block RandomBlock(std::mt19937_64& rng, std::size_t n, std::uint32_t max_value) {
  Block block;
  std::uniform_real_distribution<double> unit(0, 1);
  for (std::size_t i = 0; i < n; ++i) {
    const double f = std::pow(unit(rng), 6) * std::min<double>(max_value, 1000) + 1;
    const double l = std::exp(unit(rng) * std::log(static_cast<double>(max_value)));
    block.frequencies.push_back(static_cast<std::uint32_t>(std::min<double>(f, max_value)));
    block.lengths.push_back(std::max(block.frequencies.back(),
                                     static_cast<std::uint32_t>(std::min<double>(l, max_value))));
  }
  return block;
}

// The pairs no other pair dominates (as frequent or more, as short or
// shorter), by comparing every two: the frontier's definition.
std::set<std::pair<std::uint32_t, std::uint32_t>> UndominatedPairs(const std::vector<Impact>& all) {
  std::set<std::pair<std::uint32_t, std::uint32_t>> undominated;
  for (const Impact& p : all) {
    const bool dominated = std::any_of(all.begin(), all.end(), [&](const Impact& q) {
      return q.frequency >= p.frequency && q.length <= p.length &&
             (q.frequency != p.frequency || q.length != p.length);
    });
    if (!dominated) undominated.insert({p.frequency, p.length});
  }
  return undominated;
}

// The size of a block's frontier.
std::size_t ParetoSize(const Block& block) {
  std::vector<Impact> pairs;
  for (std::size_t i = 0; i < block.frequencies.size(); ++i) {
    pairs.push_back({block.frequencies[i], block.lengths[i]});
  }
  return UndominatedPairs(pairs).size();
}

void ExpectBounds(const Block& block, const Impact* impacts, std::size_t count, bool exact,
                  std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unit(0, 1);
  for (int trial = 0; trial < 40; ++trial) {
    // The ends of the ranges too: b = 0 and b = 1 pick the extreme pairs.
    const double k1 = trial == 0 ? 0.0 : 3 * unit(rng);
    const double b = trial == 1 ? 0.0 : (trial == 2 ? 1.0 : unit(rng));
    const double average = 1 + unit(rng) * 2000;
    double best_posting = 0, best_pair = 0;
    for (std::size_t i = 0; i < block.frequencies.size(); ++i) {
      best_posting =
          std::max(best_posting, Score(block.frequencies[i], block.lengths[i], k1, b, average));
    }
    for (std::size_t i = 0; i < count; ++i) {
      best_pair =
          std::max(best_pair, Score(impacts[i].frequency, impacts[i].length, k1, b, average));
    }
    ASSERT_GE(best_pair, best_posting * (1 - 1e-12)) << "k1 " << k1 << " b " << b;
    if (exact) {
      ASSERT_LE(best_pair, best_posting * (1 + 1e-12)) << "k1 " << k1 << " b " << b;
    }
  }
}

void ExpectWellFormed(const Block& block, const Impact* impacts, std::size_t count) {
  ASSERT_GE(count, 1u);
  ASSERT_LE(count, format::kMaxImpacts);
  const std::uint32_t max_frequency =
      *std::max_element(block.frequencies.begin(), block.frequencies.end());
  const std::uint32_t min_length = *std::min_element(block.lengths.begin(), block.lengths.end());
  for (std::size_t i = 1; i < count; ++i) {
    ASSERT_LT(impacts[i - 1].frequency, impacts[i].frequency);
    ASSERT_LT(impacts[i - 1].length, impacts[i].length);
  }
  EXPECT_EQ(impacts[count - 1].frequency, max_frequency);
  EXPECT_GE(impacts[0].length, min_length);
}

TEST(Impacts, BoundEveryPostingForAnyK1AndBAndAreExactUncapped) {
  std::mt19937_64 rng(11);
  std::size_t capped = 0, exact = 0;
  for (int round = 0; round < 3000; ++round) {
    // A third of the blocks small, whose few pairs always fit.
    const std::size_t n = round % 3 == 0 ? 1 + rng() % 8 : 1 + rng() % 128;
    const std::uint32_t max_value = round % 10 == 0 ? UINT32_MAX : 5000;
    const Block block = RandomBlock(rng, n, max_value);
    Impact impacts[format::kMaxImpacts];
    const std::size_t count =
        CompetitiveImpacts(block.frequencies.data(), block.lengths.data(), n, impacts);
    ExpectWellFormed(block, impacts, count);
    // Up to kMaxImpacts undominated pairs: nothing was merged.
    const bool uncapped = ParetoSize(block) <= format::kMaxImpacts;
    capped += uncapped ? 0 : 1;
    exact += uncapped ? 1 : 0;
    ExpectBounds(block, impacts, count, uncapped, rng);
    if (::testing::Test::HasFatalFailure()) return;
  }
  EXPECT_GT(exact, 1000u);
  EXPECT_GT(capped, 0u);
}

TEST(Impacts, ConvexRunsAreCappedAndStillBound) {
  // (t, t^2) for t = 1..40: every pair is the best for some k1 and b, so
  // the record must merge neighbours to fit.
  Block block;
  for (std::uint32_t t = 1; t <= 40; ++t) {
    block.frequencies.push_back(t);
    block.lengths.push_back(t * t);
  }
  Impact impacts[format::kMaxImpacts];
  const std::size_t count =
      CompetitiveImpacts(block.frequencies.data(), block.lengths.data(), 40, impacts);
  // A merged pair can hide a neighbour too, leaving fewer than the cap.
  EXPECT_LE(count, format::kMaxImpacts);
  EXPECT_GE(count, format::kMaxImpacts - 2);
  ExpectWellFormed(block, impacts, count);
  std::mt19937_64 rng(5);
  ExpectBounds(block, impacts, count, false, rng);
  // Fewer than the cap: every vertex kept, the bound exact.
  block.frequencies.resize(6);
  block.lengths.resize(6);
  const std::size_t six =
      CompetitiveImpacts(block.frequencies.data(), block.lengths.data(), 6, impacts);
  EXPECT_EQ(six, 6u);
  ExpectBounds(block, impacts, six, true, rng);
}

TEST(Impacts, DominatedAndHiddenPairsAreDropped) {
  // (2, 50) is dominated by (3, 40), (4, 100) by (8, 100); the duplicate
  // (3, 40) collapses.
  const std::uint32_t frequencies[] = {3, 2, 8, 4, 3, 1};
  const std::uint32_t lengths[] = {40, 50, 100, 100, 40, 10};
  Impact impacts[format::kMaxImpacts];
  const std::size_t count = CompetitiveImpacts(frequencies, lengths, 6, impacts);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> got;
  for (std::size_t i = 0; i < count; ++i) got.push_back({impacts[i].frequency, impacts[i].length});
  // len/tf: (1,10) 10, (3,40) 13.3, (8,100) 12.5: (1,10) is the lowest
  // point, (8,100) the largest frequency, and (3,40) lies above the segment
  // between them in the (1/tf, len/tf) plane.
  const std::vector<std::pair<std::uint32_t, std::uint32_t>> expected = {{1, 10}, {8, 100}};
  EXPECT_EQ(got, expected);
}

TEST(Impacts, RecordsRoundTripAndMalformedOnesAreRejected) {
  std::mt19937_64 rng(3);
  for (int round = 0; round < 500; ++round) {
    const std::size_t n = 1 + rng() % 128;
    const Block block = RandomBlock(rng, n, round % 2 ? UINT32_MAX : 3000);
    Impact impacts[format::kMaxImpacts];
    const std::size_t count =
        CompetitiveImpacts(block.frequencies.data(), block.lengths.data(), n, impacts);
    const std::uint32_t min_length = *std::min_element(block.lengths.begin(), block.lengths.end());
    std::string bytes;
    format::PutImpacts(bytes, impacts, count, min_length);
    const auto* in = reinterpret_cast<const std::uint8_t*>(bytes.data());
    Impact decoded[format::kMaxImpacts];
    ASSERT_EQ(format::GetImpacts(in, in + bytes.size(), min_length, decoded), count);
    for (std::size_t i = 0; i < count; ++i) {
      ASSERT_EQ(decoded[i].frequency, impacts[i].frequency);
      ASSERT_EQ(decoded[i].length, impacts[i].length);
    }
    // Every truncation ends inside a varint or drops pairs: a cut inside a
    // pair is rejected, never read past.
    for (std::size_t size = 0; size < bytes.size(); ++size) {
      const std::size_t got = format::GetImpacts(in, in + size, min_length, decoded);
      ASSERT_LT(got, count);
    }
  }
  // More pairs than a record holds, and 32-bit overflow.
  std::string long_record;
  for (std::size_t i = 0; i <= format::kMaxImpacts; ++i) long_record += std::string("\x01\x01", 2);
  const auto* in = reinterpret_cast<const std::uint8_t*>(long_record.data());
  Impact decoded[format::kMaxImpacts];
  EXPECT_EQ(format::GetImpacts(in, in + long_record.size(), 0, decoded), 0u);
  EXPECT_EQ(format::GetImpacts(in, in + long_record.size() - 2, 0, decoded), format::kMaxImpacts);
  std::string overflow;
  codec::PutVarint(UINT32_MAX, overflow);
  codec::PutVarint(0, overflow);
  codec::PutVarint(1, overflow);
  codec::PutVarint(0, overflow);
  in = reinterpret_cast<const std::uint8_t*>(overflow.data());
  EXPECT_EQ(format::GetImpacts(in, in + overflow.size(), 0, decoded), 0u);
  EXPECT_EQ(format::GetImpacts(in, in, 0, decoded), 0u);  // empty
}

// A list of df postings through the writer, for cursors: frequencies mostly
// 1 to 3, some up to 50, lengths up to 2,000 words.
testing::EncodedList WrittenList(std::size_t df) {
  std::mt19937_64 rng(df);
  testing::EncodedList list(df * 4 + 10);
  std::set<DocId> chosen;
  while (chosen.size() < df) chosen.insert(static_cast<DocId>(rng() % list.lengths.size()));
  for (const DocId doc : chosen) {
    const auto frequency = 1 + static_cast<std::uint32_t>(rng() % 8 == 0 ? rng() % 50 : rng() % 3);
    std::vector<std::uint32_t> positions(frequency);
    for (std::uint32_t i = 0; i < frequency; ++i) positions[i] = i;
    list.Add(doc, std::move(positions), frequency + static_cast<std::uint32_t>(rng() % 2000));
  }
  list.Encode();
  return list;
}

// Through the writer and the cursor: a multi-block list stores each block's
// record; a single-block list has none and gives (max frequency, min length).
TEST(Impacts, CursorReturnsEachBlocksRecord) {
  for (const std::size_t df : {1, 100, 128, 129, 700, 3000}) {
    const testing::EncodedList list = WrittenList(df);
    const std::vector<DocId>& docs = list.docs;
    const PostingCursor cursor(list.Data(), "test");
    for (std::size_t b = 0; b < cursor.block_count(); ++b) {
      const std::size_t first = b * 128, n = std::min<std::size_t>(128, df - first);
      Block block;
      for (std::size_t i = first; i < first + n; ++i) {
        block.frequencies.push_back(list.frequencies[i]);
        block.lengths.push_back(list.lengths[docs[i]]);
      }
      Impact expected[format::kMaxImpacts], got[format::kMaxImpacts];
      std::size_t expected_count = 1;
      if (cursor.block_count() > 1) {
        expected_count =
            CompetitiveImpacts(block.frequencies.data(), block.lengths.data(), n, expected);
      } else {
        expected[0] = {*std::max_element(block.frequencies.begin(), block.frequencies.end()),
                       *std::min_element(block.lengths.begin(), block.lengths.end())};
      }
      const std::size_t count = cursor.ImpactsOf(b, got);
      ASSERT_EQ(count, expected_count) << "df " << df << " block " << b;
      for (std::size_t i = 0; i < count; ++i) {
        ASSERT_EQ(got[i].frequency, expected[i].frequency) << "df " << df << " block " << b;
        ASSERT_EQ(got[i].length, expected[i].length) << "df " << df << " block " << b;
      }
    }
  }
}

// The frontier of any pairs, those above the max frequency it was told of
// included, is exactly the pairs no other dominates, most frequent first.
TEST(Impacts, FrontierOfAnyPairsIsTheUndominatedOnes) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 200; ++round) {
    const auto max_frequency = static_cast<std::uint32_t>(1 + rng() % 40);
    std::vector<Impact> pairs(1 + rng() % 60);
    for (Impact& pair : pairs) {
      // One pair in ten above max_frequency: a record at odds with its skip entries.
      const std::uint32_t top = rng() % 10 == 0 ? 2 * max_frequency + 3 : max_frequency + 1;
      pair = {static_cast<std::uint32_t>(rng() % top), static_cast<std::uint32_t>(rng() % 50)};
    }
    ImpactFrontier frontier(max_frequency);
    for (const Impact& pair : pairs) frontier.Add(pair);
    const std::set<std::pair<std::uint32_t, std::uint32_t>> expected = UndominatedPairs(pairs);
    const std::vector<Impact> got = frontier.Take();
    ASSERT_EQ(got.size(), expected.size()) << "round " << round;
    for (std::size_t i = 0; i < got.size(); ++i) {
      ASSERT_TRUE(expected.count({got[i].frequency, got[i].length})) << "round " << round;
      if (i > 0) {
        ASSERT_GT(got[i - 1].frequency, got[i].frequency) << "round " << round;
      }
    }
  }
}

// A long list the reader remembers: its frontier is exactly the pairs of
// all its blocks' records that no other pair dominates, computed once and
// shared by later cursors, which skip the walk and keep its max frequency.
TEST(Impacts, ListFrontierIsTheUndominatedPairsOfAllBlocks) {
  ValidatedLists remembered;
  const testing::EncodedList list = WrittenList(5000);  // 40 blocks
  const PostingCursor first(list.Data(&remembered), "test");
  ASSERT_GE(first.block_count(), 16u);
  EXPECT_EQ(PostingCursor(list.Data(), "test").ListImpacts(), nullptr);  // not remembered
  std::vector<Impact> all;
  for (std::size_t b = 0; b < first.block_count(); ++b) {
    Impact pairs[format::kMaxImpacts];
    all.insert(all.end(), pairs, pairs + first.ImpactsOf(b, pairs));
  }
  const std::set<std::pair<std::uint32_t, std::uint32_t>> expected = UndominatedPairs(all);
  const std::vector<Impact>* frontier = first.ListImpacts();
  ASSERT_NE(frontier, nullptr);
  std::set<std::pair<std::uint32_t, std::uint32_t>> got;
  for (const Impact& p : *frontier) got.insert({p.frequency, p.length});
  EXPECT_EQ(got, expected);
  EXPECT_EQ(got.size(), frontier->size());  // no pair twice
  EXPECT_GT(expected.size(), 1u);

  const PostingCursor later(list.Data(&remembered), "test");
  EXPECT_EQ(later.ListImpacts(), frontier);
  EXPECT_EQ(later.max_frequency(), first.max_frequency());
  EXPECT_EQ(first.max_frequency(),
            *std::max_element(list.frequencies.begin(), list.frequencies.end()));
}

}  // namespace
}  // namespace fathom
