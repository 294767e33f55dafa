// Batch search, as `fathom-search --queries FILE` runs it: `qid<TAB>query`
// lines answered in file order, as a TREC run or as JSON lines, on one
// thread or several. In the library, not in the program, so that
// `fathom-bench batch` times exactly what users run.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "searcher/query/natural_query.hpp"
#include "searcher/searcher.hpp"

namespace fathom {

struct BatchQuery {
  std::string qid;
  std::string text;
};

// The queries of a file of `qid<TAB>query` lines (blank lines and '#'
// comments skipped, a trailing '\r' dropped). Throws InputError naming the
// file, and the line when one has no qid or no tab.
std::vector<BatchQuery> ReadBatchQueries(const std::string& path);

enum class BatchFormat {
  kTrec,  // `qid Q0 docid rank score tag` (trec_eval's input)
  kJson,  // one WriteJsonResult object per query, unfolded
};

struct BatchOptions {
  // k, BM25, algorithm; count_exactly_up_to counts for JSON, which prints
  // the number of matches. A TREC run prints none, so it counts only what
  // ranking visits (0), whatever this says.
  SearchOptions search;
  BatchFormat format = BatchFormat::kTrec;
  std::string tag = "fathom";  // the TREC run's tag
  // Each line a topic (natural_query.hpp: plain text, every word optional);
  // false: the query language.
  bool topics = true;
  NaturalQueryOptions natural;
  bool rm3 = false;         // pseudo-relevance feedback, topics only
  bool snippets = true;     // JSON: titles and snippets of the hits
  std::size_t threads = 1;  // at least 1
  std::string source;       // the query file's name, for messages
};

struct BatchSummary {
  std::size_t queries = 0;
  std::size_t failed = 0;  // malformed queries, reported and skipped
};

// One query of a batch answered: what the format writes for it, and the
// query's warnings; or, for a malformed query, `error` ("column N:
// problem") and no results.
struct BatchAnswer {
  std::string results;
  std::vector<std::string> warnings;
  std::string error;
  bool failed() const { return !error.empty(); }
};

// Answers batch queries one at a time, as AnswerBatch does on each of its
// threads; for callers that take queries one by one (fathom-serve's
// /search/batch, where each line has its own k and a time budget). Not
// thread-safe: one per thread, like the Searcher it uses.
class BatchAnswerer {
 public:
  BatchAnswerer(Searcher& searcher, const BatchOptions& options);
  // The query answered with its top k. Throws what the search throws,
  // except QuerySyntaxError, which is the answer's error.
  BatchAnswer Answer(const BatchQuery& query, std::size_t k);

 private:
  Searcher& searcher_;
  const BatchOptions& options_;
  SearchOptions search_;
  TopicSearcher topics_;
};

// Answers every query, writing the results to `results` and each query's
// warnings and errors to `messages`, both in query order. A malformed query
// (QuerySyntaxError) is reported as `error: SOURCE: query QID: column N:
// ...` and has no results: one typo in a topic file must not cost the
// answers to all the others. Other failures throw. With several threads,
// one Searcher per thread shares `searcher`'s snapshot, so that every query
// sees the same index.
BatchSummary AnswerBatch(Searcher& searcher, const std::vector<BatchQuery>& queries,
                         const BatchOptions& options, std::ostream& results,
                         std::ostream& messages);

}  // namespace fathom
