#include "searcher/eval/field_collector.hpp"

#include <algorithm>
#include <cstdio>

#include "common/contract.hpp"
#include "common/error.hpp"
#include "common/json_text.hpp"

namespace fathom {

namespace {

std::string KnownFields(const FieldTypes& fields) {
  std::string known;
  for (const auto& [name, type] : fields) {
    known += (known.empty() ? "" : ", ") + name + " (" + std::string(FieldTypeName(type)) + ")";
  }
  return known.empty() ? "none: the index has no typed fields" : known;
}

// The field's type, for sorting and facets, which need its values in order.
FieldType SortableTypeOrThrow(std::string_view field, const FieldTypes& fields,
                              const FieldUsesByName& uses, std::string_view what) {
  const auto it = fields.find(field);
  if (it == fields.end()) {
    throw InputError(std::string(what) + ": unknown field '" + std::string(field) +
                     "'; the typed fields of this index are: " + KnownFields(fields));
  }
  if ((UsesOf(uses, field) & kSortable) == 0) {
    throw InputError(std::string(what) + ": field '" + std::string(field) +
                     "' is not sortable (the index's schema says \"sortable\": false)");
  }
  return it->second;
}

// The start of the date bucket holding key.
std::int64_t PeriodStart(FacetBuckets buckets, std::int64_t key) {
  int year, month;
  YearMonthOf(key, &year, &month);
  switch (buckets) {
    case FacetBuckets::kYear:
      return MonthStart(year, 1);
    case FacetBuckets::kMonth:
      return MonthStart(year, month);
    case FacetBuckets::kDay: {
      std::int64_t day = key / 86400;
      if (key % 86400 < 0) --day;
      return day * 86400;
    }
    default:
      return key;
  }
}

std::string PeriodLabel(FacetBuckets buckets, std::int64_t start) {
  const std::string date = FormatDate(start);
  switch (buckets) {
    case FacetBuckets::kYear:
      return date.substr(0, 4);
    case FacetBuckets::kMonth:
      return date.substr(0, 7);
    default:
      return date.substr(0, 10);
  }
}

}  // namespace

std::vector<SortKey> ParseSortKeys(std::string_view text, const FieldTypes& fields,
                                   const FieldUsesByName& uses) {
  std::vector<SortKey> keys;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string_view part = text.substr(start, comma - start);
    start = comma + 1;
    if (part.empty()) continue;
    SortKey key;
    const std::size_t colon = part.find(':');
    key.field = std::string(part.substr(0, colon));
    if (key.is_score()) {
      key.descending = true;
    } else {
      SortableTypeOrThrow(key.field, fields, uses, "--sort");
    }
    if (colon != std::string_view::npos) {
      const std::string_view direction = part.substr(colon + 1);
      if (direction == "asc") {
        key.descending = false;
      } else if (direction == "desc") {
        key.descending = true;
      } else {
        throw InputError("--sort: '" + std::string(direction) +
                         "' is not a direction (asc or desc)");
      }
    }
    keys.push_back(std::move(key));
  }
  if (keys.empty())
    throw InputError("--sort needs a field (FIELD[:asc|desc], several with commas)");
  return keys;
}

FacetRequest ParseFacet(std::string_view text, const FieldTypes& fields,
                        const FieldUsesByName& uses) {
  FacetRequest request;
  const std::size_t colon = text.find(':');
  request.field = std::string(text.substr(0, colon));
  const FieldType type = SortableTypeOrThrow(request.field, fields, uses, "--facet");
  request.buckets = type == FieldType::kDate ? FacetBuckets::kMonth : FacetBuckets::kValue;
  std::string_view rest = colon == std::string_view::npos ? "" : text.substr(colon + 1);
  while (!rest.empty()) {
    const std::size_t next = rest.find(':');
    const std::string_view part = rest.substr(0, next);
    rest = next == std::string_view::npos ? "" : rest.substr(next + 1);
    if (const auto number = ParseInteger(part)) {
      if (*number < 1 || *number > 10000) {
        throw InputError("--facet " + std::string(text) + ": show 1 to 10000 buckets");
      }
      request.top = static_cast<std::size_t>(*number);
      continue;
    }
    const bool date = type == FieldType::kDate;
    const bool number = type == FieldType::kInteger || type == FieldType::kFloat;
    if (part == "value") {
      request.buckets = FacetBuckets::kValue;
    } else if (date && (part == "year" || part == "month" || part == "day")) {
      request.buckets = part == "year"    ? FacetBuckets::kYear
                        : part == "month" ? FacetBuckets::kMonth
                                          : FacetBuckets::kDay;
    } else if (number && part == "range") {
      request.buckets = FacetBuckets::kRange;
    } else {
      throw InputError("--facet " + std::string(text) + ": '" + std::string(part) +
                       "' is not a bucketing of a " + std::string(FieldTypeName(type)) +
                       " field (" +
                       (date     ? "year, month, day or value"
                        : number ? "value or range"
                                 : "value") +
                       "; or a number of buckets)");
    }
  }
  return request;
}

FieldCollector::FieldCollector(const IndexSnapshot& snapshot, std::vector<SortKey> sort,
                               std::vector<FacetRequest> facets, std::size_t k)
    : snapshot_(snapshot),
      sort_(std::move(sort)),
      facet_requests_(std::move(facets)),
      k_(sort_.empty() ? 0 : k) {
  values_.resize(k_ * sort_.size());
  candidate_.resize(sort_.size());
  for (const SnapshotSegment& segment : snapshot_.segments())
    segment_bases_.push_back(segment.base);
  const auto columns_of = [&](const std::string& field) {
    std::vector<const format::FieldColumn*> columns;
    for (const SnapshotSegment& segment : snapshot_.segments()) {
      columns.push_back(segment.reader->columns().Find(field));
    }
    return columns;
  };
  for (const SortKey& key : sort_) {
    sort_types_.push_back(key.is_score() ? FieldType::kFloat
                                         : snapshot_.field_types().at(key.field));
    sort_columns_.push_back(key.is_score() ? std::vector<const format::FieldColumn*>(
                                                 snapshot_.segments().size(), nullptr)
                                           : columns_of(key.field));
  }
  for (const FacetRequest& request : facet_requests_) {
    facet_columns_.push_back(columns_of(request.field));
  }
  numeric_counts_.resize(facet_requests_.size());
  ordinal_counts_.assign(facet_requests_.size(),
                         std::vector<std::vector<std::uint64_t>>(snapshot_.segments().size()));
  missing_.resize(facet_requests_.size(), 0);
  can_skip_ = k_ > 0 && facet_requests_.empty() && !sort_[0].is_score() &&
              sort_types_[0] != FieldType::kKeyword;
  for (const SnapshotSegment& segment : snapshot_.segments()) {
    visited_.emplace_back(format::KeyBoundsBlockCount(segment.reader->document_count()), false);
  }
}

std::size_t FieldCollector::SegmentOf(DocId doc) const {
  return static_cast<std::size_t>(
      std::upper_bound(segment_bases_.begin(), segment_bases_.end(), doc) - segment_bases_.begin() -
      1);
}

void FieldCollector::Add(DocId doc, Score score) {
  ++matches_;
  if (k_ == 0 && facet_requests_.empty()) return;
  const std::size_t segment = SegmentOf(doc);
  const DocId local = doc - segment_bases_[segment];
  if (k_ > 0) {
    for (std::size_t i = 0; i < sort_.size(); ++i) {
      SortValue& value = candidate_[i];
      const format::FieldColumn* column = sort_columns_[i][segment];
      value.has = sort_[i].is_score() || (column != nullptr && column->Has(local));
      if (sort_[i].is_score() || !value.has) continue;
      value.key = column->Key(local);
      if (column->type() == FieldType::kKeyword) {
        value.keyword = column->KeywordAt(static_cast<std::uint32_t>(value.key));
      }
    }
    Match match{doc, score, heap_.size()};
    const auto worse = [&](const Match& a, const Match& b) { return Before(a, b); };
    if (heap_.size() < k_) {
      std::copy(candidate_.begin(), candidate_.end(),
                values_.begin() + static_cast<std::ptrdiff_t>(match.slot * sort_.size()));
      heap_.push_back(match);
      std::push_heap(heap_.begin(), heap_.end(), worse);
    } else if (Before(candidate_.data(), match, ValuesOf(heap_.front()), heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), worse);
      match.slot = heap_.back().slot;
      std::copy(candidate_.begin(), candidate_.end(),
                values_.begin() + static_cast<std::ptrdiff_t>(match.slot * sort_.size()));
      heap_.back() = match;
      std::push_heap(heap_.begin(), heap_.end(), worse);
    }
  }
  for (std::size_t f = 0; f < facet_requests_.size(); ++f) {
    const format::FieldColumn* column = facet_columns_[f][segment];
    if (column == nullptr || !column->Has(local)) {
      ++missing_[f];
      continue;
    }
    const std::int64_t key = column->Key(local);
    if (column->type() == FieldType::kKeyword) {
      // By ordinal, merged by value across segments at the end.
      std::vector<std::uint64_t>& counts = ordinal_counts_[f][segment];
      if (counts.empty()) counts.resize(column->dictionary_size(), 0);
      ++counts[static_cast<std::size_t>(key)];
    } else {
      ++numeric_counts_[f][PeriodStart(facet_requests_[f].buckets, key)];
    }
  }
}

bool FieldCollector::BlockMayEnter(std::size_t segment, std::size_t block) const {
  FATHOM_REQUIRE(can_skip_, "top-k by a numeric field, without facets");
  if (heap_.size() < k_) return true;
  // The k-th match: a document enters only before it. One without a value
  // of the first key sorts after every one with a value.
  const SortValue& worst = ValuesOf(heap_.front())[0];
  if (!worst.has) return true;
  const format::FieldColumn* column = sort_columns_[0][segment];
  if (column == nullptr) return false;  // no document of the segment has a value
  const format::BlockKeyBounds& bounds =
      snapshot_.segments()[segment].reader->columns().BlockBounds(*column)[block];
  // Strictly below (or above) the k-th key: a tie may still enter on the
  // later keys.
  return bounds.any_present &&
         (sort_[0].descending ? bounds.max >= worst.key : bounds.min <= worst.key);
}

DocId FieldCollector::FirstThatMayEnter(DocId doc, bool pass_over_losers) {
  const std::size_t segment = SegmentOf(doc);
  const DocId base = segment_bases_[segment];
  const std::vector<bool>& visited = visited_[segment];
  const std::size_t blocks = visited.size();
  std::size_t block = (doc - base) >> format::kKeyBoundsBlockLog2;
  const std::size_t first = block;
  while (block < blocks &&
         (visited[block] || (pass_over_losers && !BlockMayEnter(segment, block)))) {
    skipped_ = skipped_ || !visited[block];
    ++block;
  }
  if (block == first) return doc;
  return block == blocks
             ? base + static_cast<DocId>(snapshot_.segments()[segment].reader->document_count())
             : base + format::KeyBoundsBlockStart(block);
}

std::vector<std::size_t> FieldCollector::BlocksToVisitFirst(std::size_t segment,
                                                            std::size_t most) const {
  FATHOM_REQUIRE(can_skip_, "top-k by a numeric field, without facets");
  const format::FieldColumn* column = sort_columns_[0][segment];
  if (column == nullptr) return {};
  const std::vector<format::BlockKeyBounds>& blocks =
      snapshot_.segments()[segment].reader->columns().BlockBounds(*column);
  const bool descending = sort_[0].descending;
  const auto better = [&](const format::BlockKeyBounds& a, const format::BlockKeyBounds& b) {
    if (a.any_present != b.any_present) return a.any_present;
    return descending ? a.max > b.max : a.min < b.min;
  };
  std::vector<std::size_t> order(blocks.size());
  for (std::size_t b = 0; b < order.size(); ++b) order[b] = b;
  const std::size_t chosen = std::min(most, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(chosen), order.end(),
                    [&](std::size_t a, std::size_t b) {
                      if (better(blocks[a], blocks[b])) return true;
                      return !better(blocks[b], blocks[a]) && a < b;
                    });
  order.resize(chosen);
  // Blocks with no value come last in any order: not worth visiting early.
  while (!order.empty() && !blocks[order.back()].any_present) order.pop_back();
  // The first blocks already the best: the scan in document order starts there.
  bool in_order = true;
  for (std::size_t i = 0; i < order.size() && in_order; ++i) in_order = order[i] == i;
  if (in_order) order.clear();
  return order;
}

void FieldCollector::MarkVisited(std::size_t segment, std::size_t block) {
  visited_[segment][block] = true;
}

bool FieldCollector::Before(const SortValue* a_values, const Match& a, const SortValue* b_values,
                            const Match& b) const {
  for (std::size_t k = 0; k < sort_.size(); ++k) {
    const SortKey& key = sort_[k];
    if (key.is_score()) {
      if (a.score != b.score) return key.descending ? a.score > b.score : a.score < b.score;
      continue;
    }
    const SortValue& x = a_values[k];
    const SortValue& y = b_values[k];
    if (x.has != y.has) return x.has;  // a value first, in either direction
    if (!x.has) continue;
    const int order = sort_types_[k] == FieldType::kKeyword ? x.keyword.compare(y.keyword)
                      : x.key < y.key                       ? -1
                      : x.key > y.key                       ? 1
                                                            : 0;
    if (order != 0) return key.descending ? order > 0 : order < 0;
  }
  if (a.score != b.score) return a.score > b.score;
  return a.doc < b.doc;
}

std::vector<Hit> FieldCollector::TopHits() {
  std::vector<Match> sorted = heap_;
  std::sort(sorted.begin(), sorted.end(),
            [&](const Match& a, const Match& b) { return Before(a, b); });
  std::vector<Hit> hits;
  for (const Match& match : sorted) hits.push_back({match.doc, match.score});
  return hits;
}

std::vector<FacetResult> FieldCollector::Facets() const {
  std::vector<FacetResult> results;
  const FieldTypes& types = snapshot_.field_types();
  for (std::size_t f = 0; f < facet_requests_.size(); ++f) {
    const FacetRequest& request = facet_requests_[f];
    const FieldType type = types.at(request.field);
    FacetResult result;
    result.field = request.field;
    result.missing = missing_[f];
    std::vector<FacetBucket> buckets;
    bool in_key_order = false;
    if (type == FieldType::kKeyword) {
      std::map<std::string_view, std::uint64_t> keyword_counts;
      for (std::size_t segment = 0; segment < ordinal_counts_[f].size(); ++segment) {
        const std::vector<std::uint64_t>& counts = ordinal_counts_[f][segment];
        for (std::size_t ordinal = 0; ordinal < counts.size(); ++ordinal) {
          if (counts[ordinal] == 0) continue;
          keyword_counts[facet_columns_[f][segment]->KeywordAt(
              static_cast<std::uint32_t>(ordinal))] += counts[ordinal];
        }
      }
      for (const auto& [value, count] : keyword_counts) {
        buckets.push_back({std::string(value), "\"" + JsonEscape(value) + "\"", count});
      }
    } else if (request.buckets == FacetBuckets::kRange && !numeric_counts_[f].empty()) {
      // Ten equal ranges from the smallest value matched to the largest.
      const auto value_of = [&](std::int64_t key) {
        return type == FieldType::kFloat ? FloatOfKey(key) : static_cast<double>(key);
      };
      const double low = value_of(numeric_counts_[f].begin()->first);
      const double high = value_of(numeric_counts_[f].rbegin()->first);
      constexpr int kRanges = 10;
      const double width = high > low ? (high - low) / kRanges : 1;
      std::vector<std::uint64_t> counts(kRanges, 0);
      for (const auto& [key, count] : numeric_counts_[f]) {
        const int at = std::min(kRanges - 1, static_cast<int>((value_of(key) - low) / width));
        counts[static_cast<std::size_t>(at)] += count;
      }
      for (int r = 0; r < kRanges; ++r) {
        if (counts[static_cast<std::size_t>(r)] == 0) continue;
        char from[64], to[64];
        std::snprintf(from, sizeof from, "%.10g", low + r * width);
        std::snprintf(to, sizeof to, "%.10g", r + 1 == kRanges ? high : low + (r + 1) * width);
        const std::string label =
            std::string("[") + from + " TO " + to + (r + 1 == kRanges ? "]" : ")");
        buckets.push_back({label, "{\"from\":" + std::string(from) + ",\"to\":" + to + "}",
                           counts[static_cast<std::size_t>(r)]});
      }
      in_key_order = true;
    } else {
      for (const auto& [key, count] : numeric_counts_[f]) {
        std::string label = type == FieldType::kDate && request.buckets != FacetBuckets::kValue
                                ? PeriodLabel(request.buckets, key)
                                : FormatKey(type, key);
        std::string json = type == FieldType::kDate || type == FieldType::kKeyword
                               ? "\"" + JsonEscape(label) + "\""
                               : label;
        buckets.push_back({std::move(label), std::move(json), count});
      }
      in_key_order = type == FieldType::kDate;
    }
    // The top buckets by count (ties: the first in value order); periods
    // and ranges are then shown in their order.
    std::vector<std::size_t> order(buckets.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return buckets[a].count > buckets[b].count;
    });
    if (order.size() > request.top) {
      for (std::size_t i = request.top; i < order.size(); ++i)
        result.other += buckets[order[i]].count;
      order.resize(request.top);
    }
    if (in_key_order) std::sort(order.begin(), order.end());
    for (const std::size_t i : order) result.buckets.push_back(buckets[i]);
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace fathom
