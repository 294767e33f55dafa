#include "searcher/natural_query.hpp"

namespace fathom {

std::string NaturalLanguageQuery(Analyzer& analyzer, std::string_view text) {
  std::string query;
  analyzer.Reset(text);
  Token token;
  while (analyzer.Next(token)) {
    // The word as written, not its term: the parser analyzes it again, and
    // a word on its own analyzes to the same single term (a word never holds
    // a separator, and its connectors need letters on both sides inside it).
    if (!query.empty()) query.push_back(' ');
    query.append(text.substr(token.begin, token.end - token.begin));
  }
  return query;
}

}  // namespace fathom
