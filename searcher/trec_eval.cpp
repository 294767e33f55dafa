#include "fathom/trec_eval.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string>

#include "common/error.hpp"

namespace fathom {
namespace {

std::vector<std::string> SplitFields(const std::string& line) {
  std::vector<std::string> fields;
  std::istringstream stream(line);
  std::string field;
  while (stream >> field) fields.push_back(std::move(field));
  return fields;
}

[[noreturn]] void Malformed(std::string_view source, std::size_t line_number,
                            const std::string& what) {
  throw InputError(std::string(source) + ":" + std::to_string(line_number) + ": " + what);
}

// Calls f(fields, line_number) for every non-blank line.
template <typename F>
void ForEachLine(std::istream& in, F&& f) {
  std::string line;
  std::size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    const std::vector<std::string> fields = SplitFields(line);
    if (!fields.empty()) f(fields, line_number);
  }
}

bool ParseLong(const std::string& text, long& value) {
  errno = 0;
  char* end = nullptr;
  value = std::strtol(text.c_str(), &end, 10);
  return errno == 0 && end != text.c_str() && *end == '\0';
}

bool ParseDouble(const std::string& text, double& value) {
  errno = 0;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return errno == 0 && end != text.c_str() && *end == '\0' && std::isfinite(value);
}

// trec_eval's relevance level: a value of at least 1 is relevant.
constexpr int kRelevanceLevel = 1;

}  // namespace

TrecQrels ReadTrecQrels(std::istream& in, std::string_view source) {
  TrecQrels qrels;
  ForEachLine(in, [&](const std::vector<std::string>& fields, std::size_t line_number) {
    if (fields.size() != 4) {
      Malformed(source, line_number, "expected 'qid iteration docid relevance'");
    }
    long relevance = 0;
    if (!ParseLong(fields[3], relevance) || relevance > 1'000'000 || relevance < -1'000'000) {
      Malformed(source, line_number, "relevance '" + fields[3] + "' is not an integer");
    }
    if (!qrels[fields[0]].emplace(fields[2], static_cast<int>(relevance)).second) {
      Malformed(source, line_number,
                "document '" + fields[2] + "' judged twice for query '" + fields[0] + "'");
    }
  });
  return qrels;
}

TrecRun ReadTrecRun(std::istream& in, std::string_view source) {
  TrecRun run;
  std::map<std::string, std::unordered_map<std::string, std::size_t>> seen;
  ForEachLine(in, [&](const std::vector<std::string>& fields, std::size_t line_number) {
    if (fields.size() != 6)
      Malformed(source, line_number, "expected 'qid Q0 docid rank score tag'");
    double score = 0;
    if (!ParseDouble(fields[4], score)) {
      Malformed(source, line_number, "score '" + fields[4] + "' is not a number");
    }
    if (!seen[fields[0]].emplace(fields[2], line_number).second) {
      Malformed(source, line_number,
                "document '" + fields[2] + "' retrieved twice for query '" + fields[0] + "'");
    }
    run[fields[0]].push_back({fields[2], score});
  });
  return run;
}

void SortLikeTrecEval(std::vector<TrecRunEntry>& entries) {
  std::sort(entries.begin(), entries.end(), [](const TrecRunEntry& a, const TrecRunEntry& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.docid > b.docid;  // std::string compares bytes as unsigned, like strcmp
  });
}

TrecMeasures EvaluateTrecQuery(const std::unordered_map<std::string, int>& judgments,
                               std::vector<TrecRunEntry> ranking) {
  SortLikeTrecEval(ranking);
  TrecMeasures m;
  std::vector<int> gains;  // judged relevance values > 0, for the ideal DCG
  for (const auto& [docid, relevance] : judgments) {
    if (relevance >= kRelevanceLevel) ++m.num_rel;
    if (relevance > 0) gains.push_back(relevance);
  }
  m.num_ret = ranking.size();

  double dcg = 0;
  double precision_sum = 0;
  std::size_t relevant_at_10 = 0;
  std::size_t relevant_at_100 = 0;
  std::size_t relevant_at_1000 = 0;
  for (std::size_t i = 0; i < ranking.size(); ++i) {
    const auto it = judgments.find(ranking[i].docid);
    const int relevance = it == judgments.end() ? 0 : it->second;
    if (relevance > 0 && i < 10) dcg += relevance / std::log2(static_cast<double>(i + 2));
    if (relevance < kRelevanceLevel) continue;
    ++m.num_rel_ret;
    precision_sum += static_cast<double>(m.num_rel_ret) / static_cast<double>(i + 1);
    if (i < 10) ++relevant_at_10;
    if (i < 100) ++relevant_at_100;
    if (i < 1000) ++relevant_at_1000;
  }

  std::sort(gains.begin(), gains.end(), std::greater<>());
  double ideal_dcg = 0;
  for (std::size_t i = 0; i < gains.size() && i < 10; ++i) {
    ideal_dcg += gains[i] / std::log2(static_cast<double>(i + 2));
  }
  m.ndcg_cut_10 = ideal_dcg > 0 ? dcg / ideal_dcg : 0;
  m.p_10 = static_cast<double>(relevant_at_10) / 10.0;
  if (m.num_rel > 0) {
    const double num_rel = static_cast<double>(m.num_rel);
    m.map = precision_sum / num_rel;
    m.recall_100 = static_cast<double>(relevant_at_100) / num_rel;
    m.recall_1000 = static_cast<double>(relevant_at_1000) / num_rel;
  }
  return m;
}

TrecEvaluation EvaluateTrecRun(const TrecQrels& qrels, const TrecRun& run) {
  TrecEvaluation evaluation;
  for (const auto& [qid, judgments] : qrels) {
    const auto it = run.find(qid);
    TrecMeasures m =
        EvaluateTrecQuery(judgments, it == run.end() ? std::vector<TrecRunEntry>{} : it->second);
    evaluation.mean.ndcg_cut_10 += m.ndcg_cut_10;
    evaluation.mean.map += m.map;
    evaluation.mean.p_10 += m.p_10;
    evaluation.mean.recall_100 += m.recall_100;
    evaluation.mean.recall_1000 += m.recall_1000;
    evaluation.mean.num_ret += m.num_ret;
    evaluation.mean.num_rel += m.num_rel;
    evaluation.mean.num_rel_ret += m.num_rel_ret;
    evaluation.per_query.emplace_back(qid, m);
  }
  if (!evaluation.per_query.empty()) {
    const double n = static_cast<double>(evaluation.per_query.size());
    evaluation.mean.ndcg_cut_10 /= n;
    evaluation.mean.map /= n;
    evaluation.mean.p_10 /= n;
    evaluation.mean.recall_100 /= n;
    evaluation.mean.recall_1000 /= n;
  }
  return evaluation;
}

}  // namespace fathom
