// RM3 query expansion (searcher/rm3) on a hand-computed example with a fake
// index, and the natural-language query rewrite (searcher/natural_query).

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "common/analysis/analyzer.hpp"
#include "searcher/query/natural_query.hpp"
#include "searcher/query/rm3.hpp"

namespace fathom {
namespace {

class FakeSource : public FeedbackSource {
 public:
  std::uint64_t document_count() const override { return 100; }
  std::uint64_t document_frequency(std::string_view term) const override {
    return term == "the" ? 50 : 1;  // "the" is in half the documents: never expanded
  }
  std::vector<std::string> DocumentTerms(DocId doc) override { return documents.at(doc); }
  std::map<DocId, std::vector<std::string>> documents;
};

Query TermsQuery(const std::vector<std::string>& terms) {
  Query query;
  for (const std::string& term : terms) {
    query.clauses.push_back(QueryNode::Leaf(Occur::kShould, {term}, {0}));
  }
  return query;
}

std::map<std::string, float> Weights(const Query& query) {
  std::map<std::string, float> weights;
  for (const QueryClause& clause : query.clauses) weights[clause.terms[0]] = clause.weight;
  return weights;
}

// Feedback documents 0 (score 2: xx xx yy aa the q) and 1 (score 1: xx zz); "the"
// is too frequent and "q" too short, so the vectors are {xx 2, yy 1, aa 1} / 4
// and {xx 1, zz 1} / 2. Model: xx = 2/4*2 + 1/2*1 = 1.5, yy = aa = zz = 0.5,
// total 3. With query {aa, bb} (0.5 each) and weight 0.5:
//   aa = 0.25 + 0.5 * 0.5/3, bb = 0.25, xx = 0.5 * 1.5/3, yy = zz = 0.5 * 0.5/3.
TEST(Rm3, HandComputedExpansion) {
  FakeSource source;
  source.documents[0] = {"xx", "xx", "yy", "aa", "the", "q"};
  source.documents[1] = {"xx", "zz"};
  source.documents[2] = {"never", "read"};  // beyond feedback_docs
  Rm3Params params;
  params.feedback_docs = 2;
  const Query expanded =
      ExpandRm3(TermsQuery({"aa", "bb"}), {{0, 2.0f}, {1, 1.0f}, {2, 0.5f}}, source, params);
  const std::map<std::string, float> w = Weights(expanded);
  ASSERT_EQ(w.size(), 5u);
  EXPECT_NEAR(w.at("aa"), 0.25 + 0.5 * 0.5 / 3, 1e-6);
  EXPECT_NEAR(w.at("bb"), 0.25, 1e-6);
  EXPECT_NEAR(w.at("xx"), 0.5 * 1.5 / 3, 1e-6);
  EXPECT_NEAR(w.at("yy"), 0.5 * 0.5 / 3, 1e-6);
  EXPECT_NEAR(w.at("zz"), 0.5 * 0.5 / 3, 1e-6);
  for (const QueryClause& clause : expanded.clauses) EXPECT_EQ(clause.occur, Occur::kShould);
}

// feedback_terms prunes each document vector and the model; equal weights
// keep the smaller term.
TEST(Rm3, PrunesToFeedbackTerms) {
  FakeSource source;
  source.documents[0] = {"b2", "a1", "c3", "c3"};
  Rm3Params params;
  params.feedback_terms = 2;
  const std::map<std::string, float> w =
      Weights(ExpandRm3(TermsQuery({"q1"}), {{0, 1.0f}}, source, params));
  // Document vector {c3 2, a1 1} (b2 ties a1 and loses): model c3 2/3, a1 1/3.
  ASSERT_EQ(w.size(), 3u);
  EXPECT_NEAR(w.at("q1"), 0.5, 1e-6);
  EXPECT_NEAR(w.at("c3"), 0.5 * 2 / 3, 1e-6);
  EXPECT_NEAR(w.at("a1"), 0.5 * 1 / 3, 1e-6);
}

TEST(Rm3, NoFeedbackLeavesTheQueryAlone) {
  FakeSource source;
  const Query query = TermsQuery({"aa"});
  EXPECT_EQ(Weights(ExpandRm3(query, {}, source)), Weights(query));
}

std::vector<std::pair<std::string, float>> Clauses(const Query& query) {
  std::vector<std::pair<std::string, float>> clauses;
  for (const QueryClause& clause : query.clauses) {
    EXPECT_EQ(clause.occur, Occur::kShould);
    EXPECT_EQ(clause.terms.size(), 1u);
    clauses.emplace_back(clause.terms[0], clause.weight);
  }
  return clauses;
}

using Weighted = std::vector<std::pair<std::string, float>>;

// Operators and quotes in a topic are text; hyphenated words are two terms;
// stop words go; a repeated word weighs more; every word has a title clause,
// or with BM25F is scored with its title stream instead.
TEST(NaturalQueryBuilder, BagOfWordsWithTitleClausesOrStreams) {
  NaturalQueryOptions options;
  options.bm25f_title = FieldWeighting{3.0f, 0.5f};
  NaturalQueryBuilder bm25f(AnalysisSettings{}, options);
  const Query query = bm25f.Build("-dash \"real-gas\" +flows AND the gas");
  EXPECT_EQ(Clauses(query), (Weighted{{"dash", 1}, {"real", 1}, {"gas", 2}, {"flow", 1}}));
  for (const QueryClause& clause : query.clauses) {
    ASSERT_TRUE(clause.title.has_value()) << clause.terms[0];
    EXPECT_EQ(*clause.title, (FieldWeighting{3.0f, 0.5f}));
  }

  NaturalQueryBuilder builder(AnalysisSettings{}, NaturalQueryOptions{});
  EXPECT_EQ(Clauses(builder.Build("-dash \"real-gas\" +flows AND the gas")),
            (Weighted{{"dash", 1},
                      {"title:dash", 0.25f},
                      {"real", 1},
                      {"title:real", 0.25f},
                      {"gas", 2},
                      {"title:gas", 0.5f},
                      {"flow", 1},
                      {"title:flow", 0.25f}}));
}

TEST(NaturalQueryBuilder, OptionsAndStopWordOnlyQueries) {
  NaturalQueryOptions plain;
  plain.drop_stop_words = false;
  plain.title_weight = 0;
  NaturalQueryBuilder keep(AnalysisSettings{}, plain);
  EXPECT_EQ(Clauses(keep.Build("the flows")), (Weighted{{"the", 1}, {"flow", 1}}));

  NaturalQueryOptions untitled;
  untitled.title_weight = 0;
  NaturalQueryBuilder builder(AnalysisSettings{}, untitled);
  // Nothing left without stop words: they are kept rather than searching nothing.
  EXPECT_EQ(Clauses(builder.Build("to be or not to be")),
            (Weighted{{"to", 2}, {"be", 2}, {"or", 1}, {"not", 1}}));
  // An index with its own stop list already drops them; languages without a
  // built-in list keep every word.
  AnalysisSettings french;
  french.language = "french";
  NaturalQueryBuilder no_list(french, untitled);
  EXPECT_EQ(Clauses(no_list.Build("le chat")).size(), 2u);
}

}  // namespace
}  // namespace fathom
