#include "searcher/query/field_filter.hpp"

#include <algorithm>
#include <optional>

#include "common/error.hpp"

namespace fathom {

namespace {

constexpr std::int64_t kMinKey = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMaxKey = std::numeric_limits<std::int64_t>::max();

std::string_view Unquoted(std::string_view text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    return text.substr(1, text.size() - 2);
  }
  return text;
}

std::string_view Trimmed(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// One end of a numeric range, as keys: the first key admitted (lower) or
// the last (upper). False when none can be (an exclusive end at the
// extreme).
bool NumericBound(const FieldFilter& filter, std::string_view text, bool lower, bool inclusive,
                  std::size_t column, std::int64_t* key) {
  const auto bad = [&] {
    return QuerySyntaxError(column, "'" + std::string(text) + "' is not " +
                                        (filter.type == FieldType::kInteger ? "an " : "a ") +
                                        std::string(FieldTypeName(filter.type)) + " (field '" +
                                        filter.field + "')");
  };
  if (filter.type == FieldType::kDate) {
    // A partial date is a period: `>=2025-02` from its first second,
    // `<=2025-02` through its last.
    const auto start = ParseDate(text, true);
    const auto end = ParseDateEnd(text);
    if (!start || !end) throw bad();
    *key = lower ? (inclusive ? *start : *end) : (inclusive ? *end - 1 : *start - 1);
    return true;
  }
  const auto parsed = ParseKey(filter.type, text);
  if (!parsed) throw bad();
  if (inclusive) {
    *key = *parsed;
    return true;
  }
  // The next key up (lower) or down (upper): for floats, the adjacent double.
  if (lower ? *parsed == kMaxKey : *parsed == kMinKey) return false;
  *key = lower ? *parsed + 1 : *parsed - 1;
  return true;
}

// The first ordinal whose value does not start with prefix, from `from`.
std::uint32_t PrefixEnd(const format::FieldColumn& column, std::uint32_t from,
                        std::string_view prefix) {
  std::uint32_t low = from, high = column.dictionary_size();
  while (low < high) {
    const std::uint32_t mid = low + (high - low) / 2;
    if (column.KeywordAt(mid).starts_with(prefix)) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return low;
}

std::uint32_t UpperBound(const format::FieldColumn& column, std::string_view text) {
  const std::uint32_t at = column.LowerBound(text);
  return at < column.dictionary_size() && column.KeywordAt(at) == text ? at + 1 : at;
}

}  // namespace

KeyRange KeyRangeOf(const FieldFilter& filter, const format::FieldColumn& column) {
  KeyRange range;
  if (column.present_count() == 0) return range;
  if (column.type() != FieldType::kKeyword) {
    range.low = std::max(filter.low, column.min_key());
    range.high = std::min(filter.high, column.max_key());
    return range;
  }
  std::uint32_t begin = 0, end = 0;  // ordinals [begin, end)
  switch (filter.keyword_match) {
    case FieldFilter::KeywordMatch::kExact:
      begin = column.LowerBound(filter.value);
      end = UpperBound(column, filter.value);
      break;
    case FieldFilter::KeywordMatch::kPrefix:
      begin = column.LowerBound(filter.value);
      end = PrefixEnd(column, begin, filter.value);
      break;
    case FieldFilter::KeywordMatch::kRange:
      begin = !filter.has_lower        ? 0
              : filter.lower_inclusive ? column.LowerBound(filter.lower)
                                       : UpperBound(column, filter.lower);
      end = !filter.has_upper        ? column.dictionary_size()
            : filter.upper_inclusive ? UpperBound(column, filter.upper)
                                     : column.LowerBound(filter.upper);
      break;
  }
  range.low = begin;
  range.high = static_cast<std::int64_t>(end) - 1;
  return range;
}

SegmentFilter::SegmentFilter(const format::FieldColumns& columns,
                             const std::vector<const FieldFilter*>& required,
                             const std::vector<const FieldFilter*>& excluded) {
  const auto check_of = [&](const FieldFilter& filter) -> std::optional<Check> {
    const format::FieldColumn* column = columns.Find(filter.field);
    if (column == nullptr || column->type() != filter.type) return std::nullopt;
    const KeyRange range = KeyRangeOf(filter, *column);
    if (range.empty()) return std::nullopt;
    return Check{column, range};
  };
  for (const FieldFilter* filter : required) {
    if (const auto check = check_of(*filter)) {
      required_.push_back(*check);
    } else {
      admits_nothing_ = true;  // no document of the segment has such a value
    }
  }
  for (const FieldFilter* filter : excluded) {
    if (const auto check = check_of(*filter)) excluded_.push_back(*check);
  }
}

DeletedDocs FilterDocs(const FieldFilter& filter, const format::FieldColumns& columns,
                       std::uint64_t document_count) {
  // The per-document check, a word of documents at a time.
  const SegmentFilter admits(columns, {&filter}, {});
  std::vector<std::uint64_t> words((document_count + 63) / 64, 0);
  if (admits.admits_nothing()) return DeletedDocs::FromWords(document_count, std::move(words));
  for (std::uint64_t word = 0; word < words.size(); ++word) {
    const std::uint64_t first = word * 64;
    const std::uint64_t last = std::min<std::uint64_t>(first + 64, document_count);
    std::uint64_t bits = 0;
    for (std::uint64_t d = first; d < last; ++d) {
      bits |= std::uint64_t{admits.Admits(static_cast<DocId>(d))} << (d - first);
    }
    words[word] = bits;
  }
  return DeletedDocs::FromWords(document_count, std::move(words));
}

FieldFilter ParseFieldFilter(std::string_view field, FieldType type, std::string_view text,
                             std::size_t column) {
  FieldFilter filter;
  filter.field = std::string(field);
  filter.type = type;
  if (text.empty()) {
    throw QuerySyntaxError(column, "'" + filter.field + ":' needs a value after it");
  }
  const bool keyword = type == FieldType::kKeyword;
  // One end of a range: `lower` or the upper one; `*` leaves it open.
  const auto set_end = [&](std::string_view end, bool lower, bool inclusive, std::size_t at) {
    end = Unquoted(Trimmed(end));
    if (end == "*") return;
    if (keyword) {
      filter.keyword_match = FieldFilter::KeywordMatch::kRange;
      (lower ? filter.has_lower : filter.has_upper) = true;
      (lower ? filter.lower : filter.upper) = std::string(end);
      (lower ? filter.lower_inclusive : filter.upper_inclusive) = inclusive;
    } else if (!NumericBound(filter, end, lower, inclusive, at,
                             lower ? &filter.low : &filter.high)) {
      filter.low = kMaxKey;  // nothing beyond the extreme key
      filter.high = kMinKey;
    }
  };
  const auto set_lower = [&](std::string_view end, bool inclusive, std::size_t at) {
    set_end(end, true, inclusive, at);
  };
  const auto set_upper = [&](std::string_view end, bool inclusive, std::size_t at) {
    set_end(end, false, inclusive, at);
  };
  if (text.front() == '[' || text.front() == '{') {
    const char close = text.back();
    if (text.size() < 2 || (close != ']' && close != '}')) {
      throw QuerySyntaxError(column, "a range needs a closing ']' or '}'");
    }
    const std::string_view inside = text.substr(1, text.size() - 2);
    const std::size_t to = inside.find(" TO ");
    if (to == std::string_view::npos) {
      throw QuerySyntaxError(column, "a range is written [LOW TO HIGH] (either end may be *)");
    }
    if (keyword) filter.keyword_match = FieldFilter::KeywordMatch::kRange;
    set_lower(inside.substr(0, to), text.front() == '[', column + 1);
    set_upper(inside.substr(to + 4), close == ']', column + 1 + to + 4);
    return filter;
  }
  for (const std::string_view op : {">=", "<=", ">", "<"}) {
    if (!text.starts_with(op)) continue;
    const std::string_view value = text.substr(op.size());
    if (value.empty()) {
      throw QuerySyntaxError(column, "'" + std::string(op) + "' needs a value after it");
    }
    if (keyword) filter.keyword_match = FieldFilter::KeywordMatch::kRange;
    if (op[0] == '>') {
      set_lower(value, op.size() == 2, column + op.size());
    } else {
      set_upper(value, op.size() == 2, column + op.size());
    }
    return filter;
  }
  if (keyword) {
    if (text.size() > 1 && text.back() == '*' && text.front() != '"') {
      filter.keyword_match = FieldFilter::KeywordMatch::kPrefix;
      filter.value = std::string(text.substr(0, text.size() - 1));
    } else {
      filter.value = std::string(Unquoted(text));
    }
    return filter;
  }
  // A single value: the key itself, or for a date the whole period it names.
  const std::string_view value = Unquoted(text);
  set_lower(value, true, column);
  if (filter.low <= filter.high) set_upper(value, true, column);
  return filter;
}

std::string DescribeFilter(const FieldFilter& filter) {
  const auto show = [&](std::int64_t key) {
    return key == kMinKey || key == kMaxKey ? std::string("*") : FormatKey(filter.type, key);
  };
  if (filter.type != FieldType::kKeyword) {
    if (filter.low > filter.high) return filter.field + ":(nothing)";
    if (filter.low == filter.high) return filter.field + ":" + show(filter.low);
    return filter.field + ":[" + show(filter.low) + " TO " + show(filter.high) + "]";
  }
  switch (filter.keyword_match) {
    case FieldFilter::KeywordMatch::kExact:
      return filter.field + ":\"" + filter.value + "\"";
    case FieldFilter::KeywordMatch::kPrefix:
      return filter.field + ":" + filter.value + "*";
    case FieldFilter::KeywordMatch::kRange:
      break;
  }
  return filter.field + ":" + (filter.lower_inclusive ? "[" : "{") +
         (filter.has_lower ? "\"" + filter.lower + "\"" : "*") + " TO " +
         (filter.has_upper ? "\"" + filter.upper + "\"" : "*") +
         (filter.upper_inclusive ? "]" : "}");
}

}  // namespace fathom
