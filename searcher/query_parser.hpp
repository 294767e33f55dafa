// Query text -> Query.
//
// Grammar (whitespace separates items):
//   query  := item*
//   item   := ['+' | '-'] (word | '"' words '"')
// A plain word is optional and ranked by BM25; '+' makes an item required,
// '-' excludes documents that match it. Quotes (straight or curly) make a
// phrase. Every word goes through the index's own Analyzer, so a word that
// analyzes to several terms ("Trump-Putin") becomes a phrase, and one that
// analyzes to none (a stop word, punctuation) disappears.
#pragma once

#include <string_view>

#include "common/analyzer.hpp"
#include "searcher/query.hpp"

namespace fathom {

class QueryParser {
 public:
  explicit QueryParser(Analyzer& analyzer) : analyzer_(analyzer) {}
  Query Parse(std::string_view text);

 private:
  void AddClause(Query& query, Occur occur, std::string_view text);
  Analyzer& analyzer_;
};

}  // namespace fathom
