// Explain agrees with the evaluator: for random queries over a random
// corpus, every explained score equals the score the search returned, and
// the explanation says "matches" exactly for the documents returned.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "searcher/explain.hpp"
#include "searcher/searcher.hpp"
#include "tests/model_index.hpp"
#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

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
    SearchOptions options;
    options.k = docs.size();
    const SearchResult result = searcher.Search(text, options);
    std::map<DocId, Score> returned;
    for (const Hit& hit : result.hits) returned[hit.doc] = hit.score;
    for (DocId d = 0; d < docs.size(); ++d) {
      const Explanation e = Explain(searcher.snapshot(), result.query, d, options.bm25);
      const auto it = returned.find(d);
      ASSERT_EQ(e.matches, it != returned.end()) << text << " doc " << d;
      if (e.matches) {
        ASSERT_NEAR(e.score, it->second, 1e-5f * std::max(1.0f, it->second))
            << text << " doc " << d;
      }
    }
  }
}

TEST(Explain, ShowsEachClause) {
  TempDir dir;
  Searcher searcher(BuildFromDocs(
      dir, {{"a", "", "alpha beta alpha gamma"}, {"b", "", "beta"}, {"c", "", "delta"}}));
  const SearchResult result = searcher.Search("+alpha \"beta alpha\" -delta zeta", {});
  ASSERT_EQ(result.hits.size(), 1u);
  const Explanation e = Explain(searcher.snapshot(), result.query, result.hits[0].doc, {});
  std::ostringstream text;
  PrintExplanation(text, e);
  const std::string out = text.str();
  EXPECT_NE(out.find("alpha                    required: idf"), std::string::npos) << out;
  EXPECT_NE(out.find("x tf 2 x"), std::string::npos) << out;
  EXPECT_NE(out.find("\"beta alpha\"             optional: idf"), std::string::npos) << out;
  EXPECT_NE(out.find("delta                    excluded, absent: ok"), std::string::npos) << out;
  EXPECT_NE(out.find("zeta                     not in this document"), std::string::npos) << out;
}

}  // namespace
}  // namespace fathom::testing
