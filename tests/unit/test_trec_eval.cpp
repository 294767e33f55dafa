// Pins searcher/trec_eval's numbers on small cases computed by hand with
// trec_eval's definitions, and checks the parsers' error handling. When
// Debian's trec_eval is not installed there is nothing to compare against
// automatically, so the expected values below were derived on paper
// (the arithmetic is in the comments).

#include "fathom/trec_eval.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>

#include "common/error.hpp"

namespace fathom {
namespace {

constexpr double kTolerance = 1e-12;

TrecQrels ParseQrels(const std::string& text) {
  std::istringstream in(text);
  return ReadTrecQrels(in, "qrels");
}

TrecRun ParseRun(const std::string& text) {
  std::istringstream in(text);
  return ReadTrecRun(in, "run");
}

// Graded judgments, a non-relevant judged document and an unjudged one.
// qrels q1: d1=2, d2=1, d3=0, d4=1 (num_rel 3). Ranking d3 d1 d5 d2.
TEST(TrecEval, GradedQuery) {
  const TrecQrels qrels = ParseQrels("q1 0 d1 2\nq1 0 d2 1\nq1 0 d3 0\nq1 0 d4 1\n");
  const TrecRun run = ParseRun(
      "q1 Q0 d3 1 3.0 t\n"
      "q1 Q0 d1 2 2.5 t\n"
      "q1 Q0 d5 3 2.0 t\n"
      "q1 Q0 d2 4 1.0 t\n");
  const TrecEvaluation e = EvaluateTrecRun(qrels, run);
  ASSERT_EQ(e.per_query.size(), 1u);
  const TrecMeasures& m = e.per_query[0].second;
  EXPECT_EQ(m.num_ret, 4u);
  EXPECT_EQ(m.num_rel, 3u);
  EXPECT_EQ(m.num_rel_ret, 2u);
  // Relevant at ranks 2 and 4: (1/2 + 2/4) / 3.
  EXPECT_NEAR(m.map, 1.0 / 3.0, kTolerance);
  EXPECT_NEAR(m.p_10, 0.2, kTolerance);  // 2 / 10, not 2 / 4
  EXPECT_NEAR(m.recall_100, 2.0 / 3.0, kTolerance);
  EXPECT_NEAR(m.recall_1000, 2.0 / 3.0, kTolerance);
  // DCG = 2/log2(3) + 1/log2(5); ideal (gains 2, 1, 1) = 2/log2(2) + 1/log2(3) + 1/log2(4).
  const double dcg = 2 / std::log2(3.0) + 1 / std::log2(5.0);
  const double ideal = 2 + 1 / std::log2(3.0) + 0.5;
  EXPECT_NEAR(m.ndcg_cut_10, dcg / ideal, kTolerance);
  EXPECT_NEAR(m.ndcg_cut_10, 0.5405857679450102, 1e-12);
}

// trec_eval ignores the rank column: equal scores are ordered by docid,
// descending, so "b" ranks above "a" although the run lists "a" first.
TEST(TrecEval, TiesBrokenByDocidDescending) {
  const TrecQrels qrels = ParseQrels("q 0 a 1\n");
  const TrecRun run = ParseRun("q Q0 a 1 1.0 t\nq Q0 b 2 1.0 t\n");
  const TrecMeasures m = EvaluateTrecRun(qrels, run).per_query[0].second;
  EXPECT_NEAR(m.map, 0.5, kTolerance);
  EXPECT_NEAR(m.ndcg_cut_10, 1 / std::log2(3.0), kTolerance);

  // A higher score wins whatever the rank column or the docid says.
  const TrecMeasures by_score =
      EvaluateTrecRun(qrels, ParseRun("q Q0 b 1 0.5 t\nq Q0 a 2 0.75 t\n")).per_query[0].second;
  EXPECT_NEAR(by_score.map, 1.0, kTolerance);
  EXPECT_NEAR(by_score.ndcg_cut_10, 1.0, kTolerance);
}

TEST(TrecEval, SortLikeTrecEvalUsesByteOrderOfDocids) {
  std::vector<TrecRunEntry> entries = {{"10", 1}, {"9", 1}, {"100", 1}, {"x", 2}};
  SortLikeTrecEval(entries);
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].docid, "x");
  EXPECT_EQ(entries[1].docid, "9");  // strcmp: "9" > "100" > "10"
  EXPECT_EQ(entries[2].docid, "100");
  EXPECT_EQ(entries[3].docid, "10");
}

// Judged queries only: a run-only query is ignored; a judged query missing
// from the run scores 0 and still counts in the mean (trec_eval -c).
TEST(TrecEval, JudgedQueriesOnlyMissingOnesScoreZero) {
  const TrecQrels qrels = ParseQrels("1 0 a 1\n2 0 b 1\n");
  const TrecRun run = ParseRun("1 Q0 a 1 9 t\n3 Q0 b 1 9 t\n");
  const TrecEvaluation e = EvaluateTrecRun(qrels, run);
  ASSERT_EQ(e.per_query.size(), 2u);
  EXPECT_EQ(e.per_query[0].first, "1");
  EXPECT_EQ(e.per_query[1].first, "2");
  EXPECT_NEAR(e.per_query[0].second.map, 1.0, kTolerance);
  EXPECT_NEAR(e.per_query[1].second.map, 0.0, kTolerance);
  EXPECT_EQ(e.per_query[1].second.num_ret, 0u);
  EXPECT_NEAR(e.mean.map, 0.5, kTolerance);
  EXPECT_NEAR(e.mean.ndcg_cut_10, 0.5, kTolerance);
  EXPECT_NEAR(e.mean.p_10, 0.05, kTolerance);
  EXPECT_EQ(e.mean.num_rel, 2u);
  EXPECT_EQ(e.mean.num_ret, 1u);
}

// Cut-offs: a relevant document at rank 11 counts for MAP and recall but not
// for P@10 or nDCG@10; one at rank 150 only for MAP and recall@1000.
TEST(TrecEval, CutOffs) {
  std::string run_text;
  for (int rank = 1; rank <= 1200; ++rank) {
    run_text += "q Q0 d" + std::to_string(rank) + " " + std::to_string(rank) + " " +
                std::to_string(2000 - rank) + " t\n";
  }
  const TrecQrels qrels = ParseQrels("q 0 d11 1\nq 0 d150 1\nq 0 d1100 3\nq 0 d99999 1\n");
  const TrecMeasures m = EvaluateTrecRun(qrels, ParseRun(run_text)).per_query[0].second;
  EXPECT_EQ(m.num_rel, 4u);
  EXPECT_EQ(m.num_rel_ret, 3u);
  EXPECT_NEAR(m.p_10, 0.0, kTolerance);
  EXPECT_NEAR(m.ndcg_cut_10, 0.0, kTolerance);
  EXPECT_NEAR(m.recall_100, 0.25, kTolerance);
  EXPECT_NEAR(m.recall_1000, 0.5, kTolerance);
  // MAP includes documents beyond 1000 (trec_eval does not cut the run).
  EXPECT_NEAR(m.map, (1.0 / 11 + 2.0 / 150 + 3.0 / 1100) / 4, kTolerance);
}

// The ideal DCG takes the best judged gains, whether retrieved or not, and
// negative values (in the pool, not judged) are neither relevant nor gains.
TEST(TrecEval, IdealFromQrelsAndNegativeValues) {
  const TrecQrels qrels = ParseQrels("q 0 a 1\nq 0 b 3\nq 0 c -1\n");
  const TrecMeasures m =
      EvaluateTrecRun(qrels, ParseRun("q Q0 c 1 3 t\nq Q0 a 2 2 t\n")).per_query[0].second;
  EXPECT_EQ(m.num_rel, 2u);
  // DCG = 1/log2(3); ideal = 3/log2(2) + 1/log2(3).
  EXPECT_NEAR(m.ndcg_cut_10, (1 / std::log2(3.0)) / (3 + 1 / std::log2(3.0)), kTolerance);
  EXPECT_NEAR(m.map, (1.0 / 2) / 2, kTolerance);
}

TEST(TrecEval, ParsersRejectWhatTrecEvalRejects) {
  EXPECT_THROW(ParseQrels("q 0 a\n"), InputError);
  EXPECT_THROW(ParseQrels("q 0 a x\n"), InputError);
  EXPECT_THROW(ParseQrels("q 0 a 1\nq 0 a 2\n"), InputError);
  EXPECT_THROW(ParseRun("q Q0 a 1 1.0\n"), InputError);
  EXPECT_THROW(ParseRun("q Q0 a 1 nan t\n"), InputError);
  EXPECT_THROW(ParseRun("q Q0 a 1 1.0 t\nq Q0 a 2 0.5 t\n"), InputError);
  // Blank lines and any whitespace between fields are fine.
  EXPECT_NO_THROW(ParseQrels("\nq\t0  a 1\n\n"));
  try {
    ParseRun("q Q0 a 1 1.0 t\nbad line\n");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("run:2:"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace fathom
