// Explain: why a document scores what it does for a query, clause by clause.
#pragma once

#include <ostream>
#include <vector>

#include "common/bm25.hpp"
#include "common/read/index_snapshot.hpp"
#include "searcher/query/query.hpp"
#include "searcher/query/query_tree.hpp"

namespace fathom {

// One node of the query: a word, a phrase, or a group of them (AND, OR,
// parentheses, an expansion), in the order the query tree lists them.
struct ClauseExplanation {
  // A leaf's terms and role in its group; for a group, no terms, and its
  // source is the group written in the query language, e.g. (+putin -trump).
  QueryClause clause;
  bool is_group = false;
  // A filter on a typed field (its source names it): admits or not, never
  // scores.
  bool is_filter = false;
  // 0 for a clause of the query; a group's parts follow it, one deeper.
  std::uint32_t depth = 0;
  // A leaf: whether it occurs in the document. A group: whether its rule
  // holds (every required part matches, no excluded one does, and without
  // required parts some optional one does).
  bool matched = false;
  // Whether it adds to the score: it matches, is not excluded, and so does
  // every group around it.
  bool counts = false;
  std::uint32_t frequency = 0;           // term frequency, or occurrences of the phrase
  std::uint64_t document_frequency = 0;  // of a term; for a phrase, of its rarest term
  float idf = 0;                         // a phrase's is the sum of its terms'
  float length_norm = 0;                 // k1 · (1 - b + b · length / average length)
  // A word scored by BM25F (clause.title set): its frequency in the title,
  // the title's length and the title's normalization 1 - b + b · length /
  // average title length.
  std::uint32_t title_frequency = 0;
  std::uint32_t title_length = 0;
  float title_norm = 0;
  // What it adds to the score when it counts, 0 otherwise: for a leaf
  // weight · idf · tf (k1 + 1) / (tf + length_norm) (BM25F: with tf the
  // streams' normalized frequencies summed, see Bm25fScorer), for a group
  // the sum of its parts'.
  Score contribution = 0;
};

struct Explanation {
  DocId doc = 0;
  std::uint32_t length = 0;
  double average_length = 0;
  Bm25Params params;
  bool matches = false;  // whether the query matches the document at all
  std::vector<ClauseExplanation> clauses;
  Score score = 0;  // sum of the top-level contributions, as the evaluators compute it
};

// Computes the explanation from the postings directly (not from a result
// list), so any document (a global id of the snapshot) can be explained. It
// walks the tree the evaluators scored (SearchResult::tree) by their rules,
// so the score equals what they return for the document, in the same
// floating-point order, with the collection's statistics.
Explanation Explain(const IndexSnapshot& snapshot, const QueryNode& root, DocId doc,
                    Bm25Params params);

// A readable breakdown, one line per clause, a group's parts indented below it.
void PrintExplanation(std::ostream& out, const Explanation& explanation);

}  // namespace fathom
