// A parsed query: clauses of analyzed terms, each required, optional or
// excluded. Made by Flatten (query_tree.hpp) from the parsed query, consumed by the
// evaluators.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fathom {

enum class Occur { kShould, kMust, kMustNot };

// Lexing shared by the query parsers: white space separates items, and a
// quote is '"' or a curly quote (“ ”), as pasted from documents.
inline bool IsQuerySpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
// Length of the quote character at text[pos], or 0.
inline std::size_t QuoteLength(std::string_view text, std::size_t pos) {
  if (text[pos] == '"') return 1;
  if (text.substr(pos, 3) == "\u201C" || text.substr(pos, 3) == "\u201D") return 3;
  return 0;
}

// Most words and phrases one query may hold, as Lucene's maxClauseCount:
// each costs a posting list walk, and a query of ten thousand words takes
// minutes on a large index without finding anything a thousand would not.
inline constexpr std::size_t kMaxQueryTerms = 1024;

struct QueryClause {
  Occur occur = Occur::kShould;
  // Analyzed terms; more than one makes a phrase.
  std::vector<std::string> terms;
  // Position of each term relative to the first (stop words leave gaps).
  std::vector<std::uint32_t> offsets;
  // How many times an optional term was repeated in the query; scales its score.
  float weight = 1.0f;
  std::string source;  // the clause as the user wrote it
  // A phrase's words may stand this many positions away from where the exact
  // phrase puts them, in any order (Lucene's slop); 0 is the exact phrase.
  std::uint32_t slop = 0;

  bool is_phrase() const { return terms.size() > 1; }
};

struct Query {
  std::vector<QueryClause> clauses;
  std::vector<std::string> warnings;  // e.g. an unclosed quote

  bool empty() const { return clauses.empty(); }
};

}  // namespace fathom
