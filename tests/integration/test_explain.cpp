// Explain agrees with the evaluator: for random queries over a random
// corpus, flat and nested, every explained score equals the score the search
// returned, and the explanation says "matches" exactly for the documents
// returned.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "searcher/present/explain.hpp"
#include "searcher/searcher.hpp"
#include "tests/model_index.hpp"
#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

// Explains every document of the corpus for the query and compares with what
// the search returned.
void ExpectExplainAgreesWithTheSearch(Searcher& searcher, std::size_t documents,
                                      const std::string& text) {
  SearchOptions options;
  options.k = documents;
  const SearchResult result = searcher.Search(text, options);
  std::map<DocId, Score> returned;
  for (const Hit& hit : result.hits) returned[hit.doc] = hit.score;
  for (DocId d = 0; d < documents; ++d) {
    const Explanation e = Explain(searcher.snapshot(), result.tree, d, options.bm25);
    const auto it = returned.find(d);
    std::ostringstream shown;
    PrintExplanation(shown, e);
    ASSERT_EQ(e.matches, it != returned.end()) << text << " doc " << d << "\n" << shown.str();
    if (e.matches) {
      ASSERT_NEAR(e.score, it->second, 1e-5f * std::max(1.0f, it->second))
          << text << " doc " << d << "\n"
          << shown.str();
    }
  }
}

TEST(Explain, AgreesWithTheSearchForEveryDocument) {
  TempDir dir;
  const auto docs = RandomDocs(400, 40, 21);
  Searcher searcher(BuildFromDocs(dir, docs));
  std::mt19937_64 rng(4);
  const char* prefixes[] = {"", "", "+", "-"};
  for (int q = 0; q < 60; ++q) {
    std::string text;
    const int clauses = 1 + static_cast<int>(rng() % 4);
    for (int c = 0; c < clauses; ++c) {
      text += prefixes[rng() % 4];
      if (rng() % 4 == 0) {
        text += "\"w" + std::to_string(rng() % 10) + "x w" + std::to_string(rng() % 10) + "x\" ";
      } else {
        text += "w" + std::to_string(rng() % 40) + "x ";
      }
    }
    ExpectExplainAgreesWithTheSearch(searcher, docs.size(), text);
  }
}

// Random queries of the whole language (query_tree.hpp): AND, OR, NOT and
// signs at any depth of parentheses, phrases exact and loose, prefixes,
// fuzzy words and the title field. Deeper groups hold fewer parts, so that
// queries stay a few dozen words.
class NestedQueries {
 public:
  explicit NestedQueries(std::uint64_t seed) : rng_(seed) {}

  std::string Query(int depth) {
    std::string text;
    const char* signs[] = {"", "", "+", "-"};
    for (std::uint64_t i = 0, n = 1 + rng_() % (3 - depth / 2); i < n; ++i) {
      text += (i ? " " : "") + std::string(signs[rng_() % 4]) + Or(depth);
    }
    return text;
  }

 private:
  std::string Or(int depth) {
    std::string text = And(depth);
    for (std::uint64_t i = 0, n = rng_() % (3 - depth / 2); i < n; ++i) text += " OR " + And(depth);
    return text;
  }
  std::string And(int depth) {
    std::string text = Unary(depth);
    for (std::uint64_t i = 0, n = rng_() % (3 - depth / 2); i < n; ++i) {
      text += " AND " + Unary(depth);
    }
    return text;
  }
  std::string Unary(int depth) { return (rng_() % 5 == 0 ? "NOT " : "") + Primary(depth); }
  std::string Primary(int depth) {
    if (depth < 3 && rng_() % 3 == 0) {
      return (rng_() % 8 == 0 ? "title:(" : "(") + Query(depth + 1) + ")";
    }
    switch (rng_() % 10) {
      case 0:
        return "\"" + Word() + " " + Word() + "\"";
      case 1:
        return "\"" + Word() + " " + Word() + "\"~" + std::to_string(rng_() % 4);
      case 2:
        return "w" + std::to_string(1 + rng_() % 4) + "*";
      case 3:
        return Word() + "~1";
      case 4:
        return "title:" + Word();
      default:
        return Word();
    }
  }
  std::string Word() { return "w" + std::to_string(rng_() % 2 ? rng_() % 10 : rng_() % 40) + "x"; }

  std::mt19937_64 rng_;
};

TEST(Explain, AgreesWithTheSearchOnNestedQueries) {
  TempDir dir;
  const auto docs = RandomDocs(200, 40, 22);
  Searcher searcher(BuildFromDocs(dir, docs));
  NestedQueries queries(5);
  for (int q = 0; q < 100; ++q) {
    ExpectExplainAgreesWithTheSearch(searcher, docs.size(), queries.Query(0));
  }
  // The shapes issue 11 reported, spelled with the corpus's words.
  for (const char* text : {"w3x OR (w1x AND NOT w2x)", "(w5x AND w7x) OR w3x",
                           "+(w1x OR w2x) -(w3x AND w4x)", "w1* +w2x"}) {
    ExpectExplainAgreesWithTheSearch(searcher, docs.size(), text);
  }
}

TEST(Explain, ShowsEachClause) {
  TempDir dir;
  Searcher searcher(BuildFromDocs(
      dir, {{"a", "", "alpha beta alpha gamma"}, {"b", "", "beta"}, {"c", "", "delta"}}));
  const SearchResult result = searcher.Search("+alpha \"beta alpha\" -delta zeta", {});
  ASSERT_EQ(result.hits.size(), 1u);
  const Explanation e = Explain(searcher.snapshot(), result.tree, result.hits[0].doc, {});
  std::ostringstream text;
  PrintExplanation(text, e);
  const std::string out = text.str();
  EXPECT_NE(out.find("alpha                    required: idf"), std::string::npos) << out;
  EXPECT_NE(out.find("x tf 2 x"), std::string::npos) << out;
  EXPECT_NE(out.find("\"beta alpha\"             optional: idf"), std::string::npos) << out;
  EXPECT_NE(out.find("delta                    excluded, absent: ok"), std::string::npos) << out;
  EXPECT_NE(out.find("zeta                     not in this document"), std::string::npos) << out;
}

TEST(Explain, ShowsTheGroupsOfANestedQuery) {
  TempDir dir;
  Searcher searcher(BuildFromDocs(dir, {{"a", "", "alpha beta gamma"}, {"b", "", "beta"}}));
  const SearchResult result = searcher.Search("alpha OR (beta AND NOT gamma)", {});
  ASSERT_EQ(result.hits.size(), 2u);
  for (const Hit& hit : result.hits) {
    const Explanation e = Explain(searcher.snapshot(), result.tree, hit.doc, {});
    std::ostringstream text;
    PrintExplanation(text, e);
    const std::string out = text.str();
    if (searcher.snapshot().external_id(hit.doc) == "a") {
      // beta is in the document, but its group is not: gamma excludes it.
      EXPECT_NE(out.find("       -  (+beta -gamma)           optional group: does not match\n"
                         "           -  beta                     required: in this document, "
                         "but its group does not count\n"
                         "           -  gamma                    excluded, present: its group "
                         "does not match\n"),
                std::string::npos)
          << out;
      EXPECT_EQ(e.score, e.clauses[0].contribution) << out;
    } else {
      EXPECT_NE(out.find("  (+beta -gamma)           optional group: the sum of its parts below"),
                std::string::npos)
          << out;
      EXPECT_NE(out.find("           -  gamma                    excluded, absent: ok"),
                std::string::npos)
          << out;
    }
    EXPECT_EQ(e.score, hit.score) << out;
  }
}

}  // namespace
}  // namespace fathom::testing
