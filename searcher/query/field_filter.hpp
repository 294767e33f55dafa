// A clause on a typed field: `year:2001`, `date:[2025-02-01 TO 2025-02-28]`,
// `price:{10 TO 20]`, `date:>=2025-02`, `folder:docs/*`, `format:pdf`. It
// matches or not and never scores: the documents it admits keep the scores
// of the words and phrases they match (0 when they match none).
//
// Every filter is, within a segment, a range of keys of the field's column
// (common/format/field_columns.hpp): numbers and dates by key, keywords by
// ordinal in the segment's dictionary. So a filter costs one comparison a
// document, whatever its kind.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/analysis/field_values.hpp"
#include "common/format/field_columns.hpp"
#include "common/format/manifest.hpp"

namespace fathom {

struct FieldFilter {
  std::string field;
  FieldType type = FieldType::kKeyword;
  // Numeric types: the keys admitted, both ends inclusive (low > high:
  // none).
  std::int64_t low = std::numeric_limits<std::int64_t>::min();
  std::int64_t high = std::numeric_limits<std::int64_t>::max();
  // Keywords: exactly `value`; or values starting with `value` (prefix);
  // or a range of values in byte order (range), each end inclusive or not,
  // an empty optional end open.
  enum class KeywordMatch { kExact, kPrefix, kRange };
  KeywordMatch keyword_match = KeywordMatch::kExact;
  std::string value;
  bool has_lower = false, has_upper = false;
  std::string lower, upper;
  bool lower_inclusive = true, upper_inclusive = true;
};

// The range of column keys (ordinals for keywords) a filter admits in one
// segment's column, both ends inclusive; empty when low > high.
struct KeyRange {
  std::int64_t low = 0;
  std::int64_t high = -1;
  bool empty() const { return low > high; }
};
KeyRange KeyRangeOf(const FieldFilter& filter, const format::FieldColumn& column);

// The documents of a segment the filter admits, as a set of bits (the
// shape deletions have, so evaluators take either). An absent column (no
// document of the segment has the field) admits none.
DeletedDocs FilterDocs(const FieldFilter& filter, const format::FieldColumns& columns,
                       std::uint64_t document_count);

// The filters at a query's top level, over one segment: the documents
// every required filter admits and no excluded one does. Checked a
// document at a time from the columns, in constant time, so that the
// evaluators check only the documents they would score (no pass over the
// segment, whatever the filters' selectivity).
class SegmentFilter {
 public:
  SegmentFilter(const format::FieldColumns& columns,
                const std::vector<const FieldFilter*>& required,
                const std::vector<const FieldFilter*>& excluded);
  // REQUIRES: doc < the segment's document count.
  bool Admits(DocId doc) const {
    for (const Check& check : required_) {
      if (!check.Holds(doc)) return false;
    }
    for (const Check& check : excluded_) {
      if (check.Holds(doc)) return false;
    }
    return true;
  }
  // A required filter admits nothing in this segment.
  bool admits_nothing() const { return admits_nothing_; }

 private:
  struct Check {
    const format::FieldColumn* column;
    KeyRange range;
    bool Holds(DocId doc) const {
      const std::int64_t key = column->Key(doc);
      return key >= range.low && key <= range.high && column->Has(doc);
    }
  };
  std::vector<Check> required_, excluded_;
  bool admits_nothing_ = false;
};

// Parses the text after `field:` for a field of this type: a value, a
// quoted value, `value*` (keywords), `[a TO b]` / `{a TO b}` (either end
// `*`), or `>=a`, `>a`, `<=a`, `<a`. Throws QuerySyntaxError at column
// (of the value's first byte) naming what is wrong.
FieldFilter ParseFieldFilter(std::string_view field, FieldType type, std::string_view text,
                             std::size_t column);

// The filter as it would be written back: `date:[2025-02-01 TO 2025-02-28]`.
std::string DescribeFilter(const FieldFilter& filter);

}  // namespace fathom
