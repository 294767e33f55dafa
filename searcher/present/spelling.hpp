// Spelling suggestions: dictionary terms within a small edit distance of a
// query term, found by walking the sorted dictionary as an implicit trie.
//
// Terms sharing a prefix are adjacent in the sorted dictionary, so the rows
// of the Levenshtein table computed for a prefix serve every term that
// starts with it; when every cell of a prefix's row exceeds the allowed
// distance, no term with that prefix can match, and a binary search jumps
// past all of them (the idea behind Lucene's Levenshtein automata over its
// term dictionary, without building an automaton).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/read/index_reader.hpp"
#include "common/read/index_snapshot.hpp"

namespace fathom {

struct SpellingCandidate {
  std::string term;
  int distance;  // Levenshtein distance in code points
  std::uint64_t document_frequency;
};

// Dictionary terms within max_distance edits (insertions, deletions,
// substitutions of code points) of `term`, itself included when present.
// Closest first, then most frequent, then in byte order; at most `limit`.
// With exact_prefix > 0, the first exact_prefix code points must match
// exactly, which confines the walk to one slice of the dictionary.
std::vector<SpellingCandidate> FuzzyTerms(const IndexReader& reader, std::string_view term,
                                          int max_distance, std::size_t limit,
                                          std::size_t exact_prefix = 0);
// The same over every segment of a snapshot: the segments' candidates
// merged, document frequencies summed, then ordered and cut to limit.
std::vector<SpellingCandidate> FuzzyTerms(const IndexSnapshot& snapshot, std::string_view term,
                                          int max_distance, std::size_t limit,
                                          std::size_t exact_prefix = 0);

// "Did you mean": for a term missing from the dictionary or matching few
// documents, the closest terms that match many more (within 2 edits, scored
// by distance and document frequency). Empty when the term looks fine. As
// Lucene's DirectSpellChecker does by default, the first letter is taken as
// typed: few typos are there, and it makes the walk many times shorter.
std::vector<SpellingCandidate> SuggestCorrections(const IndexSnapshot& snapshot,
                                                  std::string_view term, std::size_t limit = 3);

}  // namespace fathom
