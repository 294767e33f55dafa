#include "searcher/query_parser.hpp"

#include <algorithm>

#include "common/utf8.hpp"

namespace fathom {

void QueryParser::AddClause(Query& query, Occur occur, std::string_view text) {
  QueryClause clause;
  clause.occur = occur;
  clause.source = std::string(text);
  analyzer_.Reset(text);
  Token token;
  std::uint32_t first = 0;
  while (analyzer_.Next(token)) {
    if (clause.terms.empty()) first = token.position;
    clause.terms.push_back(token.term);
    clause.offsets.push_back(token.position - first);
  }
  if (clause.terms.empty()) return;
  if (occur == Occur::kShould && !clause.is_phrase()) {
    for (auto& existing : query.clauses) {
      if (existing.occur == Occur::kShould && existing.terms == clause.terms) {
        existing.weight += 1.0f;
        return;
      }
    }
  }
  query.clauses.push_back(std::move(clause));
}

Query QueryParser::Parse(std::string_view text) {
  Query query;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (IsQuerySpace(text[pos])) {
      ++pos;
      continue;
    }
    Occur occur = Occur::kShould;
    if ((text[pos] == '+' || text[pos] == '-') && pos + 1 < text.size() &&
        !IsQuerySpace(text[pos + 1])) {
      occur = text[pos] == '+' ? Occur::kMust : Occur::kMustNot;
      ++pos;
    }
    if (const std::size_t quote = QuoteLength(text, pos); quote > 0) {
      const std::size_t start = pos + quote;
      std::size_t end = start;
      while (end < text.size() && QuoteLength(text, end) == 0) ++end;
      if (end >= text.size()) {
        query.warnings.push_back("unclosed quote: the phrase runs to the end of the query");
        AddClause(query, occur, text.substr(start));
        pos = text.size();
      } else {
        AddClause(query, occur, text.substr(start, end - start));
        pos = end + QuoteLength(text, end);
      }
      continue;
    }
    std::size_t end = pos;
    while (end < text.size() && !IsQuerySpace(text[end])) ++end;
    AddClause(query, occur, text.substr(pos, end - pos));
    pos = end;
  }
  return query;
}

}  // namespace fathom
