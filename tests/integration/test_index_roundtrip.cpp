// Index write -> read round trip: every posting list, frequency, position,
// length, id and stored document the reader returns equals what the
// brute-force model computes from the documents.
#include <gtest/gtest.h>

#include "common/read/doc_store.hpp"
#include "common/read/index_reader.hpp"
#include "common/read/posting_cursor.hpp"
#include "tests/model_index.hpp"
#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

class RoundTripTest : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(RoundTripTest, ReaderReturnsWhatWasIndexed) {
  TempDir dir;
  // 1500 documents over 300 words: the frequent words span many blocks, with
  // a partial (varint) tail block.
  const auto docs = RandomDocs(1500, 300, GetParam());
  const ModelIndex model(docs, {});
  const auto index_dir = BuildFromDocs(dir, docs);
  const IndexReader reader(index_dir);

  ASSERT_EQ(reader.document_count(), docs.size());
  ASSERT_EQ(reader.term_count(), model.postings.size());
  for (DocId d = 0; d < docs.size(); ++d) {
    ASSERT_EQ(reader.length(d), model.lengths[d]) << "doc " << d;
    ASSERT_EQ(reader.external_id(d), docs[d].id);
  }
  std::uint64_t index = 0;
  std::size_t multi_block_terms = 0;
  std::vector<std::uint32_t> positions;
  for (const auto& [term, expected] : model.postings) {
    ASSERT_EQ(reader.TermAt(index++), term);
    const auto info = reader.FindTerm(term);
    ASSERT_TRUE(info.has_value()) << term;
    ASSERT_EQ(info->entry.document_frequency, expected.size());
    PostingCursor cursor(reader, *info);
    multi_block_terms += cursor.block_count() > 1;
    for (const auto& posting : expected) {
      ASSERT_EQ(cursor.doc(), posting.doc) << term;
      ASSERT_EQ(cursor.frequency(), posting.positions.size()) << term;
      cursor.Positions(positions);
      ASSERT_EQ(positions, posting.positions) << term << " in doc " << posting.doc;
      cursor.Next();
    }
    EXPECT_EQ(cursor.doc(), kEndDoc) << term;
  }
  EXPECT_GT(multi_block_terms, 5u) << "the corpus should exercise skip tables";
  EXPECT_FALSE(reader.FindTerm("absent-term").has_value());

  const DocStore store(reader.store_file(), reader.document_count());
  for (DocId d = 0; d < docs.size(); d += 7) {
    const StoredDocument stored = store.Get(d);
    EXPECT_EQ(stored.title, docs[d].title);
    EXPECT_EQ(stored.body, docs[d].body);
  }
}

TEST_P(RoundTripTest, NextGeqAgreesWithLinearScan) {
  TempDir dir;
  const auto docs = RandomDocs(3000, 50, GetParam() + 100, 20);
  const ModelIndex model(docs, {});
  const IndexReader reader(BuildFromDocs(dir, docs));
  std::mt19937_64 rng(GetParam());
  for (const auto& [term, expected] : model.postings) {
    PostingCursor cursor(reader, *reader.FindTerm(term));
    DocId target = 0;
    while (true) {
      target += static_cast<DocId>(rng() % 300);
      cursor.NextGeq(target);
      auto it = std::lower_bound(expected.begin(), expected.end(), target,
                                 [](const ModelPosting& p, DocId t) { return p.doc < t; });
      if (it == expected.end()) {
        ASSERT_EQ(cursor.doc(), kEndDoc);
        break;
      }
      ASSERT_EQ(cursor.doc(), it->doc) << term << " target " << target;
      ASSERT_EQ(cursor.frequency(), it->positions.size());
      target = cursor.doc();
      // NextGeq never moves backwards.
      cursor.NextGeq(target / 2);
      ASSERT_EQ(cursor.doc(), it->doc);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, RoundTripTest, ::testing::Values(1, 2, 3));

TEST(RoundTrip, SkipEntriesCarryBlockMaxima) {
  TempDir dir;
  const auto docs = RandomDocs(2000, 40, 7);
  const ModelIndex model(docs, {});
  const IndexReader reader(BuildFromDocs(dir, docs));
  for (const auto& [term, expected] : model.postings) {
    PostingCursor cursor(reader, *reader.FindTerm(term));
    std::size_t i = 0;
    for (std::size_t block = 0; block < cursor.block_count(); ++block) {
      const format::SkipEntry skip = cursor.current_block();
      std::uint32_t max_tf = 0;
      std::uint32_t min_length = UINT32_MAX;
      DocId last = 0;
      for (std::size_t j = 0; j < codec::kBlockSize && i < expected.size(); ++j, ++i) {
        max_tf = std::max<std::uint32_t>(max_tf, expected[i].positions.size());
        min_length = std::min(min_length, model.lengths[expected[i].doc]);
        last = expected[i].doc;
      }
      ASSERT_EQ(skip.last_doc, last) << term;
      ASSERT_EQ(skip.max_frequency, max_tf) << term;
      ASSERT_EQ(skip.min_length, min_length) << term;
      cursor.NextGeq(last + 1);
    }
  }
}

}  // namespace
}  // namespace fathom::testing
