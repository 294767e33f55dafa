// A TREC run's lines as trec_eval reads them: the score as printf's "%.4f"
// prints it (the run format's reference), for every float a score can be.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>
#include <string>

#include "searcher/present/output.hpp"

namespace fathom {
namespace {

std::string Printf(float score) {
  char text[512];
  std::snprintf(text, sizeof text, "%.4f", static_cast<double>(score));
  return text;
}

TEST(TrecRun, ScoresPrintAsPrintfFourDecimals) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> typical(0.0f, 60.0f);
  for (int i = 0; i < 200000; ++i) {
    const float score = typical(rng);
    ASSERT_EQ(FormatScore(score), Printf(score)) << score;
  }
  // Every bit pattern of a sample of floats, ties at the fifth decimal among
  // them (x.xxxx5 exactly representable: multiples of 1/32), negatives,
  // zeros, huge values and the non-finite ones.
  for (int i = 0; i < 200000; ++i) {
    std::uint32_t bits = static_cast<std::uint32_t>(rng());
    float score;
    std::memcpy(&score, &bits, sizeof score);
    ASSERT_EQ(FormatScore(score), Printf(score)) << bits;
  }
  for (const float score :
       {0.0f, -0.0f, 0.03125f, 0.15625f, 1.00005f, 2.5e-5f, 7.5e-5f, 1e30f, -1e30f,
        std::numeric_limits<float>::max(), std::numeric_limits<float>::lowest(),
        std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::infinity(),
        -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN()}) {
    EXPECT_EQ(FormatScore(score), Printf(score)) << score;
  }
}

TEST(TrecRun, AppendedAndStreamedLinesAreTheSame) {
  std::string appended;
  AppendTrecLine(appended, "q7", "doc-1", 1, 12.34567f, "fathom");
  AppendTrecLine(appended, "q7", "doc-2", 10, 3.0f, "fathom");
  std::ostringstream streamed;
  WriteTrecLine(streamed, "q7", "doc-1", 1, 12.34567f, "fathom");
  WriteTrecLine(streamed, "q7", "doc-2", 10, 3.0f, "fathom");
  EXPECT_EQ(appended, "q7 Q0 doc-1 1 12.3457 fathom\nq7 Q0 doc-2 10 3.0000 fathom\n");
  EXPECT_EQ(streamed.str(), appended);
}

}  // namespace
}  // namespace fathom
