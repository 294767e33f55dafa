// Snippets: the short window of a document that best shows why it matched,
// with the matching words highlighted.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>

#include "common/analyzer.hpp"

namespace fathom {

struct HighlightStyle {
  std::string begin;  // e.g. "\033[1m" on a terminal, "**" otherwise
  std::string end;
};

struct SnippetOptions {
  std::size_t window_words = 30;
  // Only this much of a long document is searched for the best window.
  std::size_t max_scanned_bytes = 1 << 20;
};

// The window of `window_words` indexed words holding the most distinct query
// terms (then the most matches, then the earliest), as one line: runs of
// white space become one space, "…" marks cut ends. Words whose analyzed
// term is in `terms` are wrapped in the style's markers, so "meetings" is
// highlighted for the query "meeting". Never splits a UTF-8 character.
std::string MakeSnippet(std::string_view text, const std::unordered_set<std::string>& terms,
                        Analyzer& analyzer, const HighlightStyle& style,
                        const SnippetOptions& options = {});

// The text cleaned for display on one line (white space collapsed, control
// characters dropped), cut at max_bytes on a character boundary.
std::string OneLine(std::string_view text, std::size_t max_bytes);

}  // namespace fathom
