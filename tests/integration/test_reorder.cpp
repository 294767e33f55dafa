// Document reordering by recursive graph bisection (indexer/write/
// doc_reorder.hpp): similar documents end up together, a file's documents
// stay one range under its record, the order does not depend on the thread
// count, and every query answers as on the unreordered index: the same
// scores rank for rank, and the same documents but where equal scores
// straddle the cut (the tie rule: equal scores rank the smaller id first,
// and reordering changes ids).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "common/analysis/analyzer.hpp"
#include "common/format/manifest.hpp"
#include "common/read/index_reader.hpp"
#include "common/read/index_snapshot.hpp"
#include "indexer/check/index_checker.hpp"
#include "indexer/write/doc_reorder.hpp"
#include "indexer/write/index_editor.hpp"
#include "indexer/write/segment_merger.hpp"
#include "searcher/eval/evaluator.hpp"
#include "searcher/query/query_tree.hpp"
#include "tests/model_index.hpp"
#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

namespace fs = std::filesystem;

// Small corpora need low thresholds to be reordered at all.
BuildOptions Reordering() {
  BuildOptions options;
  options.reorder = true;
  options.reorder_options.min_doc_frequency = 4;
  options.reorder_options.min_partition = 4;
  return options;
}

fs::path Build(const TempDir& dir, const std::vector<SourceDocument>& docs, const std::string& name,
               const BuildOptions& options) {
  const fs::path corpus = WriteJsonl(dir, docs, name + ".jsonl");
  BuildIndex(corpus, dir / name, options, nullptr, nullptr);
  return dir / name;
}

fs::path OnlySegment(const fs::path& index) {
  const Manifest manifest = ReadManifest(index);
  EXPECT_EQ(manifest.segments.size(), 1u);
  return index / manifest.segments.at(0).name;
}

TEST(Reorder, SimilarDocumentsEndUpTogether) {
  // Two topics with vocabularies of their own, interleaved: every
  // neighbour in corpus order is of the other topic.
  std::mt19937_64 rng(5);
  std::vector<SourceDocument> docs;
  for (int i = 0; i < 600; ++i) {
    const char topic = i % 2 == 0 ? 'a' : 'b';
    SourceDocument doc;
    doc.id = std::string(1, topic) + std::to_string(i);
    for (int w = 0; w < 30; ++w) {
      doc.body += std::string(w ? " " : "") + topic + std::to_string(rng() % 40) + "x";
    }
    docs.push_back(doc);
  }
  TempDir dir;
  const fs::path index = Build(dir, docs, "reordered", Reordering());
  const IndexReader reader(OnlySegment(index));
  ASSERT_EQ(reader.document_count(), docs.size());
  std::size_t switches = 0;
  std::set<std::string> ids;
  for (DocId doc = 0; doc < reader.document_count(); ++doc) {
    ids.insert(reader.external_id(doc));
    if (doc > 0 && reader.external_id(doc)[0] != reader.external_id(doc - 1)[0]) ++switches;
  }
  EXPECT_EQ(ids.size(), docs.size());  // a permutation: every document once
  // 599 switches in corpus order; one topic per half would be 1.
  EXPECT_LE(switches, 10u);
  const CheckReport report = CheckIndex(index);
  EXPECT_TRUE(report.sound) << report.problem;
}

TEST(Reorder, SameOrderWhateverTheThreadCount) {
  TempDir dir;
  const fs::path index = BuildFromDocs(dir, RandomDocs(20000, 3000, 11));
  const IndexReader reader(OnlySegment(index));
  std::vector<std::vector<KeptDocument>> orders;
  for (const unsigned threads : {1u, 2u, 4u}) {
    RewritePlan plan = ConcatenationPlan({&reader}, {DeletedDocs(reader.document_count())});
    ReorderOptions options;
    options.min_doc_frequency = 16;
    options.threads = threads;
    const ReorderSummary summary = ReorderPlan({&reader}, plan, options);
    EXPECT_GT(summary.terms, 0u);
    orders.push_back(plan.order);
  }
  for (std::size_t i = 1; i < orders.size(); ++i) {
    ASSERT_EQ(orders[i].size(), orders[0].size());
    for (std::size_t d = 0; d < orders[0].size(); ++d) {
      ASSERT_EQ(orders[i][d].doc, orders[0][d].doc) << "threads differ at " << d;
    }
  }
  bool moved = false;
  for (std::size_t d = 0; d < orders[0].size(); ++d) moved |= orders[0][d].doc != d;
  EXPECT_TRUE(moved);
}

TEST(Reorder, TheMemoryBoundLeavesOutTheRarestTerms) {
  TempDir dir;
  const fs::path index = BuildFromDocs(dir, RandomDocs(2000, 500, 3));
  const IndexReader reader(OnlySegment(index));
  RewritePlan unbounded = ConcatenationPlan({&reader}, {DeletedDocs(reader.document_count())});
  RewritePlan bounded = unbounded;
  ReorderOptions options;
  options.min_doc_frequency = 2;
  const ReorderSummary all = ReorderPlan({&reader}, unbounded, options);
  options.memory_bytes = 4 * reader.document_count() * 3 + all.edges * 4 / 2;
  const ReorderSummary half = ReorderPlan({&reader}, bounded, options);
  EXPECT_LT(half.terms, all.terms);
  EXPECT_LE(half.edges * 4, options.memory_bytes);
  EXPECT_GT(half.min_doc_frequency, all.min_doc_frequency);
}

// Queries of every kind; results compared with the unreordered index's.
class ReorderedAnswers : public ::testing::Test {
 protected:
  void SetUp() override {
    docs_ = RandomDocs(3000, 600, 17, 80);
    model_ = std::make_unique<ModelIndex>(docs_, AnalysisSettings{});
    plain_ = std::make_unique<IndexReader>(OnlySegment(Build(dir_, docs_, "plain", {})));
    reordered_ =
        std::make_unique<IndexReader>(OnlySegment(Build(dir_, docs_, "reordered", Reordering())));
    analyzer_ = std::make_unique<Analyzer>(plain_->meta().analysis);
    snapshot_ = std::make_unique<IndexSnapshot>(dir_ / "plain");
    reordered_snapshot_ = std::make_unique<IndexSnapshot>(dir_ / "reordered");
    for (const auto& [term, postings] : model_->postings) vocabulary_.push_back(term);
  }

  std::string Word() {
    if (rng_() % 2 == 0) return "w" + std::to_string(rng_() % 8) + "x";
    return vocabulary_[rng_() % vocabulary_.size()];
  }
  std::string Phrase() {
    const auto& tokens = model_->tokens[rng_() % model_->tokens.size()];
    if (tokens.size() < 2) return "\"w0x w1x\"";
    const std::size_t start = rng_() % (tokens.size() - 1);
    return "\"" + tokens[start].term + " " + tokens[start + 1].term + "\"";
  }
  std::string RandomQuery() {
    std::string text;
    switch (rng_() % 5) {
      case 0:
        return Word();
      case 1:
        for (int i = 0, n = 2 + static_cast<int>(rng_() % 3); i < n; ++i) text += Word() + " ";
        return text;
      case 2:
        for (int i = 0, n = 2 + static_cast<int>(rng_() % 2); i < n; ++i)
          text += "+" + Word() + " ";
        return text;
      case 3:
        return Phrase();
      default:
        return "+" + Word() + " " + Word() + " " + Phrase();
    }
  }

  TempDir dir_;
  std::vector<SourceDocument> docs_;
  std::unique_ptr<ModelIndex> model_;
  std::unique_ptr<IndexReader> plain_, reordered_;
  std::unique_ptr<Analyzer> analyzer_;
  std::unique_ptr<IndexSnapshot> snapshot_, reordered_snapshot_;
  std::vector<std::string> vocabulary_;
  std::mt19937_64 rng_{23};
};

TEST_F(ReorderedAnswers, SameScoresAndDocumentsUpToTiesAtTheCut) {
  QueryTreeParser plain_parser(*analyzer_, *snapshot_);
  QueryTreeParser reordered_parser(*analyzer_, *reordered_snapshot_);
  std::size_t compared = 0, differing_in_a_tie = 0;
  for (int q = 0; q < 300; ++q) {
    const std::string text = RandomQuery();
    const Query plain_query = ParseFlatQuery(plain_parser, text);
    const Query reordered_query = ParseFlatQuery(reordered_parser, text);
    // Every match's score on the unreordered index, by id.
    EvalOptions all;
    all.k = docs_.size();
    std::map<std::string, Score> score_of;
    const EvalResult everything = EvaluateExhaustive(*plain_, plain_query, all);
    for (const Hit& hit : everything.hits) score_of[plain_->external_id(hit.doc)] = hit.score;
    for (const std::size_t k : {1u, 10u, 100u}) {
      EvalOptions options;
      options.k = k;
      const EvalResult expected = Evaluate(*plain_, plain_query, options);
      const EvalResult got = Evaluate(*reordered_, reordered_query, options);
      ASSERT_EQ(got.hits.size(), expected.hits.size()) << text << " k=" << k;
      // Pruning may stop counting early, on either index (a lower bound).
      if (got.total_exact) {
        ASSERT_EQ(got.total_matches, everything.total_matches) << text;
      }
      ASSERT_LE(got.total_matches, everything.total_matches) << text;
      if (got.hits.empty()) continue;
      const Score cut = expected.hits.back().score;
      std::set<std::string> above_expected, above_got;
      bool same = true;
      for (std::size_t i = 0; i < got.hits.size(); ++i) {
        ASSERT_EQ(got.hits[i].score, expected.hits[i].score) << text << " k=" << k << " rank " << i;
        const std::string id = reordered_->external_id(got.hits[i].doc);
        // Each hit is a match with exactly that score on the plain index.
        ASSERT_EQ(score_of.count(id), 1u) << text << " " << id;
        ASSERT_EQ(score_of.at(id), got.hits[i].score) << text << " " << id;
        same &= id == plain_->external_id(expected.hits[i].doc);
        if (got.hits[i].score != cut) above_got.insert(id);
        if (expected.hits[i].score != cut) {
          above_expected.insert(plain_->external_id(expected.hits[i].doc));
        }
      }
      // Above the cut's score, the same documents.
      ASSERT_EQ(above_got, above_expected) << text << " k=" << k;
      ++compared;
      differing_in_a_tie += same ? 0 : 1;
    }
  }
  EXPECT_GT(compared, 500u);
  // Ties are common in this corpus (short documents, few words): the tie
  // rule is exercised, not assumed.
  EXPECT_GT(differing_in_a_tie, 0u);
}

TEST(Reorder, FilesStayWholeUnderTheirRecords) {
  TempDir dir;
  const fs::path folder = dir / "folder";
  std::mt19937_64 rng(9);
  const auto words = [&](int n) {
    std::string text;
    for (int i = 0; i < n; ++i) text += "w" + std::to_string(rng() % 30) + "x ";
    return text;
  };
  for (int f = 0; f < 40; ++f) {
    if (f % 5 == 0) {
      std::string trec;
      for (int d = 0; d < 4; ++d) {
        trec += "<DOC>\n<DOCNO> t" + std::to_string(f) + "-" + std::to_string(d) +
                " </DOCNO>\n<TEXT>\n" + words(20) + "\n</TEXT>\n</DOC>\n";
      }
      WriteFile(folder / ("f" + std::to_string(f) + ".trec"), trec);
    } else {
      WriteFile(folder / ("f" + std::to_string(f) + ".txt"), words(3) + "\n\n" + words(40));
    }
  }
  // Binary files give no document: records of no documents, which travel
  // with the next file's (the last one stays last).
  const std::string binary(
      "\x7f"
      "ELF\0\0\1 w1x",
      11);
  WriteFile(folder / "f12b.bin", binary);
  WriteFile(folder / "zz-last.bin", binary);
  BuildIndex(folder, dir / "index", Reordering(), nullptr, nullptr);
  const IndexReader reader(OnlySegment(dir / "index"));
  ASSERT_EQ(reader.document_count(), 8u * 4 + 32);
  std::size_t empty_records = 0;
  for (const SourceFile& source : reader.sources()) empty_records += source.doc_count == 0 ? 1 : 0;
  EXPECT_EQ(empty_records, 2u);
  EXPECT_EQ(reader.sources().back().path, "zz-last.bin");
  std::vector<std::string> paths;
  DocId next = 0;
  for (const SourceFile& source : reader.sources()) {
    paths.push_back(source.path);
    ASSERT_GE(source.first_doc, next) << source.path;
    next = source.first_doc + source.doc_count;
    for (DocId d = source.first_doc; d < next; ++d) {
      const std::string id = reader.external_id(d);
      if (source.path.ends_with(".trec")) {
        // The file's documents, in their order within it.
        const std::string stem = source.path.substr(1, source.path.size() - 6);
        EXPECT_EQ(id, "t" + stem + "-" + std::to_string(d - source.first_doc)) << source.path;
      } else {
        EXPECT_EQ(id, source.path);
      }
    }
  }
  EXPECT_EQ(std::set<std::string>(paths.begin(), paths.end()).size(), 42u);  // the empty ones too
  EXPECT_EQ(next, reader.document_count());
  EXPECT_FALSE(std::is_sorted(paths.begin(), paths.end()))
      << "the files kept the folder's order: nothing was reordered";
  const CheckReport report = CheckIndex(dir / "index");
  EXPECT_TRUE(report.sound) << report.problem;
}

TEST(Reorder, MergeReordersTheLiveDocuments) {
  TempDir dir;
  const std::vector<SourceDocument> docs = RandomDocs(1500, 300, 29);
  const fs::path index = BuildSegmented(dir, docs, {500, 600, 400});
  const std::vector<std::string> doomed = {docs[3].id, docs[700].id, docs[1499].id};
  DeleteDocuments(index, doomed);
  ReorderOptions options;
  options.min_doc_frequency = 4;
  options.min_partition = 4;
  const MergeSummary merged = MergeSegments(index, nullptr, &options);
  EXPECT_EQ(merged.documents, docs.size() - doomed.size());
  const IndexReader reader(OnlySegment(index));
  std::map<std::string, std::size_t> place;  // in the corpus
  for (std::size_t i = 0; i < docs.size(); ++i) place[docs[i].id] = i;
  std::set<std::string> ids;
  bool moved = false;
  for (DocId doc = 0; doc < reader.document_count(); ++doc) {
    ids.insert(reader.external_id(doc));
    moved |= doc > 0 && place.at(reader.external_id(doc)) < place.at(reader.external_id(doc - 1));
  }
  std::set<std::string> live;
  for (const SourceDocument& doc : docs) live.insert(doc.id);
  for (const std::string& id : doomed) live.erase(id);
  EXPECT_EQ(ids, live);
  EXPECT_TRUE(moved);
  const CheckReport report = CheckIndex(index);
  EXPECT_TRUE(report.sound) << report.problem;
}

}  // namespace
}  // namespace fathom::testing
