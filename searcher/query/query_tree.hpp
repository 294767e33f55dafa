// The full query language, parsed into a tree.
//
//   query    := clause*
//   clause   := ['+' | '-'] or_expr          required / excluded / optional
//   or_expr  := and_expr ('OR' and_expr)*
//   and_expr := unary ('AND' unary)*
//   unary    := 'NOT' unary | primary
//   primary  := '(' query ')' | [field ':'] atom | field ':' '(' query ')'
//   atom     := word | word '*' | word '~' [0-2] | '"' words '"' ['~' slop]
//
// Plain words are optional and ranked by BM25; '+' requires, '-' and NOT
// exclude; AND requires both sides, OR either. `meet*` matches the terms
// that start with "meet" (through the sorted dictionary, capped); `putin~1`
// the terms within one edit; `"putin trump"~5` the words within five
// positions of each other in any order; `title:kremlin` only in titles. A
// document's score is the sum of the BM25 scores of the words and phrases
// it matches, however they are nested. Errors name the column.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/analysis/analyzer.hpp"
#include "common/read/index_snapshot.hpp"
#include "searcher/query/query.hpp"

namespace fathom {

// Most terms a prefix or fuzzy word expands to; the most frequent are kept.
inline constexpr std::size_t kMaxExpansions = 1000;
// Longest phrase slop accepted.
inline constexpr std::uint32_t kMaxSlop = 1000;
// Deepest nesting of parentheses accepted.
inline constexpr std::size_t kMaxQueryDepth = 64;

struct ParsedQuery {
  QueryNode root;                     // a group
  std::vector<std::string> warnings;  // e.g. a capped expansion
};

class QueryTreeParser {
 public:
  // Prefixes and fuzzy words expand through the dictionaries of the
  // snapshot's segments, merged.
  QueryTreeParser(Analyzer& analyzer, const IndexSnapshot& snapshot)
      : analyzer_(analyzer), snapshot_(snapshot) {}

  // Throws QuerySyntaxError (common/error.hpp) naming the column.
  ParsedQuery Parse(std::string_view text);

 private:
  struct Token;
  class Lexer;
  class Grammar;
  Analyzer& analyzer_;
  const IndexSnapshot& snapshot_;
};

// A lone optional group stands for its contents ("(a AND b)" is "a AND b":
// it matches when they do, with their score): the innermost group that is
// not such a wrapper.
const QueryNode& Unwrapped(const QueryNode& group);

// The flat form the fast evaluators take, when the tree has one: clauses
// that are single words or exact phrases, each required, optional or
// excluded (a top-level AND of such clauses qualifies). False otherwise.
bool Flatten(const QueryNode& root, Query& flat);

// A word or phrase node as a clause of the flat evaluators, with the given
// occurrence.
// Whether the tree holds a filter on a typed field anywhere.
bool HasFilter(const QueryNode& node);

QueryClause ClauseOf(const QueryNode& leaf, Occur occur);

// The tree of a flat query: a root group of its clauses, in order. What
// explain walks for a query the flat evaluators answered (Flatten's inverse,
// repeated words kept merged, as they were scored).
QueryNode TreeOf(const Query& flat);

// Parses text as Searcher::Search does and returns its flat form, with the
// parser's warnings, for tools and tests that drive the flat evaluators
// directly. Throws QuerySyntaxError for a malformed query and InputError
// for one only the tree evaluator answers (nesting, proximity).
Query ParseFlatQuery(QueryTreeParser& parser, std::string_view text);

// Every positive word and phrase of the tree as optional clauses: what
// snippets highlight (explain walks the tree itself).
Query Leaves(const QueryNode& root);

}  // namespace fathom
