// How ranked queries count their matches: exactly up to a threshold
// (SearchOptions::count_exactly_up_to, 1,000 by default, as Lucene), then a
// lower bound that says so; --count counts every match; a TREC batch counts
// none. Checked against the exact count, on one segment and on several,
// through the library and through fathom-search.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "common/analysis/analyzer.hpp"
#include "common/command_line.hpp"
#include "common/read/index_snapshot.hpp"
#include "searcher/eval/evaluator.hpp"
#include "searcher/query/query_tree.hpp"
#include "searcher/searcher.hpp"
#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

constexpr std::size_t kDocuments = 3000;

// Document i holds `every` (all 3,000), `even` (1,500), `third` (1,000),
// `rare` (every 60th: 50) and a few words drawn from a small vocabulary, so
// that scores differ and unions, conjunctions and phrases of many sizes
// exist.
std::vector<SourceDocument> Corpus() {
  std::mt19937_64 rng(20261205);
  std::vector<SourceDocument> docs;
  for (std::size_t i = 0; i < kDocuments; ++i) {
    std::string body = "every";
    if (i % 2 == 0) body += " even";
    if (i % 3 == 0) body += " third";
    if (i % 60 == 0) body += " rare";
    const std::size_t extra = 1 + rng() % 12;
    for (std::size_t j = 0; j < extra; ++j) body += " v" + std::to_string(rng() % 40);
    docs.push_back({"d" + std::to_string(i), "title " + std::to_string(i % 7), body});
  }
  return docs;
}

std::uint64_t ExactCount(Searcher& searcher, const std::string& text) {
  SearchOptions count;
  count.count_only = true;
  const SearchResult result = searcher.Search(text, count);
  EXPECT_TRUE(result.total_exact) << text << ": --count must be exact";
  return result.total_matches;
}

// The counting rule: a result's count is exact, or it is exactly
// max(up_to, k) and below the true count; and up to that bound (a query
// with exactly as many matches included) it is always exact.
void ExpectCountingRule(Searcher& searcher, const std::string& text, std::size_t k,
                        std::uint64_t up_to, Algorithm algorithm) {
  SearchOptions options;
  options.k = k;
  options.count_exactly_up_to = up_to;
  options.algorithm = algorithm;
  const SearchResult result = searcher.Search(text, options);
  const std::uint64_t exact = ExactCount(searcher, text);
  const std::uint64_t bound = std::max<std::uint64_t>(up_to, k);
  const std::string what = text + " k=" + std::to_string(k) + " up_to=" + std::to_string(up_to) +
                           " " + std::string(AlgorithmName(algorithm));
  if (result.total_exact) {
    EXPECT_EQ(result.total_matches, exact) << what;
  } else {
    EXPECT_EQ(result.total_matches, bound) << what << " (a lower bound is the threshold itself)";
    EXPECT_GT(exact, bound) << what << " (a lower bound where the count is known)";
  }
  if (exact <= bound) {
    EXPECT_TRUE(result.total_exact) << what << ": up to the threshold, exact";
  }
  EXPECT_EQ(result.hits.size(), std::min<std::uint64_t>(k, exact)) << what;
}

const std::vector<std::string> kQueries = {"every",
                                           "even",
                                           "rare",
                                           "third",
                                           "v3",
                                           "every even",
                                           "rare v7",
                                           "third v1 v2 v3",
                                           "+every +even",
                                           "+even +third",
                                           "+third +rare",
                                           "+even -third",
                                           "every -even",
                                           "\"every even\"",
                                           "\"v1 v2\"",
                                           "+v1 +v2",
                                           "title:3 even",
                                           "+even v5",
                                           "(even OR third) AND v9",
                                           "nothing_here",
                                           "every -every"};

class MatchCountTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    const std::vector<SourceDocument> docs = Corpus();
    one_ = BuildFromDocs(*dir_, docs);
    many_ = BuildSegmented(*dir_, docs, {700, 800, 1, 1499});
  }
  static void TearDownTestSuite() { delete dir_; }
  static TempDir* dir_;
  static std::filesystem::path one_, many_;
};
TempDir* MatchCountTest::dir_ = nullptr;
std::filesystem::path MatchCountTest::one_, MatchCountTest::many_;

TEST_F(MatchCountTest, DefaultCountsExactlyUpToOneThousandThenSaysAtLeast) {
  Searcher searcher(one_);
  SearchOptions options;  // fathom-search's defaults
  ASSERT_EQ(options.count_exactly_up_to, 1000u);
  SearchResult result = searcher.Search("every", options);
  EXPECT_EQ(result.total_matches, 1000u);
  EXPECT_FALSE(result.total_exact);
  EXPECT_EQ(result.hits.size(), 10u);
  result = searcher.Search("every even", options);
  EXPECT_EQ(result.total_matches, 1000u);
  EXPECT_FALSE(result.total_exact);
  result = searcher.Search("rare", options);
  EXPECT_EQ(result.total_matches, 50u);
  EXPECT_TRUE(result.total_exact);
  result = searcher.Search("+third +rare", options);
  EXPECT_EQ(result.total_matches, 50u);
  EXPECT_TRUE(result.total_exact);
  // Exactly as many matches as the threshold: exact, not "1,000+".
  result = searcher.Search("third", options);
  EXPECT_EQ(result.total_matches, 1000u);
  EXPECT_TRUE(result.total_exact);
  result = searcher.Search("even -third", options);
  EXPECT_EQ(result.total_matches, 1000u);
  EXPECT_TRUE(result.total_exact);
  EXPECT_EQ(ExactCount(searcher, "every even"), 3000u);
  EXPECT_EQ(ExactCount(searcher, "+every +even"), 1500u);
  EXPECT_EQ(ExactCount(searcher, "even -third"), 1000u);
}

TEST_F(MatchCountTest, EveryMatchWhenAskedAndNeverMoreThanAskedFor) {
  Searcher searcher(many_);
  SearchOptions options;
  options.count_exactly_up_to = kCountAll;
  SearchResult result = searcher.Search("every even", options);
  EXPECT_EQ(result.total_matches, 3000u);
  EXPECT_TRUE(result.total_exact);
  // k above the threshold: the k hits asked for are counted (Lucene's rule).
  // On one segment, since in many segments smaller than k no heap fills,
  // nothing is pruned and the count is exact.
  Searcher one_segment(one_);
  options.count_exactly_up_to = 1000;
  options.k = 2000;
  result = one_segment.Search("every v1 v2", options);
  EXPECT_EQ(result.hits.size(), 2000u);
  EXPECT_EQ(result.total_matches, 2000u);
  EXPECT_FALSE(result.total_exact);
  // k above every match: nothing can be pruned, so the count is exact.
  options.k = 5000;
  result = searcher.Search("every", options);
  EXPECT_EQ(result.hits.size(), 3000u);
  EXPECT_EQ(result.total_matches, 3000u);
  EXPECT_TRUE(result.total_exact);
}

TEST_F(MatchCountTest, RuleHoldsForEveryQueryThresholdAndAlgorithmOnOneSegmentAndMany) {
  for (const auto& index : {one_, many_}) {
    Searcher searcher(index);
    for (const std::string& text : kQueries) {
      for (const std::uint64_t up_to : {1, 7, 49, 50, 51, 999, 1000, 1500}) {
        for (const std::size_t k : {1u, 10u, 100u}) {
          for (const Algorithm algorithm :
               {Algorithm::kAuto, Algorithm::kMaxScore, Algorithm::kBmw, Algorithm::kExhaustive}) {
            ExpectCountingRule(searcher, text, k, up_to, algorithm);
          }
        }
      }
    }
  }
}

TEST_F(MatchCountTest, ThresholdZeroCountsOnlyWhatRankingVisits) {
  Searcher searcher(many_);
  SearchOptions options;
  options.count_exactly_up_to = 0;
  for (const std::string& text : kQueries) {
    const SearchResult result = searcher.Search(text, options);
    const std::uint64_t exact = ExactCount(searcher, text);
    EXPECT_LE(result.total_matches, exact) << text;
    EXPECT_GE(result.total_matches, result.hits.size()) << text;
    if (result.total_exact) {
      EXPECT_EQ(result.total_matches, exact) << text;
    }
  }
}

TEST_F(MatchCountTest, CountingStopsAtTheLimitAcrossSegments) {
  const IndexSnapshot snapshot(many_);
  Analyzer analyzer(snapshot.analysis());
  QueryTreeParser parser(analyzer, snapshot);
  for (const char* text : {"every", "every even", "+every +even", "even -third", "v1 v2"}) {
    const Query query = ParseFlatQuery(parser, text);
    EvalOptions options;
    options.count_only = true;
    const EvalResult all = Evaluate(snapshot, query, options);
    ASSERT_TRUE(all.total_exact) << text;
    const std::uint64_t total = all.total_matches;
    for (const std::uint64_t limit : {std::uint64_t{1}, std::uint64_t{699}, std::uint64_t{700},
                                      std::uint64_t{701}, std::uint64_t{1500}, total, total + 1}) {
      options.count_limit = limit;
      const EvalResult limited = Evaluate(snapshot, query, options);
      if (limit <= all.total_matches) {
        // Reaching the limit settles it: the count is exact, or a lower
        // bound of at least the limit (a segment's document frequency may
        // carry it past the limit at once).
        if (limited.total_exact) {
          EXPECT_EQ(limited.total_matches, total) << text << " limit " << limit;
        } else {
          EXPECT_GE(limited.total_matches, limit) << text << " limit " << limit;
          EXPECT_LE(limited.total_matches, total) << text << " limit " << limit;
        }
      } else {
        EXPECT_TRUE(limited.total_exact) << text << " limit " << limit;
        EXPECT_EQ(limited.total_matches, all.total_matches) << text << " limit " << limit;
      }
    }
  }
}

CommandResult Search(const std::filesystem::path& index, const std::string& arguments) {
  return RunCommand(kSearchBin + " " + Quote(index) + " " + arguments);
}

TEST_F(MatchCountTest, TheProgramSaysWhenItsCountIsALowerBound) {
  CommandResult result = Search(one_, "every --no-snippets");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("1,000+ matching documents"), std::string::npos) << result.out;
  result = Search(one_, "rare --no-snippets");
  EXPECT_NE(result.out.find("50 matching documents"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("50+"), std::string::npos) << result.out;
  result = Search(one_, "third --no-snippets");
  EXPECT_NE(result.out.find("1,000 matching documents"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("1,000+"), std::string::npos) << result.out;
  result = Search(one_, "--count 'every even'");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("3,000"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("+"), std::string::npos) << result.out;
  result = Search(one_, "--count-up-to 5000 every --no-snippets");
  EXPECT_NE(result.out.find("3,000 matching documents"), std::string::npos) << result.out;
  result = Search(one_, "--format json every --no-snippets");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("\"matches\":1000,\"matches_exact\":false"), std::string::npos)
      << result.out;
  result = Search(one_, "--format json rare --no-snippets");
  EXPECT_NE(result.out.find("\"matches\":50,\"matches_exact\":true"), std::string::npos)
      << result.out;
}

TEST_F(MatchCountTest, BatchJsonCountsAndTrecRunsAreTheSameHits) {
  WriteFile(*dir_ / "queries.tsv", "q1\tevery\nq2\trare\nq3\t+even +third\n");
  const std::string queries = Quote(*dir_ / "queries.tsv");
  CommandResult json = Search(many_, "--queries " + queries + " --syntax --format json -k 5");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find("\"qid\":\"q1\",\"query\":\"every\",\"matches\":1000,"
                          "\"matches_exact\":false"),
            std::string::npos)
      << json.out;
  EXPECT_NE(json.out.find("\"matches\":50,\"matches_exact\":true"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"matches\":500,\"matches_exact\":true"), std::string::npos) << json.out;
  // A TREC run prints no count: its hits are those of the counted search.
  const CommandResult trec = Search(many_, "--queries " + queries + " --syntax -k 5");
  ASSERT_EQ(trec.exit_code, 0) << trec.err;
  Searcher searcher(many_);
  SearchOptions options;
  options.k = 5;
  const std::vector<std::pair<std::string, std::string>> asked = {
      {"q1", "every"}, {"q2", "rare"}, {"q3", "+even +third"}};
  std::size_t lines = 0;
  for (const auto& [qid, text] : asked) {
    const SearchResult result = searcher.Search(text, options);
    ASSERT_EQ(result.hits.size(), 5u) << text;
    for (std::size_t i = 0; i < result.hits.size(); ++i, ++lines) {
      const std::string line = qid + " Q0 " +
                               std::string(searcher.snapshot().external_id(result.hits[i].doc)) +
                               " " + std::to_string(i + 1) + " ";
      EXPECT_NE(trec.out.find(line), std::string::npos) << line << "\n" << trec.out;
    }
  }
  EXPECT_EQ(static_cast<std::size_t>(std::count(trec.out.begin(), trec.out.end(), '\n')), lines);
}

// --count in a batch counts every match of each query: a line `qid<TAB>N`
// in the default (TREC) format, exact JSON counts with --format json.
TEST_F(MatchCountTest, BatchCountPrintsEachQuerysExactCount) {
  WriteFile(*dir_ / "count-queries.tsv", "q1\tevery\nq2\trare\nq3\t+every +even\nq4\tnowhere\n");
  const std::string queries = Quote(*dir_ / "count-queries.tsv");
  for (const auto& index : {one_, many_}) {
    const CommandResult counts = Search(index, "--queries " + queries + " --syntax --count");
    ASSERT_EQ(counts.exit_code, 0) << counts.err;
    EXPECT_EQ(counts.out, "q1\t3000\nq2\t50\nq3\t1500\nq4\t0\n");
    const CommandResult json =
        Search(index, "--queries " + queries + " --syntax --count --format json");
    ASSERT_EQ(json.exit_code, 0) << json.err;
    EXPECT_NE(json.out.find("\"qid\":\"q3\",\"query\":\"+every +even\",\"matches\":1500,"
                            "\"matches_exact\":true"),
              std::string::npos)
        << json.out;
  }
}

}  // namespace
}  // namespace fathom::testing
