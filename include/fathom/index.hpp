// Reading an index: search, count, explain, stored documents, snippets,
// "did you mean" and near-duplicate folding, as fathom-search does them.
//
//   fathom::Index index("/path/to/index");
//   fathom::Results results = index.Search("+meeting \"trade deal\"");
//   for (const fathom::SearchHit& hit : results.hits) std::cout << hit.id << "\n";
//
// Thread safety: an Index may be used from many threads at once; every call
// answers from the snapshot of the index that was current when the Index
// was opened or last Refresh()ed, whatever writers do meanwhile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace fathom {

// How a query is run. The defaults are fathom-search's.
struct QueryOptions {
  std::size_t k = 10;           // hits (result groups) per page
  std::size_t offset = 0;       // groups skipped: the first hit is result offset + 1
  float k1 = 0.9f;              // BM25
  float b = 0.4f;               // BM25
  bool syntax = true;           // the query language; false: plain text, every word optional
  bool snippets = true;         // title and snippet of each hit
  bool fold_duplicates = true;  // near duplicates folded under the better hit
  bool suggest = true;          // "did you mean" for misspelled words
  // Matches are counted exactly up to this many, then reported as a lower
  // bound (Results::matches_exact false), as Lucene does. See Index::Count
  // for the exact number.
  std::uint64_t count_up_to = 1000;
  std::string highlight_open = "<b>";  // around matched words in snippets
  std::string highlight_close = "</b>";
};

struct SearchHit {
  std::string id;  // the document's external id
  double score = 0;
  std::string title;                         // empty without QueryOptions::snippets
  std::string snippet;                       // empty without QueryOptions::snippets
  std::vector<std::string> near_duplicates;  // ids folded under this hit
  // The file the document came from, when it was read from a folder or a
  // file (empty path for JSON Lines and documents added in memory).
  std::string file_path;  // relative to the folder indexed
  std::uint64_t file_size = 0;
  std::string file_modified;  // ISO 8601 in UTC, "2026-12-05T21:40:07Z"
};

struct Results {
  std::vector<SearchHit> hits;
  std::uint64_t matches = 0;          // matching documents, exact when matches_exact
  bool matches_exact = true;          // false: matches is a lower bound
  std::string did_you_mean;           // the corrected query, or empty
  std::vector<std::string> warnings;  // about the query (an unknown field...)
  double milliseconds = 0;            // parse and evaluation
};

// A typed field of a document (README.md, "Fields: filters, sorting and
// facets"): text (a keyword, or a date in ISO 8601, which is typed as a
// date), a whole number, a number or a boolean. The index types each field
// from its values as it types JSON Lines members, or as the index already
// holds it; a value that does not fit is an error at commit.
struct DocumentField {
  std::string name;
  std::variant<std::string, std::int64_t, double, bool> value;
  bool operator==(const DocumentField&) const = default;
};

struct Document {
  std::string id;
  std::string title;
  std::string body;
  // Read back: in name order, dates as ISO 8601 text in UTC.
  std::vector<DocumentField> fields = {};
};

struct IndexStats {
  std::uint64_t documents = 0;  // live documents
  std::uint64_t deleted = 0;    // deleted, still in segments until a merge
  std::size_t segments = 0;
  std::uint64_t generation = 0;  // of the manifest this snapshot read
  std::string language;          // the analysis language
};

// One query of a batch, and its answer or its error.
struct QueryLine {
  std::string qid;
  std::string text;
};
struct QueryAnswer {
  std::string qid;
  Results results;
  std::string error;  // a malformed query: its error, and no results
};

class Index {
 public:
  // Opens the index at path. Throws CorruptIndexError, FormatVersionError,
  // IoError or InputError (not an index).
  explicit Index(const std::filesystem::path& path);
  ~Index();
  Index(Index&&) noexcept;
  Index& operator=(Index&&) noexcept;
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  // REQUIRES (for every call below): the Index was not moved from.

  // Ranked results. Throws QuerySyntaxError for a malformed query.
  Results Search(std::string_view query, const QueryOptions& options = {}) const;
  // Every matching document, counted exactly.
  std::uint64_t Count(std::string_view query, bool syntax = true) const;
  // Why the document scores what it does for the query, clause by clause
  // (fathom-search --explain). Throws InputError for an unknown id.
  std::string Explain(std::string_view query, std::string_view id,
                      const QueryOptions& options = {}) const;
  // The stored document, or nothing for an id no live document has.
  std::optional<Document> GetDocument(std::string_view id) const;
  // The query with misspelled words corrected, or empty.
  std::string Suggest(std::string_view query) const;
  // Groups of near-duplicate documents (ids), each group sorted.
  std::vector<std::vector<std::string>> NearDuplicates() const;
  IndexStats Stats() const;

  // Answers the queries on `threads` threads (at least 1), in query order.
  // A malformed query gets its error and the others are answered. With
  // options.syntax false, each query is a topic (plain text).
  std::vector<QueryAnswer> SearchBatch(const std::vector<QueryLine>& queries,
                                       const QueryOptions& options, std::size_t threads) const;

  // Moves to the index as it is now (after writes); false if it had not
  // changed. Calls already running finish on the old snapshot.
  bool Refresh();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// `qid Q0 docid rank score tag` lines (trec_eval's input) for answers.
void WriteTrecRun(std::ostream& out, const std::vector<QueryAnswer>& answers,
                  std::string_view tag = "fathom");

// What `fathom-index check` finds: sound, or the problems, one line each.
struct CheckResult {
  bool sound = true;
  std::vector<std::string> problems;
};
CheckResult Check(const std::filesystem::path& path);

}  // namespace fathom
