// Snippets: the parts of a document that best show why it matched, with the
// matching words highlighted.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/analysis/analyzer.hpp"
#include "searcher/query/query.hpp"

namespace fathom {

struct HighlightStyle {
  std::string begin;  // e.g. "\033[1m" on a terminal, "**" otherwise
  std::string end;
  // The document's text HTML-escaped, so that the highlight markers are the
  // only markup: a document's own "<b>" can then never pass for one.
  bool escape_html = false;
};

// What a snippet looks for: the analyzed terms of the query's positive
// clauses, and its phrases (terms at relative offsets).
struct SnippetQuery {
  std::unordered_set<std::string> terms;
  std::vector<QueryClause> phrases;
};
SnippetQuery MakeSnippetQuery(const Query& query);

struct SnippetOptions {
  std::size_t max_words = 36;  // over all fragments
  std::size_t max_fragments = 3;
  std::size_t max_scanned_bytes = 1 << 20;  // of a long document, only this is searched
};

// Picks up to max_fragments windows of the text, greedily: each next window
// is the one adding the most query terms not yet shown (a phrase occurrence
// counts as one unit, worth more than a word, and is never cut), ties going
// to more matches, then to the earlier window. A single window is used when
// it already shows everything. Fragments appear in text order, joined by
// "…"; white space runs become one space; words whose analyzed term is a
// query term are highlighted, so "meetings" is highlighted for "meeting".
// Never splits a UTF-8 character.
std::string MakeSnippet(std::string_view text, const SnippetQuery& query, Analyzer& analyzer,
                        const HighlightStyle& style, const SnippetOptions& options = {});

// Compatibility form: plain terms, no phrases.
std::string MakeSnippet(std::string_view text, const std::unordered_set<std::string>& terms,
                        Analyzer& analyzer, const HighlightStyle& style,
                        const SnippetOptions& options = {});

// The text cleaned for display on one line (white space collapsed, control
// characters dropped), cut at max_bytes on a character boundary.
std::string OneLine(std::string_view text, std::size_t max_bytes);

}  // namespace fathom
