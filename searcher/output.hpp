// How fathom-search shows results: text for people, TREC runs and JSON
// lines for tools.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "searcher/searcher.hpp"

namespace fathom {

struct TextStyle {
  bool color = false;  // ANSI escapes (only on a terminal)
  HighlightStyle highlight;
  bool snippets = true;
};

TextStyle TerminalStyle();
TextStyle PlainStyle();

void PrintResults(std::ostream& out, Searcher& searcher, const SearchResult& result,
                  const TextStyle& style);
void PrintDocument(std::ostream& out, Searcher& searcher, DocId doc, const TextStyle& style);

// `qid Q0 docid rank score tag`, one line per hit (trec_eval's input).
void WriteTrecRun(std::ostream& out, const IndexReader& reader, std::string_view qid,
                  const SearchResult& result, std::string_view tag);
// One JSON object per query: qid, query, matches, milliseconds, hits.
void WriteJsonResult(std::ostream& out, Searcher& searcher, std::string_view qid,
                     std::string_view query_text, const SearchResult& result, bool with_snippets);

std::string JsonEscape(std::string_view text);

}  // namespace fathom
