// Index write -> read round trip: every posting list, frequency, position,
// length, id and stored document the reader returns equals what the
// brute-force model computes from the documents.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <string>

#include "common/analysis/fields.hpp"
#include "common/read/doc_store.hpp"
#include "common/read/index_reader.hpp"
#include "common/read/posting_cursor.hpp"
#include "indexer/check/index_checker.hpp"
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

// Indexes `words` (no stemming, 40 to a document) and checks that the
// dictionary reads every one back in order, finds it, and bounds the search
// for the strings between terms; then that the index is sound.
void ExpectEveryTermFound(const std::set<std::string>& words) {
  std::vector<SourceDocument> docs;
  std::string body;
  std::size_t n = 0;
  for (const std::string& word : words) {
    body += word + " ";
    if (++n % 40 == 0) {
      docs.push_back({"d" + std::to_string(docs.size()), "", body});
      body.clear();
    }
  }
  docs.push_back({"d" + std::to_string(docs.size()), "", body});
  TempDir dir;
  const auto index_dir = BuildFromDocs(dir, docs, {"none", {}});
  const IndexReader reader(index_dir);
  ASSERT_EQ(reader.term_count(), words.size());
  std::uint64_t index = 0;
  TermWalker walk(reader, 0);
  for (const std::string& word : words) {
    ASSERT_FALSE(walk.done());
    ASSERT_EQ(walk.term(), word) << index;
    ASSERT_EQ(reader.TermAt(index), word);
    ASSERT_EQ(TermWalker(reader, index).term(), word);
    ASSERT_TRUE(reader.FindTerm(word).has_value()) << word;
    ASSERT_EQ(reader.LowerBound(word), index);
    // Just below the term (its last byte dropped sorts first) and just above.
    ASSERT_LE(reader.LowerBound(word.substr(0, word.size() - 1)), index);
    ASSERT_EQ(reader.LowerBound(word + '\x01'), index + 1) << word;
    ASSERT_FALSE(reader.FindTerm(word + '\x01').has_value());
    walk.Next();
    ++index;
  }
  EXPECT_TRUE(walk.done());
  EXPECT_EQ(reader.LowerBound(""), 0u);
  EXPECT_EQ(reader.LowerBound("zzzz"), reader.term_count());
  const CheckReport report = CheckIndex(index_dir);
  EXPECT_TRUE(report.sound) << report.problem;
}

// Front coding (format 11): terms sharing nothing, a few bytes, exactly 15
// (where the shared length leaves the entry's first varint), more than 127
// (two-byte varints), up to the longest term but one byte; terms that are
// prefixes of the next; runs longer than a block of 16, so that block
// boundaries fall inside them. Every term reads back, is found, and
// bounds the search for the strings between terms.
TEST(RoundTrip, FrontCodedTermsReadBackAtEveryShareAndBlockBoundary) {
  std::set<std::string> words;
  const std::string longest(kMaxTermBytes, 'q');
  for (const std::size_t shared : {1u, 2u, 14u, 15u, 16u, 30u, 127u, 128u, 200u, 254u}) {
    for (char c = 'a'; c <= 'r'; ++c) {
      words.insert(longest.substr(0, shared) + c);
      const std::string longer = longest.substr(0, shared) + c + c + "z";
      if (longer.size() <= kMaxTermBytes) words.insert(longer);
    }
  }
  for (std::size_t n = 1; n <= 40; ++n) words.insert(std::string(n, 'm'));  // prefix chains
  words.insert(longest);
  for (int i = 0; i < 50; ++i) words.insert("w" + std::to_string(i));
  ExpectEveryTermFound(words);
}

// Thousands of terms, so that the dictionary's block keys (a block's first
// term's first 7 bytes, IndexReader::BlockHolding) are many: terms whose
// first 7 bytes differ, and a run of terms sharing them over many blocks,
// whose keys are equal and only whole comparisons tell apart. Each term is
// looked up while some blocks are keyed and others not yet.
TEST(RoundTrip, TermsAreFoundAcrossBlockKeysAndRunsOfEqualKeys) {
  std::set<std::string> words;
  for (int i = 0; i < 3000; ++i) {
    char digits[8];
    std::snprintf(digits, sizeof digits, "%04d", i);
    words.insert(std::string("p") + digits);
    words.insert(std::string("longprefix") + digits);
    if (i % 3 == 0) words.insert(std::string("longpr") + digits);  // the key ends in a digit
    words.insert(std::string("ab") + digits + "x");
  }
  ExpectEveryTermFound(words);
}

}  // namespace
}  // namespace fathom::testing
