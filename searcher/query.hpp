// A parsed query: clauses of analyzed terms, each required, optional or
// excluded. Produced by QueryParser, consumed by the evaluators.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fathom {

enum class Occur { kShould, kMust, kMustNot };

struct QueryClause {
  Occur occur = Occur::kShould;
  // Analyzed terms; more than one makes a phrase.
  std::vector<std::string> terms;
  // Position of each term relative to the first (stop words leave gaps).
  std::vector<std::uint32_t> offsets;
  // How many times an optional term was repeated in the query; scales its score.
  float weight = 1.0f;
  std::string source;  // the clause as the user wrote it

  bool is_phrase() const { return terms.size() > 1; }
};

struct Query {
  std::vector<QueryClause> clauses;
  std::vector<std::string> warnings;  // e.g. an unclosed quote

  bool empty() const { return clauses.empty(); }
};

}  // namespace fathom
