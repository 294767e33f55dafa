// A parsed query: clauses of analyzed terms, each required, optional or
// excluded. Produced by QueryParser, consumed by the evaluators.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fathom {

enum class Occur { kShould, kMust, kMustNot };

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

  bool is_phrase() const { return terms.size() > 1; }
};

struct Query {
  std::vector<QueryClause> clauses;
  std::vector<std::string> warnings;  // e.g. an unclosed quote

  bool empty() const { return clauses.empty(); }
};

}  // namespace fathom
