// The query language: parsing (every construct, and errors that point at the
// right column) and evaluation of nested trees against brute force.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <random>

#include "common/analysis/fields.hpp"
#include "common/error.hpp"
#include "searcher/eval/evaluator.hpp"
#include "searcher/eval/tree_evaluator.hpp"
#include "searcher/query/query_tree.hpp"
#include "tests/model_index.hpp"
#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

class QueryTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    docs_ = {{"a", "Kremlin meeting", "putin met trump in the kremlin; meetings followed"},
             {"b", "", "trump and putin will meet"},
             {"c", "", "the meeting between putin and the envoy witkoff"},
             {"d", "Witkoff", "envoy witkoff met putin"},
             {"e", "", "nothing relevant here at all"}};
    snapshot_ = std::make_unique<IndexSnapshot>(BuildFromDocs(dir_, docs_));
    analyzer_ = std::make_unique<Analyzer>(AnalysisSettings{});
  }
  ParsedQuery Parse(const std::string& text) {
    QueryTreeParser parser(*analyzer_, *snapshot_);
    return parser.Parse(text);
  }
  std::set<std::string> Matches(const std::string& text) {
    EvalOptions options;
    options.k = 100;
    const EvalResult result = EvaluateTree(*snapshot_, Parse(text).root, options);
    std::set<std::string> ids;
    for (const Hit& hit : result.hits) ids.insert(std::string(snapshot_->external_id(hit.doc)));
    return ids;
  }
  // The column of the syntax error, or 0 when the query parses.
  std::size_t ErrorColumn(const std::string& text) {
    try {
      Parse(text);
    } catch (const QuerySyntaxError& e) {
      EXPECT_NE(std::string(e.what()).find("column " + std::to_string(e.column())),
                std::string::npos);
      return e.column();
    }
    return 0;
  }
  TempDir dir_;
  std::vector<SourceDocument> docs_;
  std::unique_ptr<IndexSnapshot> snapshot_;
  std::unique_ptr<Analyzer> analyzer_;
};

using Ids = std::set<std::string>;

TEST_F(QueryTreeTest, BooleanOperators) {
  EXPECT_EQ(Matches("trump AND kremlin"), (Ids{"a"}));
  EXPECT_EQ(Matches("kremlin OR envoy"), (Ids{"a", "c", "d"}));
  EXPECT_EQ(Matches("putin AND NOT trump"), (Ids{"c", "d"}));
  EXPECT_EQ(Matches("putin NOT trump"), (Ids{"c", "d"}));
  EXPECT_EQ(Matches("(trump OR envoy) AND meeting"), (Ids{"a", "b", "c"}));
  EXPECT_EQ(Matches("+(kremlin OR witkoff) -envoy"), (Ids{"a"}));
  EXPECT_EQ(Matches("relevant OR (putin AND (witkoff AND NOT meeting))"), (Ids{"d", "e"}));
}

TEST_F(QueryTreeTest, PrefixFuzzyProximityAndFields) {
  EXPECT_EQ(Matches("meet*"), (Ids{"a", "b", "c"}));  // meet, meetings, meeting: stem "meet"
  EXPECT_EQ(Matches("witk*"), (Ids{"c", "d"}));
  EXPECT_EQ(Matches("witkof~1"), (Ids{"c", "d"}));
  EXPECT_EQ(Matches("witkof~0"), Ids{});
  EXPECT_EQ(Matches("\"putin trump\""), Ids{});
  // Slop counts positions as Lucene does: "putin met trump" is 1 away from
  // the phrase, the reversed "trump and putin" 3 away.
  EXPECT_EQ(Matches("\"putin trump\"~2"), (Ids{"a"}));
  EXPECT_EQ(Matches("\"putin trump\"~3"), (Ids{"a", "b"}));
  EXPECT_EQ(Matches("\"putin witkoff\"~3"), (Ids{"c", "d"}));
  EXPECT_EQ(Matches("\"putin witkoff\"~2"), Ids{});
  EXPECT_EQ(Matches("title:kremlin"), (Ids{"a"}));
  EXPECT_EQ(Matches("title:witkoff"), (Ids{"d"}));
  EXPECT_EQ(Matches("title:(kremlin OR witkoff)"), (Ids{"a", "d"}));
  EXPECT_EQ(Matches("TITLE:\"kremlin meeting\""), (Ids{"a"}));
  // A name that could be a field and is not one is an error naming it, never
  // words (tests/integration/test_fields.cpp has the typed fields); what
  // cannot be a field name ("12:30", "re: x") is still text.
  EXPECT_THROW(Matches("note:putin"), QuerySyntaxError);
  EXPECT_THROW(Matches("witkoff:met"), QuerySyntaxError);
  EXPECT_EQ(Matches("\"witkoff:met\""), (Ids{"d"}));
}

TEST_F(QueryTreeTest, ExpansionsAreCappedWithAWarning) {
  std::string body;
  for (int i = 0; i < 1100; ++i) body += "zq" + std::to_string(i) + " ";
  TempDir dir;
  const IndexSnapshot snapshot(BuildFromDocs(dir, {{"x", "", body}}));
  QueryTreeParser parser(*analyzer_, snapshot);
  const ParsedQuery parsed = parser.Parse("zq*");
  ASSERT_EQ(parsed.root.children.size(), 1u);
  EXPECT_EQ(parsed.root.children[0].children.size(), kMaxExpansions);
  ASSERT_EQ(parsed.warnings.size(), 1u);
  EXPECT_NE(parsed.warnings[0].find("matches 1100 terms; searching the 1000 most frequent"),
            std::string::npos)
      << parsed.warnings[0];
}

TEST_F(QueryTreeTest, SyntaxErrorsPointAtTheColumn) {
  EXPECT_EQ(ErrorColumn("putin AND"), 7u);
  EXPECT_EQ(ErrorColumn("AND putin"), 1u);
  EXPECT_EQ(ErrorColumn("putin OR OR trump"), 7u);
  EXPECT_EQ(ErrorColumn("(putin trump"), 13u);
  EXPECT_EQ(ErrorColumn("putin) trump"), 6u);
  EXPECT_EQ(ErrorColumn("putin NOT"), 7u);
  EXPECT_EQ(ErrorColumn("putin~3"), 6u);
  EXPECT_EQ(ErrorColumn("\"a b\"~x"), 6u);
  EXPECT_EQ(ErrorColumn("title: putin"), 7u);
  EXPECT_EQ(ErrorColumn(std::string(70, '(') + "x" + std::string(70, ')')), 65u);
  EXPECT_EQ(ErrorColumn("putin trump"), 0u);
  EXPECT_EQ(ErrorColumn("and or not"), 0u);   // lower case: words, not operators
  EXPECT_EQ(ErrorColumn("--- +++ -+x"), 0u);  // runs of signs are words
}

TEST_F(QueryTreeTest, AtMost1024WordsAndPhrases) {
  std::string text;
  for (std::size_t i = 0; i < kMaxQueryTerms; ++i) text += (i % 2 ? "putin " : "\"a b\" ");
  EXPECT_EQ(ErrorColumn(text), 0u);
  EXPECT_EQ(ErrorColumn(text + "trump"), text.size() + 1);
}

TEST_F(QueryTreeTest, FlatQueriesFlatten) {
  Query flat;
  EXPECT_TRUE(Flatten(Parse("putin +trump -\"the envoy\" putin").root, flat));
  ASSERT_EQ(flat.clauses.size(), 3u);
  EXPECT_EQ(flat.clauses[0].weight, 2.0f);  // putin twice
  EXPECT_EQ(flat.clauses[1].occur, Occur::kMust);
  EXPECT_EQ(flat.clauses[2].occur, Occur::kMustNot);
  EXPECT_TRUE(Flatten(Parse("putin AND trump").root, flat));
  EXPECT_EQ(flat.clauses[0].occur, Occur::kMust);
  EXPECT_TRUE(Flatten(Parse("putin OR trump").root, flat));
  EXPECT_FALSE(Flatten(Parse("putin AND (trump OR envoy)").root, flat));
  // A lone expansion is a disjunction of its terms.
  EXPECT_TRUE(Flatten(Parse("me*").root, flat));
  EXPECT_EQ(flat.clauses.size(), 2u);  // "meet" (meeting, meetings) and "met"
  EXPECT_FALSE(Flatten(Parse("+meet* trump").root, flat));
  EXPECT_FALSE(Flatten(Parse("\"putin trump\"~2").root, flat));
}

// ---- Random trees against brute force ------------------------------------

struct Expected {
  bool matches;
  double score;
};

class RandomTrees : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(RandomTrees, EvaluateLikeBruteForce) {
  TempDir dir;
  const auto docs = RandomDocs(300, 25, GetParam(), 30);
  const ModelIndex model(docs, {});
  const IndexSnapshot snapshot(BuildFromDocs(dir, docs));
  std::mt19937_64 rng(GetParam());
  const Bm25Params params;

  // Builds random query text and, alongside, its brute-force meaning.
  using Meaning = std::function<Expected(DocId)>;
  std::function<std::pair<std::string, Meaning>(int)> random_expr = [&](int depth) {
    const int choice = static_cast<int>(rng() % (depth > 2 ? 2 : 5));
    if (choice == 0) {
      const std::string word = "w" + std::to_string(rng() % 25) + "x";
      return std::pair<std::string, Meaning>(word, [&model, word, params](DocId d) {
        const std::uint32_t tf = model.Frequency(word, d);
        return Expected{tf > 0, model.Bm25(model.Idf(word), tf, d, params)};
      });
    }
    if (choice == 1) {
      const std::vector<std::string> words = {"w" + std::to_string(rng() % 6) + "x",
                                              "w" + std::to_string(rng() % 6) + "x"};
      return std::pair<std::string, Meaning>(
          "\"" + words[0] + " " + words[1] + "\"", [&model, words, params](DocId d) {
            const std::uint32_t tf = model.PhraseFrequency(words, {0, 1}, d);
            return Expected{tf > 0,
                            model.Bm25(model.Idf(words[0]) + model.Idf(words[1]), tf, d, params)};
          });
    }
    // AND / OR / AND NOT of two sub-expressions.
    auto left = random_expr(depth + 1);
    auto right = random_expr(depth + 1);
    const int op = static_cast<int>(rng() % 3);
    const std::string text = "(" + left.first +
                             (op == 0   ? " AND "
                              : op == 1 ? " OR "
                                        : " AND NOT ") +
                             right.first + ")";
    Meaning l = left.second, r = right.second;
    return std::pair<std::string, Meaning>(text, [l, r, op](DocId d) {
      const Expected a = l(d), b = r(d);
      if (op == 0) return Expected{a.matches && b.matches, a.score + b.score};
      if (op == 1) {
        return Expected{a.matches || b.matches,
                        (a.matches ? a.score : 0) + (b.matches ? b.score : 0)};
      }
      return Expected{a.matches && !b.matches, a.score};
    });
  };

  for (int q = 0; q < 150; ++q) {
    // Top level: a few clauses with +, - or nothing.
    std::string text;
    std::vector<std::pair<Occur, Meaning>> clauses;
    const int n = 1 + static_cast<int>(rng() % 3);
    for (int c = 0; c < n; ++c) {
      auto [clause_text, meaning] = random_expr(0);
      const Occur occur = static_cast<Occur>(rng() % 3);
      text += (occur == Occur::kMust      ? "+"
               : occur == Occur::kMustNot ? "-"
                                          : "") +
              clause_text + " ";
      clauses.emplace_back(occur, meaning);
    }
    std::map<DocId, double> expected;
    bool any_required = false;
    for (const auto& [occur, meaning] : clauses) any_required |= occur == Occur::kMust;
    for (DocId d = 0; d < docs.size(); ++d) {
      bool ok = true, any_optional = false;
      double score = 0;
      for (const auto& [occur, meaning] : clauses) {
        const Expected e = meaning(d);
        if (occur == Occur::kMustNot) {
          ok = ok && !e.matches;
        } else if (occur == Occur::kMust) {
          ok = ok && e.matches;
          score += e.score;
        } else if (e.matches) {
          any_optional = true;
          score += e.score;
        }
      }
      if (ok && (any_required || any_optional)) expected[d] = score;
    }
    Analyzer analyzer(AnalysisSettings{});
    QueryTreeParser parser(analyzer, snapshot);
    const ParsedQuery parsed = parser.Parse(text);
    EvalOptions tree_options;
    tree_options.k = docs.size();
    tree_options.bm25 = params;
    const EvalResult result = EvaluateTree(snapshot, parsed.root, tree_options);
    ASSERT_EQ(result.total_matches, expected.size()) << text;
    for (const Hit& hit : result.hits) {
      const auto it = expected.find(hit.doc);
      ASSERT_NE(it, expected.end()) << text << " doc " << hit.doc;
      ASSERT_NEAR(hit.score, it->second, 1e-4 * std::max(1.0, it->second)) << text;
    }
    // Where the tree flattens, the flat evaluator agrees exactly.
    Query flat;
    if (Flatten(parsed.root, flat)) {
      EvalOptions options;
      options.k = docs.size();
      const EvalResult fast = EvaluateExhaustive(snapshot, flat, options);
      ASSERT_EQ(fast.total_matches, result.total_matches) << text;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomTrees, ::testing::Values(1, 2, 3));

}  // namespace
}  // namespace fathom::testing
