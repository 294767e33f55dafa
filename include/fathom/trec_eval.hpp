// Retrieval effectiveness measures with trec_eval's exact definitions
// (usnistgov/trec_eval 9.x), so numbers from fathom-eval and trec_eval can
// be compared digit for digit:
//
//   map          mean over relevant documents of the precision at their
//                rank; relevant documents not retrieved add 0; / num_rel
//   P_10         relevant documents in the first 10, divided by 10 (always
//                10, even when fewer documents were retrieved)
//   recall_N     relevant documents in the first N, divided by num_rel
//   ndcg_cut_10  DCG@10 / ideal DCG@10 with gain = the qrels relevance value
//                (graded) and discount log2(rank + 1); the ideal ranking is
//                built from every judged relevance value of the query
//
// A document is relevant when its qrels value is >= 1 (trec_eval's default
// relevance level). Documents missing from the qrels count as non-relevant.
//
// Ranking: trec_eval ignores the rank column of a run. It sorts each query's
// documents by score, highest first, and breaks ties by document id in
// DESCENDING strcmp order (form_res_rels.c, comp_sim_docno). We do the same,
// so a run whose printed scores tie is ranked as trec_eval ranks it.
//
// Queries: those of the qrels (judged queries). Queries in the run but not in
// the qrels are ignored. A judged query missing from the run counts with 0
// for every measure, and the averages divide by the number of judged
// queries: this is `trec_eval -c`, the fair choice when comparing engines
// (without -c, an engine returning nothing for a hard query would be
// rewarded). Every judged query in the shared collections has at least one
// relevant document, so trec_eval's treatment of all-non-relevant queries
// (kept, scoring 0) never arises there; we keep them the same way.
#pragma once

#include <cstddef>
#include <istream>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fathom {

// qid -> (docid -> relevance value). Negative values (trec_eval: "in the
// pool, not judged") are kept but never relevant and never a gain.
using TrecQrels = std::map<std::string, std::unordered_map<std::string, int>>;

struct TrecRunEntry {
  std::string docid;
  double score = 0;
};
// qid -> retrieved documents, in file order.
using TrecRun = std::map<std::string, std::vector<TrecRunEntry>>;

// Parse "qid iter docid rel" lines. Throws InputError (naming source and line)
// for malformed lines and for a document judged twice for one query, as
// trec_eval refuses both.
TrecQrels ReadTrecQrels(std::istream& in, std::string_view source);
// Parse "qid Q0 docid rank score tag" lines. Throws InputError for malformed
// lines and for a document retrieved twice for one query.
TrecRun ReadTrecRun(std::istream& in, std::string_view source);

struct TrecMeasures {
  double ndcg_cut_10 = 0;
  double map = 0;
  double p_10 = 0;
  double recall_100 = 0;
  double recall_1000 = 0;
  std::size_t num_ret = 0;
  std::size_t num_rel = 0;
  std::size_t num_rel_ret = 0;
};

// Sorts entries as trec_eval does (score descending, then docid descending).
void SortLikeTrecEval(std::vector<TrecRunEntry>& entries);

// The measures of one query. judgments: that query's qrels; ranking: its run
// entries in any order (they are sorted with SortLikeTrecEval).
TrecMeasures EvaluateTrecQuery(const std::unordered_map<std::string, int>& judgments,
                               std::vector<TrecRunEntry> ranking);

struct TrecEvaluation {
  std::vector<std::pair<std::string, TrecMeasures>> per_query;  // qrels order
  TrecMeasures mean;  // counts (num_*) are summed, as trec_eval prints them
};

// Evaluates every judged query (see the header comment for the query rules).
TrecEvaluation EvaluateTrecRun(const TrecQrels& qrels, const TrecRun& run);

}  // namespace fathom
