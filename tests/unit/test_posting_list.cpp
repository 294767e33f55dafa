// Posting list encoding (indexer/segment_writer) decoded by PostingCursor
// (searcher/posting_cursor) over raw bytes: edge-case list sizes around the
// 128-posting block, the largest gaps, and damaged bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "common/error.hpp"
#include "common/format/codec.hpp"
#include "common/read/posting_cursor.hpp"
#include "indexer/write/segment_writer.hpp"
#include "tests/encoded_list.hpp"

namespace fathom {
namespace {

using testing::EncodedList;

// A list of `count` postings over a collection of `collection` documents,
// gaps drawn so that the last doc is near the end of the collection.
EncodedList MakeList(std::size_t count, std::uint64_t collection, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  EncodedList list(collection);
  // Spread ids over the whole range, including 0 and collection - 1.
  std::set<DocId> chosen = {0, static_cast<DocId>(collection - 1)};
  while (chosen.size() < count) chosen.insert(static_cast<DocId>(rng() % collection));
  std::vector<DocId> docs(chosen.begin(), chosen.end());
  docs.resize(count);
  // Two postings: doc 0 and the collection's last doc, the largest gap a list
  // of this collection can have (32-bit gaps are covered in test_codec).
  if (count == 2) docs = {0, static_cast<DocId>(collection - 1)};
  for (const DocId doc : docs) {
    const std::uint32_t tf =
        1 + static_cast<std::uint32_t>(rng() % 5 == 0 ? rng() % 1000 : rng() % 3);
    std::vector<std::uint32_t> positions;
    std::uint32_t position = static_cast<std::uint32_t>(rng() % 50);
    for (std::uint32_t i = 0; i < tf; ++i) {
      positions.push_back(position);
      position += 1 + static_cast<std::uint32_t>(rng() % 100);
    }
    const std::uint32_t length = tf + static_cast<std::uint32_t>(rng() % 500);
    list.Add(doc, std::move(positions), length);
  }
  list.Encode();
  return list;
}

class PostingListTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(PostingListTest, DecodesWhatWasEncoded) {
  const std::size_t count = GetParam();
  for (const std::uint64_t collection :
       {std::uint64_t{count}, std::uint64_t{count} * 3 + 7, std::uint64_t{1} << 20}) {
    const EncodedList list = MakeList(count, collection, count * 7 + collection);
    PostingCursor cursor(list.Data(), "test");
    EXPECT_EQ(cursor.block_count(), (count + 127) / 128);
    std::vector<std::uint32_t> positions;
    for (std::size_t i = 0; i < count; ++i) {
      ASSERT_EQ(cursor.doc(), list.docs[i]) << "posting " << i;
      ASSERT_EQ(cursor.frequency(), list.frequencies[i]);
      if (i % 3 == 0) {  // positions of skipped postings must not disturb later ones
        cursor.Positions(positions);
        ASSERT_EQ(positions, list.positions[i]) << "posting " << i;
      }
      cursor.Next();
    }
    EXPECT_EQ(cursor.doc(), kEndDoc);
  }
}

// NextGeq lands on the first posting at or after its target, whatever the
// distance: the next posting, within the block (compared eight at a time
// from any index), exactly at a block's end, into the next block or far
// ahead, past the end; and in the short tail block, whose array still holds
// the previous block's larger ids after its end.
TEST_P(PostingListTest, NextGeqFindsTheFirstPostingAtOrAfterTheTarget) {
  const std::size_t count = GetParam();
  const EncodedList list = MakeList(count, std::uint64_t{count} * 4 + 9, count + 11);
  std::mt19937_64 rng(count);
  for (int trial = 0; trial < 40; ++trial) {
    PostingCursor cursor(list.Data(), "test");
    DocId target = 0;
    while (true) {
      const std::uint64_t step = trial % 4 == 0   ? 1
                                 : trial % 4 == 1 ? rng() % 16
                                 : trial % 4 == 2 ? rng() % 200
                                                  : rng() % 2000;
      target = static_cast<DocId>(std::min<std::uint64_t>(target + step, kEndDoc - 1));
      if (trial % 5 == 0 && cursor.doc() != kEndDoc) target = cursor.doc() + 1;  // the next
      const auto expected = std::lower_bound(list.docs.begin(), list.docs.end(), target);
      cursor.NextGeq(target);
      if (expected == list.docs.end()) {
        ASSERT_EQ(cursor.doc(), kEndDoc) << "target " << target;
        break;
      }
      ASSERT_EQ(cursor.doc(), *expected) << "target " << target;
      ASSERT_EQ(cursor.frequency(),
                list.frequencies[static_cast<std::size_t>(expected - list.docs.begin())]);
      target = cursor.doc();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, PostingListTest,
                         ::testing::Values(1, 2, 3, 127, 128, 129, 255, 256, 257, 1000, 5000));

TEST(PostingList, DamagedBytesNeverLeaveTheCollection) {
  const EncodedList original = MakeList(700, 3000, 5);
  std::mt19937_64 rng(9);
  for (int trial = 0; trial < 2000; ++trial) {
    EncodedList list = original;
    const std::size_t at = rng() % list.bytes.size();
    list.bytes[at] = static_cast<char>(list.bytes[at] ^ (1 << (rng() % 8)));
    try {
      PostingCursor cursor(list.Data(), "test");
      std::vector<std::uint32_t> positions;
      DocId previous = 0;
      bool first = true;
      for (int steps = 0; cursor.doc() != kEndDoc && steps < 1000; ++steps) {
        ASSERT_LT(cursor.doc(), 3000u);
        if (!first) {
          ASSERT_GT(cursor.doc(), previous);
        }
        previous = cursor.doc();
        first = false;
        cursor.Positions(positions);
        if (steps % 2) {
          cursor.Next();
        } else {
          cursor.NextGeq(cursor.doc() + 1 + static_cast<DocId>(rng() % 50));
        }
      }
    } catch (const CorruptIndexError&) {
      // Detected when the skip table was validated: fine.
    }
  }
}

}  // namespace
}  // namespace fathom
