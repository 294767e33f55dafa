// The cursor's block-level interface that dynamic pruning uses (FindBlock,
// SeekBlock, LastDocOf, SkipOf, block_docs/block_frequencies), lazily
// decoded frequencies, and the varint skipping behind Positions().
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "common/error.hpp"
#include "common/format/codec.hpp"
#include "common/read/posting_cursor.hpp"
#include "indexer/write/segment_writer.hpp"
#include "tests/encoded_list.hpp"

namespace fathom {
namespace {

using List = testing::EncodedList;

List MakeList(std::size_t count, std::uint64_t collection, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  List list(collection);
  std::set<DocId> chosen;
  while (chosen.size() < count) chosen.insert(static_cast<DocId>(rng() % collection));
  for (const DocId doc : chosen) {
    const auto tf = static_cast<std::uint32_t>(1 + (rng() % 7 == 0 ? rng() % 300 : rng() % 4));
    std::vector<std::uint32_t> positions;
    std::uint32_t position = static_cast<std::uint32_t>(rng() % 20);
    for (std::uint32_t i = 0; i < tf; ++i) {
      positions.push_back(position);
      position += 1 + static_cast<std::uint32_t>(rng() % (rng() % 4 == 0 ? 40000 : 30));
    }
    const std::uint32_t length = tf + static_cast<std::uint32_t>(rng() % 300);
    list.Add(doc, std::move(positions), length);
  }
  list.Encode();
  return list;
}

class CursorBlocksTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(CursorBlocksTest, BlockDataMatchesThePostings) {
  const List list = MakeList(GetParam(), GetParam() * 5 + 11, GetParam());
  PostingCursor cursor(list.Data(), "test");
  ASSERT_EQ(cursor.block_count(), (list.docs.size() + 127) / 128);
  for (std::size_t b = 0; b < cursor.block_count(); ++b) {
    const std::size_t first = b * 128;
    const std::size_t last = std::min(list.docs.size(), first + 128) - 1;
    const format::SkipEntry skip = cursor.SkipOf(b);
    EXPECT_EQ(cursor.LastDocOf(b), list.docs[last]);
    EXPECT_EQ(skip.last_doc, list.docs[last]);
    std::uint32_t max_frequency = 0, min_length = UINT32_MAX;
    for (std::size_t i = first; i <= last; ++i) {
      max_frequency = std::max(max_frequency, list.frequencies[i]);
      min_length = std::min(min_length, list.lengths[list.docs[i]]);
    }
    EXPECT_EQ(skip.max_frequency, max_frequency) << "block " << b;
    EXPECT_EQ(skip.min_length, min_length) << "block " << b;
  }
  // Blocks in any order, even backwards: docs, frequencies, positions.
  std::vector<std::uint32_t> positions;
  for (std::size_t b = cursor.block_count(); b-- > 0;) {
    cursor.SeekBlock(b);
    ASSERT_EQ(cursor.block_index(), b);
    ASSERT_EQ(cursor.block_size(), std::min<std::size_t>(128, list.docs.size() - b * 128));
    for (std::size_t i = 0; i < cursor.block_size(); ++i) {
      ASSERT_EQ(cursor.block_docs()[i], list.docs[b * 128 + i]);
      ASSERT_EQ(cursor.block_frequencies()[i], list.frequencies[b * 128 + i]);
    }
    ASSERT_EQ(cursor.doc(), list.docs[b * 128]);
    cursor.Positions(positions);
    ASSERT_EQ(positions, list.positions[b * 128]);
  }
  cursor.SeekBlock(cursor.block_count());
  EXPECT_EQ(cursor.doc(), kEndDoc);
}

TEST_P(CursorBlocksTest, FindBlockIsTheFirstBlockReachingTheTarget) {
  const List list = MakeList(GetParam(), GetParam() * 3 + 7, GetParam() + 1);
  const PostingCursor cursor(list.Data(), "test");
  const std::size_t blocks = cursor.block_count();
  for (DocId target = 0; target <= list.docs.back() + 1; target += 1 + target / 50) {
    for (std::size_t from = 0; from <= blocks; from += 1 + blocks / 7) {
      std::size_t expected = from;
      while (expected < blocks && cursor.LastDocOf(expected) < target) ++expected;
      ASSERT_EQ(cursor.FindBlock(target, from), expected) << target << " from " << from;
    }
  }
}

TEST_P(CursorBlocksTest, PositionsOfScatteredPostingsAfterLongSkips) {
  const List list = MakeList(GetParam(), GetParam() * 2 + 3, GetParam() + 2);
  PostingCursor cursor(list.Data(), "test");
  std::vector<std::uint32_t> positions;
  std::mt19937_64 rng(GetParam());
  // Frequencies are never decoded for postings passed with Next/NextGeq
  // only; positions must still land on the right posting.
  for (std::size_t i = 0; i < list.docs.size(); i += 1 + rng() % 40) {
    cursor.NextGeq(list.docs[i]);
    ASSERT_EQ(cursor.doc(), list.docs[i]);
    if (rng() % 3 == 0) {
      cursor.Positions(positions);
      ASSERT_EQ(positions, list.positions[i]) << "posting " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, CursorBlocksTest,
                         ::testing::Values(1, 5, 127, 128, 129, 640, 1000, 4097));

// A block is checked when the cursor first loads it, not when the cursor is
// made: a damaged header stops the reader that reaches the block, with an
// error naming it, and a reader that stops before it never sees it.
TEST(CursorBlocks, ABadBlockHeaderIsCaughtWhenTheBlockIsLoaded) {
  const List list = MakeList(128 * 10 + 5, 100000, 5);  // 11 blocks
  List damaged = list;
  format::SkipTable table;
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(list.bytes.data());
  ASSERT_TRUE(table.Open(bytes, bytes + list.bytes.size(), 11));
  const std::size_t header = table.size() + table.At(6).block_offset;
  damaged.bytes[header] = static_cast<char>(40);  // a bit width over 32

  PostingCursor early(damaged.Data(), "test");
  early.NextGeq(list.docs[5 * 128 + 3]);
  EXPECT_EQ(early.doc(), list.docs[5 * 128 + 3]);
  try {
    PostingCursor cursor(damaged.Data(), "test");
    cursor.NextGeq(list.docs[6 * 128]);
    FAIL() << "a bad header in block 6 was read";
  } catch (const CorruptIndexError& e) {
    EXPECT_NE(std::string(e.what()).find("block 6 has a bad header"), std::string::npos)
        << e.what();
  }
  PostingCursor walking(damaged.Data(), "test");
  std::size_t read = 0;
  EXPECT_THROW(
      {
        for (; walking.doc() != kEndDoc; walking.Next()) ++read;
      },
      CorruptIndexError);
  EXPECT_EQ(read, 6u * 128);
}

TEST(SkipVarints, CountsVarintEndsAcrossWords) {
  std::mt19937_64 rng(3);
  std::string bytes;
  std::vector<std::size_t> ends;  // offset after each varint
  for (int i = 0; i < 5000; ++i) {
    const int size = static_cast<int>(rng() % 5);
    const std::uint32_t value = size == 0
                                    ? static_cast<std::uint32_t>(rng() % 128)
                                    : static_cast<std::uint32_t>(rng() >> (64 - 7 * (size + 1)));
    codec::PutVarint(value, bytes);
    ends.push_back(bytes.size());
  }
  const auto* begin = reinterpret_cast<const std::uint8_t*>(bytes.data());
  const auto* end = begin + bytes.size();
  for (std::size_t n = 0; n <= ends.size(); n += 1 + n / 3) {
    const std::uint8_t* after = codec::SkipVarints(begin, end, n);
    ASSERT_NE(after, nullptr) << n;
    ASSERT_EQ(static_cast<std::size_t>(after - begin), n == 0 ? 0 : ends[n - 1]) << n;
  }
  EXPECT_EQ(codec::SkipVarints(begin, end, ends.size() + 1), nullptr);
}

}  // namespace
}  // namespace fathom
