// How fathom-search shows results: text for people, TREC runs and JSON
// lines for tools.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "searcher/present/near_duplicates.hpp"
#include "searcher/present/snippets.hpp"
#include "searcher/searcher.hpp"

namespace fathom {

struct TextStyle {
  bool color = false;  // ANSI escapes (only on a terminal)
  HighlightStyle highlight;
  bool snippets = true;
  bool explain = false;  // each result's score, clause by clause
};

TextStyle TerminalStyle();
TextStyle PlainStyle();

// A query's results as people see them: hits grouped with their near
// duplicates, a page at a time.
struct DisplayResult {
  SearchResult result;
  std::vector<ResultGroup> groups;  // the requested page
  std::size_t first_rank = 1;       // rank of groups[0]
  Bm25Params bm25;                  // the parameters the query ran with
  // "Did you mean": the query with misspelled words replaced (empty if none
  // looked misspelled), and the replacements made.
  std::string corrected_query;
  std::vector<std::pair<std::string, std::string>> corrections;  // (as typed, suggested)
  std::vector<SortKey> sort;  // the order asked for: each hit shows these values
};

// Hits to fetch for `groups` result groups: folding can merge many hits into
// one group, so twice as many and some, which fills the page unless more
// than half of the hits are near copies.
inline std::size_t HitsToFetch(std::size_t groups, bool fold) {
  return fold ? 2 * groups + 10 : groups;
}

// Runs the query for display: page `page` (0-based) of `options.k` groups.
// With fold, near duplicates are folded under the better-ranked hit, and
// extra hits are fetched so that a page stays full when there are enough.
// With suggest, "did you mean" is looked for (SuggestCorrectedQuery).
DisplayResult SearchForDisplay(Searcher& searcher, std::string_view query_text,
                               SearchOptions options, bool fold, std::size_t page = 0,
                               bool suggest = true);

// The query with each misspelled optional or required word replaced by the
// most likely correction (searcher/present/spelling.hpp), shown as the word appears
// in the documents; sets display.corrected_query and display.corrections.
void SuggestCorrectedQuery(Searcher& searcher, std::string_view query_text, DisplayResult& display);
// The same for a query not run: parses it, then suggests. Throws
// QuerySyntaxError for a malformed query.
DisplayResult SuggestOnly(Searcher& searcher, std::string_view query_text);

// A file's modification time as results show it: ISO 8601 in UTC,
// "2026-12-05T21:40:07Z".
std::string FormatModified(std::int64_t modified_ns);

// A score as results print it (four decimals, as printf's "%.4f"), in
// text, TREC runs and JSON.
std::string FormatScore(Score score);
void AppendScore(std::string& out, Score score);

// A hit's snippet: from the body, or the title when there is no body.
std::string SnippetOf(const StoredDocument& document, const SnippetQuery& query, Analyzer& analyzer,
                      const HighlightStyle& style);

// Every hit as a group of its own (batch output keeps runs unfolded).
std::vector<ResultGroup> Unfolded(const std::vector<Hit>& hits);

void PrintResults(std::ostream& out, Searcher& searcher, const DisplayResult& display,
                  const TextStyle& style);
// "1,234 matching documents in 0.12 ms", or "1,000+ matching documents"
// when the count is a lower bound (SearchResult::total_exact).
void PrintMatchCount(std::ostream& out, const SearchResult& result, const TextStyle& style);
// The facets' buckets and counts, one block a field.
void PrintFacets(std::ostream& out, const SearchResult& result, const TextStyle& style);
// A field value as people read it: 2025-02-22, pdf, 42.
std::string DisplayValue(const FieldValue& value);
// The document's typed fields as a JSON object, by name.
std::string FieldsJson(const IndexSnapshot& snapshot, DocId doc);
// Whether the tree holds a filter on a typed field.
void PrintDocument(std::ostream& out, Searcher& searcher, DocId doc, const TextStyle& style);

// One line of a TREC run: `qid Q0 docid rank score tag` (trec_eval's input).
void WriteTrecLine(std::ostream& out, std::string_view qid, std::string_view docid,
                   std::size_t rank, Score score, std::string_view tag);
// `qid Q0 docid rank score tag`, one line per hit (trec_eval's input).
void WriteTrecRun(std::ostream& out, const IndexSnapshot& snapshot, std::string_view qid,
                  const SearchResult& result, std::string_view tag);
// The same appended to a string: a batch formats each query's run without
// a stream (a stream per query and printf per score were a tenth of a
// batch's time on short queries).
void AppendTrecLine(std::string& out, std::string_view qid, std::string_view docid,
                    std::size_t rank, Score score, std::string_view tag);
void AppendTrecRun(std::string& out, const IndexSnapshot& snapshot, std::string_view qid,
                   const SearchResult& result, std::string_view tag);
// How WriteJsonResult writes a result.
struct JsonResultStyle {
  bool snippets = true;                      // each hit's title and snippet
  bool html_snippets = false;                // snippets HTML-escaped (HighlightStyle::escape_html)
  std::string_view did_you_mean;             // the corrected query, or empty
  const Bm25Params* explain_with = nullptr;  // each hit's explanation, with these parameters
  std::size_t first_rank = 1;                // a later page's first rank
};

// One JSON object per query: qid, query, matches, matches_exact (false: matches
// is a lower bound), milliseconds, did_you_mean (when there is a
// suggestion), and hits with rank, id, score, title and snippet (matches
// between <b> and </b>), near_duplicates (ids folded under the hit), and
// explanation.
void WriteJsonResult(std::ostream& out, Searcher& searcher, std::string_view qid,
                     std::string_view query_text, const SearchResult& result,
                     const std::vector<ResultGroup>& groups, const JsonResultStyle& style);

}  // namespace fathom
