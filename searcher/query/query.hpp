// A parsed query: nodes of analyzed terms, each required, optional or
// excluded, nested in groups (the tree) or in one list (a flat query, made
// by Flatten in query_tree.hpp and consumed by the pruning evaluators).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/bm25.hpp"
#include "searcher/query/field_filter.hpp"

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

// One node of a query: a word (kTerm), a phrase (kPhrase), a filter on a
// typed field (kFilter), or a group of nodes (kGroup). The parser makes a tree of them
// (query_tree.hpp); a flat query (Query, what the pruning evaluators take) is a list of leaves.
struct QueryNode {
  enum class Kind { kTerm, kPhrase, kGroup, kFilter };
  Kind kind = Kind::kGroup;
  Occur occur = Occur::kShould;  // within the parent group
  // kTerm, kPhrase: analyzed terms (field terms when restricted to a field)
  // and the position of each relative to the first (stop words leave gaps).
  std::vector<std::string> terms;
  std::vector<std::uint32_t> offsets;
  // A phrase's words may stand this many positions away from where the exact
  // phrase puts them, in any order (Lucene's slop); 0 is the exact phrase.
  std::uint32_t slop = 0;
  // How many times an optional word was repeated in the query; scales its score.
  float weight = 1.0f;
  // A word only: scored by BM25F over the whole document and its title
  // (common/bm25.hpp, Bm25fScorer), the title stream weighted so; unset: BM25.
  std::optional<FieldWeighting> title;
  // kGroup: matches when every required child matches, no excluded child
  // does, and (without required children) some optional child does.
  std::vector<QueryNode> children;
  std::string source;  // as the user wrote it
  // kFilter: a clause on a typed field (field_filter.hpp), which admits
  // documents and never scores.
  std::optional<FieldFilter> filter;

  // Scored as a phrase: more than one term (a quoted single word is a word).
  bool is_phrase() const { return terms.size() > 1; }
  // A word or phrase leaf of the kind its terms make it.
  static QueryNode Leaf(Occur occur, std::vector<std::string> terms,
                        std::vector<std::uint32_t> offsets = {}) {
    QueryNode leaf;
    leaf.occur = occur;
    leaf.terms = std::move(terms);
    leaf.offsets = std::move(offsets);
    leaf.kind = leaf.is_phrase() ? Kind::kPhrase : Kind::kTerm;
    return leaf;
  }
};

// A clause of a flat query is a leaf node: kind kTerm or kPhrase as
// is_phrase() says, no children.
using QueryClause = QueryNode;

struct Query {
  std::vector<QueryClause> clauses;
  std::vector<std::string> warnings;  // e.g. an unclosed quote

  bool empty() const { return clauses.empty(); }
};

}  // namespace fathom
