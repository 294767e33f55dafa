// BM25F (QueryClause::title, Bm25fScorer): words scored over the whole
// document and its title, each stream normalized by its own length. Checked
// against textbook BM25F computed from raw counts (ModelIndex::Bm25f) on an
// index of several segments with deletions, through the exhaustive
// evaluator, every pruned one (bit for bit with the exhaustive one), the
// tree evaluator and explain; and the title lengths of `fieldlens` that the
// normalization reads, which `check` verifies.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "common/format/field_lengths.hpp"
#include "common/read/index_reader.hpp"
#include "common/read/index_snapshot.hpp"
#include "indexer/check/index_checker.hpp"
#include "searcher/eval/evaluator.hpp"
#include "searcher/eval/tree_evaluator.hpp"
#include "searcher/present/explain.hpp"
#include "searcher/query/query_tree.hpp"
#include "tests/index_files.hpp"
#include "tests/model_index.hpp"
#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

bool Close(double a, double b) {
  return std::abs(a - b) <= 1e-4 * std::max({1.0, std::abs(a), std::abs(b)});
}

// Random documents whose titles vary in length (none, or 1 to 8 words,
// skewed towards frequent words), so that title normalization matters.
std::vector<SourceDocument> RetitledDocs(std::size_t count, std::size_t vocabulary,
                                         std::uint64_t seed) {
  std::vector<SourceDocument> docs = RandomDocs(count, vocabulary, seed);
  std::mt19937_64 rng(seed + 17);
  for (SourceDocument& doc : docs) {
    doc.title.clear();
    if (rng() % 4 == 0) continue;
    for (std::size_t i = 0, n = 1 + rng() % 8; i < n; ++i) {
      const std::size_t w = SkewedWord(rng, vocabulary);
      doc.title += (i ? " w" : "w") + std::to_string(w) + "x";
    }
  }
  return docs;
}

struct ModelWord {
  Occur occur;
  std::string word;
  FieldWeighting title;
};

// doc -> score for every live document the clauses match.
std::map<DocId, double> Expected(const ModelIndex& model, const std::vector<ModelWord>& words,
                                 Bm25Params params, const std::set<DocId>& deleted) {
  std::map<DocId, double> matches;
  bool has_required = false;
  for (const ModelWord& w : words) has_required |= w.occur == Occur::kMust;
  for (DocId d = 0; d < model.lengths.size(); ++d) {
    if (deleted.contains(d)) continue;
    double score = 0;
    bool ok = true, any = false;
    for (const ModelWord& w : words) {
      const bool present = model.Frequency(w.word, d) > 0;
      if (w.occur == Occur::kMustNot) {
        ok = ok && !present;
      } else if (present) {
        any = true;
        score += model.Bm25f(model.Idf(w.word), w.word, d, params, w.title);
      } else if (w.occur == Occur::kMust) {
        ok = false;
      }
    }
    if (ok && (has_required || any)) matches[d] = score;
  }
  return matches;
}

Query QueryOf(const std::vector<ModelWord>& words) {
  Query query;
  for (const ModelWord& w : words) {
    QueryClause clause = QueryNode::Leaf(w.occur, {w.word}, {0});
    clause.source = w.word;
    clause.title = w.title;
    query.clauses.push_back(std::move(clause));
  }
  return query;
}

class Bm25fTest : public ::testing::TestWithParam<std::uint64_t> {
 protected:
  void SetUp() override {
    const std::uint64_t seed = GetParam();
    docs_ = RetitledDocs(2500, 150, seed);
    model_ = std::make_unique<ModelIndex>(docs_, AnalysisSettings{});
    rng_.seed(seed * 31 + 5);
    index_ = BuildSegmented(dir_, docs_, {1100, 1, 700, 699});
    for (DocId d = 0; d < docs_.size(); ++d) {
      if (rng_() % 7 == 0) deleted_.insert(d);
    }
    DeleteByGlobalId(index_, {deleted_.begin(), deleted_.end()});
    snapshot_ = std::make_unique<IndexSnapshot>(index_);
  }

  std::string Word() {
    return "w" + std::to_string(rng_() % 2 == 0 ? rng_() % 10 : rng_() % 150) + "x";
  }

  TempDir dir_;
  std::vector<SourceDocument> docs_;
  std::unique_ptr<ModelIndex> model_;
  std::filesystem::path index_;
  std::set<DocId> deleted_;
  std::unique_ptr<IndexSnapshot> snapshot_;
  std::mt19937_64 rng_;
};

TEST_P(Bm25fTest, EveryEvaluatorScoresTextbookBm25fOnSegmentsWithDeletions) {
  // The index holds each document's title length, summed per segment.
  std::uint64_t title_total = 0;
  for (const SnapshotSegment& segment : snapshot_->segments()) {
    const IndexReader& reader = *segment.reader;
    for (DocId d = 0; d < reader.document_count(); ++d) {
      ASSERT_EQ(reader.title_length(d), model_->title_lengths[segment.base + d]);
    }
    title_total += reader.title_lengths().total_length;
  }
  ASSERT_DOUBLE_EQ(snapshot_->average_title_length(), model_->average_title_length);
  ASSERT_GT(title_total, 0u);

  constexpr PrunedEvaluator kEvaluators[] = {PrunedEvaluator::kPicked, PrunedEvaluator::kSingleTerm,
                                             PrunedEvaluator::kConjunction,
                                             PrunedEvaluator::kMaxScore, PrunedEvaluator::kBmw};
  constexpr FieldWeighting kWeightings[] = {
      {0.5f, 0.4f}, {1.0f, 0.0f}, {3.0f, 0.4f}, {3.0f, 1.0f}, {8.0f, 0.75f}};
  std::size_t matching = 0, title_decided = 0;
  for (int q = 0; q < 120; ++q) {
    std::vector<ModelWord> words;
    const int kind = q % 4;  // one word, a union, a conjunction, anything
    const std::size_t n = kind == 0 ? 1 : 2 + rng_() % 3;
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t roll = rng_() % 8;
      const Occur occur = kind == 2                ? Occur::kMust
                          : kind == 3 && roll == 0 ? Occur::kMustNot
                          : kind == 3 && roll <= 2 ? Occur::kMust
                                                   : Occur::kShould;
      words.push_back({occur, Word(), kWeightings[rng_() % std::size(kWeightings)]});
    }
    const Bm25Params bm25 = q % 3 == 0 ? Bm25Params{1.2f, 0.75f} : Bm25Params{};
    const auto expected = Expected(*model_, words, bm25, deleted_);
    std::vector<std::pair<DocId, double>> ranked(expected.begin(), expected.end());
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return a.second > b.second || (a.second == b.second && a.first < b.first);
    });
    matching += expected.empty() ? 0 : 1;
    // Titles must decide some rankings: the order without them differs.
    std::vector<ModelWord> untitled = words;
    for (ModelWord& w : untitled) w.title.weight = 0;
    const auto plain = Expected(*model_, untitled, bm25, deleted_);
    if (!ranked.empty()) {
      const auto best_plain =
          std::max_element(plain.begin(), plain.end(), [](const auto& a, const auto& b) {
            return a.second < b.second || (a.second == b.second && a.first > b.first);
          });
      title_decided += best_plain->first != ranked[0].first ? 1 : 0;
    }

    const Query query = QueryOf(words);
    const QueryNode tree = TreeOf(query);
    EvalOptions count;
    count.bm25 = bm25;
    count.count_only = true;
    ASSERT_EQ(Evaluate(*snapshot_, query, count).total_matches, expected.size());
    for (const std::size_t k : {1u, 3u, 10u, 100u}) {
      EvalOptions options;
      options.k = k;
      options.bm25 = bm25;
      const std::string at = "query " + std::to_string(q) + " k=" + std::to_string(k);
      const EvalResult oracle = EvaluateExhaustive(*snapshot_, query, options);
      ASSERT_EQ(oracle.hits.size(), std::min(k, ranked.size())) << at;
      for (std::size_t i = 0; i < oracle.hits.size(); ++i) {
        const Hit& hit = oracle.hits[i];
        const auto it = expected.find(hit.doc);
        ASSERT_NE(it, expected.end()) << at << ": doc " << hit.doc;
        ASSERT_TRUE(Close(hit.score, it->second))
            << at << ": doc " << hit.doc << " scores " << hit.score << ", model " << it->second;
        if (hit.doc != ranked[i].first) {
          ASSERT_TRUE(Close(it->second, ranked[i].second)) << at;
        }
      }
      for (const PrunedEvaluator evaluator : kEvaluators) {
        options.evaluator = evaluator;
        const EvalResult pruned = Evaluate(*snapshot_, query, options);
        ASSERT_EQ(pruned.hits.size(), oracle.hits.size()) << at;
        for (std::size_t i = 0; i < oracle.hits.size(); ++i) {
          ASSERT_EQ(pruned.hits[i].doc, oracle.hits[i].doc) << at << " rank " << i;
          ASSERT_EQ(pruned.hits[i].score, oracle.hits[i].score) << at << " rank " << i;
        }
      }
      options.evaluator = PrunedEvaluator::kPicked;
      const EvalResult by_tree = EvaluateTree(*snapshot_, tree, options);
      ASSERT_EQ(by_tree.hits.size(), oracle.hits.size()) << at;
      for (std::size_t i = 0; i < oracle.hits.size(); ++i) {
        ASSERT_EQ(by_tree.hits[i].doc, oracle.hits[i].doc) << at << " tree rank " << i;
        ASSERT_EQ(by_tree.hits[i].score, oracle.hits[i].score) << at << " tree rank " << i;
      }
      if (k == 10) {
        for (const Hit& hit : oracle.hits) {
          const Explanation e = Explain(*snapshot_, tree, hit.doc, bm25);
          ASSERT_TRUE(e.matches);
          ASSERT_EQ(e.score, hit.score) << at << " explain doc " << hit.doc;
        }
      }
    }
  }
  EXPECT_GE(matching, 100u);
  EXPECT_GE(title_decided, 10u) << "titles changed too few rankings to test anything";
}

INSTANTIATE_TEST_SUITE_P(Seeds, Bm25fTest, ::testing::Values(1, 2));

// Without any title, BM25F is BM25, even with b = 1 for titles (whose
// normalization would then divide 0 by 0), in every evaluator.
TEST(Bm25fUntitled, WithoutTitlesBm25fIsBm25) {
  TempDir dir;
  std::vector<SourceDocument> docs = RandomDocs(1500, 60, 9);
  for (SourceDocument& doc : docs) doc.title.clear();
  const std::filesystem::path index = BuildFromDocs(dir, docs);
  const IndexReader reader(index);
  EXPECT_EQ(reader.title_lengths().total_length, 0u);
  for (const std::string text : {"w1x", "w1x w7x w30x", "+w2x +w5x", "+w3x w9x -w40x"}) {
    Query plain;
    for (std::string_view rest = text; !rest.empty();) {
      const std::size_t space = rest.find(' ');
      std::string word(rest.substr(0, space));
      rest = space == std::string_view::npos ? "" : rest.substr(space + 1);
      const Occur occur = word[0] == '+'   ? Occur::kMust
                          : word[0] == '-' ? Occur::kMustNot
                                           : Occur::kShould;
      if (occur != Occur::kShould) word.erase(0, 1);
      plain.clauses.push_back(QueryNode::Leaf(occur, {word}, {0}));
    }
    Query bm25f = plain;
    for (QueryClause& clause : bm25f.clauses) clause.title = FieldWeighting{3.0f, 1.0f};
    for (const std::size_t k : {1u, 10u, 100u}) {
      EvalOptions options;
      options.k = k;
      const EvalResult expected = EvaluateExhaustive(reader, plain, options);
      ASSERT_FALSE(expected.hits.empty()) << text;
      for (const PrunedEvaluator evaluator :
           {PrunedEvaluator::kPicked, PrunedEvaluator::kConjunction, PrunedEvaluator::kMaxScore,
            PrunedEvaluator::kBmw}) {
        options.evaluator = evaluator;
        const EvalResult got = Evaluate(reader, bm25f, options);
        ASSERT_EQ(got.hits.size(), expected.hits.size()) << text;
        for (std::size_t i = 0; i < got.hits.size(); ++i) {
          ASSERT_TRUE(std::isfinite(got.hits[i].score)) << text;
          ASSERT_TRUE(Close(got.hits[i].score, expected.hits[i].score))
              << text << " rank " << i << ": " << got.hits[i].score << " against "
              << expected.hits[i].score;
        }
      }
    }
  }
}

// A title length that disagrees with the title terms is found by check, by
// structure, even when every checksum is recomputed over the damage.
TEST(Bm25fCheck, WrongTitleLengthsAreFound) {
  TempDir dir;
  std::vector<SourceDocument> docs = RetitledDocs(300, 40, 3);
  const std::filesystem::path index = BuildFromDocs(dir, docs);
  ASSERT_TRUE(CheckIndex(index).sound) << CheckIndex(index).problem;
  const std::string name = "seg-000001/fieldlens";
  std::map<std::string, std::string> files;
  for (const std::string& file : IndexFileNames(index)) files[file] = ReadFile(index / file);
  const std::map<std::string, std::string> before = files;
  std::string& bytes = files.at(name);
  // The payload: counts (16), the name's size and bytes, total and width
  // (16), then the first document's title length.
  const std::size_t first_length = format::kHeaderSize + 16 + 8 + 5 + 16;
  bytes[first_length] = static_cast<char>(bytes[first_length] + 1);
  ResealIndexFiles(files, {name});
  for (const auto& [file, contents] : files) {
    if (before.at(file) != contents) WriteFile(index / file, contents);
  }
  const CheckReport report = CheckIndex(index);
  EXPECT_FALSE(report.sound);
  EXPECT_NE(report.problem.find("fieldlens"), std::string::npos) << report.problem;
  EXPECT_EQ(report.problem.find("checksum"), std::string::npos) << report.problem;
}

}  // namespace
}  // namespace fathom::testing
