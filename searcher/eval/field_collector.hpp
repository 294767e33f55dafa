// Sorting matches by typed fields and counting facets: what a query with
// `--sort` or `--facet` computes over every document it matches (read from
// the segments' columns, common/format/field_columns.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/analysis/field_values.hpp"
#include "common/read/index_snapshot.hpp"
#include "searcher/eval/topk.hpp"

namespace fathom {

// One sort key: a typed field, or the score (field "score").
struct SortKey {
  std::string field;
  bool descending = false;
  bool is_score() const { return field == "score"; }
};
// "date", "date:desc", "price:asc", "score"; several separated by commas.
// A field's default direction is ascending, the score's descending. Throws
// InputError naming an unknown field (and listing the known ones), one
// that is not sortable (uses: the index's field_uses()) or a bad direction.
std::vector<SortKey> ParseSortKeys(std::string_view text, const FieldTypes& fields,
                                   const FieldUsesByName& uses = {});

// How a facet groups values.
enum class FacetBuckets { kValue, kYear, kMonth, kDay, kRange };
struct FacetRequest {
  std::string field;
  FacetBuckets buckets = FacetBuckets::kValue;
  std::size_t top = 10;
};
// "FIELD[:BUCKETS][:N]": BUCKETS is value, year, month, day (dates) or
// range (numbers: ten equal ranges over the matches' values); N the
// number of buckets shown. Dates default to month, others to value.
// Throws InputError for an unknown field, one that is not sortable, or a
// bucket its type cannot take.
FacetRequest ParseFacet(std::string_view text, const FieldTypes& fields,
                        const FieldUsesByName& uses = {});

struct FacetBucket {
  std::string label;  // as shown: "2025-02", "pdf", "[10 TO 20)"
  std::string json;   // the value as JSON: "\"2025-02\"", "42", "true"
  std::uint64_t count = 0;
};
struct FacetResult {
  std::string field;
  std::vector<FacetBucket> buckets;  // the top ones (values: most frequent first; periods and
                                     // ranges: in their order)
  std::uint64_t other = 0;           // matches in buckets not shown
  std::uint64_t missing = 0;         // matches without a value
};

// Gathers matches (global ids, in increasing order) for sorting and
// facets. Not thread-safe: one per query.
class FieldCollector {
 public:
  // Keeps the first k matches by the sort keys (none without keys).
  FieldCollector(const IndexSnapshot& snapshot, std::vector<SortKey> sort,
                 std::vector<FacetRequest> facets, std::size_t k);
  void Add(DocId doc, Score score);
  std::uint64_t matches() const { return matches_; }
  // The first k matches by the sort keys (then by score, best first, then by
  // id); a document without a value of a key's field sorts after those with
  // one, in either direction.
  std::vector<Hit> TopHits();
  std::vector<FacetResult> Facets() const;

  // Whether top-k by the first sort key may pass over documents: it is a
  // numeric field (integer, float, date, boolean), with k > 0 and no facets
  // (which need every match).
  bool can_skip() const { return can_skip_; }
  // The first document from doc (a global id) on still to visit: past the
  // blocks visited already (MarkVisited) and, with pass_over_losers, those
  // whose first key cannot beat the k-th match's, nor tie it (none until
  // the top k is full). REQUIRES: can_skip().
  DocId FirstThatMayEnter(DocId doc, bool pass_over_losers);
  // Whether FirstThatMayEnter passed over any document: matches() then
  // counts only the documents visited.
  bool skipped() const { return skipped_; }
  // Blocks (of FieldColumns::BlockBounds) to visit first: the `most` of the
  // segment's with the best first-key bounds, best first (where values grow
  // with the document order, as dates of documents added over time do, the
  // last blocks for a descending sort); none when those are the first
  // blocks anyway. REQUIRES: can_skip().
  std::vector<std::size_t> BlocksToVisitFirst(std::size_t segment, std::size_t most) const;
  // Whether a document of the block may still enter (see FirstThatMayEnter).
  bool BlockMayEnter(std::size_t segment, std::size_t block) const;
  // The block was visited whole: FirstThatMayEnter passes over it.
  void MarkVisited(std::size_t segment, std::size_t block);

 private:
  // A document's value of one sort key, read once when it is added.
  struct SortValue {
    bool has = false;
    std::int64_t key = 0;      // numeric keys and the score's bits
    std::string_view keyword;  // keywords (in a mapped column)
  };
  struct Match {
    DocId doc;
    Score score;
    std::size_t slot;  // its values: values_[slot * sort_.size() ...]
  };
  bool Before(const SortValue* a_values, const Match& a, const SortValue* b_values,
              const Match& b) const;
  bool Before(const Match& a, const Match& b) const {
    return Before(ValuesOf(a), a, ValuesOf(b), b);
  }
  const SortValue* ValuesOf(const Match& m) const { return &values_[m.slot * sort_.size()]; }
  std::size_t SegmentOf(DocId doc) const;

  const IndexSnapshot& snapshot_;
  std::vector<SortKey> sort_;
  std::vector<FacetRequest> facet_requests_;
  // Per sort key, then per facet: the field's column in each segment.
  std::vector<std::vector<const format::FieldColumn*>> sort_columns_, facet_columns_;
  std::vector<FieldType> sort_types_;
  // The best k so far, the worst on top of the heap.
  std::size_t k_ = 0;
  std::vector<Match> heap_;
  std::vector<SortValue> values_, candidate_;
  std::vector<DocId> segment_bases_;
  // Facets: per request, counts by key (numeric, bucketed), or per segment
  // by ordinal (keywords).
  std::vector<std::map<std::int64_t, std::uint64_t>> numeric_counts_;
  std::vector<std::vector<std::vector<std::uint64_t>>> ordinal_counts_;
  std::vector<std::uint64_t> missing_;
  std::uint64_t matches_ = 0;
  bool can_skip_ = false;
  bool skipped_ = false;
  std::vector<std::vector<bool>> visited_;  // per segment, per block
};

}  // namespace fathom
