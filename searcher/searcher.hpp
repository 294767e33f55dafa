// Searcher: the facade the command line (and tests, and benchmarks) use.
// query text -> parser -> evaluator -> top-k -> hits; plus stored documents
// and snippets for showing them.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/analyzer.hpp"
#include "common/bm25.hpp"
#include "common/doc_store.hpp"
#include "common/index_reader.hpp"
#include "searcher/evaluator.hpp"
#include "searcher/query_parser.hpp"
#include "searcher/snippets.hpp"

namespace fathom {

struct SearchOptions {
  std::size_t k = 10;
  Bm25Params bm25;
  Algorithm algorithm = Algorithm::kAuto;
  // Only count the matching documents (no hits).
  bool count_only = false;
  // Pruned evaluation does not visit every match; with exact_total the
  // searcher counts them in a second, cheaper pass (no scoring) so that
  // total_matches is exact. Benchmarks turn it off, as Lucene does when it
  // reports "at least N" hits.
  bool exact_total = true;
};

struct SearchResult {
  Query query;
  std::vector<Hit> hits;
  std::uint64_t total_matches = 0;
  bool total_exact = true;  // false: total_matches is a lower bound
  double milliseconds = 0;  // parse + evaluation, not snippets
};

// Not thread-safe: one Searcher per thread (they may share nothing but the
// files, which the kernel's page cache shares anyway).
class Searcher {
 public:
  // Opens and validates the index; throws fathom::Error subclasses.
  explicit Searcher(const std::filesystem::path& index_dir);

  SearchResult Search(std::string_view query_text, const SearchOptions& options);

  const IndexReader& reader() const { return reader_; }
  StoredDocument Document(DocId doc) const { return store_.Get(doc); }
  // The analyzed terms of the query's required and optional clauses.
  static std::unordered_set<std::string> HighlightTerms(const Query& query);
  std::string Snippet(const StoredDocument& document,
                      const std::unordered_set<std::string>& highlight_terms,
                      const HighlightStyle& style);

 private:
  IndexReader reader_;
  DocStore store_;
  Analyzer analyzer_;
  QueryParser parser_;
};

}  // namespace fathom
