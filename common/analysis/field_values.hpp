// Typed fields: the values a document carries besides its text (a date, a
// year, a price, a category, a flag), which queries filter, sort and count
// by. One rule for reading and printing each type, shared by the corpus
// reader (typing a JSON member or a file's metadata), the query parser (the
// bounds of `year:[2000 TO 2010]`), the column files and the output.
//
// Every value of a numeric type is held as a 64-bit key whose integer order
// is the value's order, so that one packed column, one comparison and one
// sort serve every type (docs/FORMAT.md, "fields"):
//   integer  the value itself;
//   date     seconds since 1970-01-01T00:00:00Z (a date without a time is
//            its midnight UTC; an offset such as +02:00 is applied);
//   boolean  0 for false, 1 for true;
//   float    the IEEE 754 bits of the double, mapped so that integer order is
//            numeric order (FloatKey); NaN is not a value.
// A keyword is its UTF-8 bytes, compared byte by byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fathom {

enum class FieldType : std::uint8_t {
  kKeyword = 1,
  kInteger = 2,
  kFloat = 3,
  kDate = 4,
  kBoolean = 5,
};

// "keyword", "integer", "float", "date", "boolean".
std::string_view FieldTypeName(FieldType type);
std::optional<FieldType> ParseFieldType(std::string_view name);
inline bool IsNumeric(FieldType type) { return type != FieldType::kKeyword; }

// Longest keyword value, in bytes: keywords are labels (a folder, a
// category, an author), not text, and every distinct one is kept in the
// column's dictionary.
inline constexpr std::size_t kMaxKeywordBytes = 4096;

// A field name: 1 to kMaxFieldNameBytes bytes of ASCII letters, digits, '_',
// '-' and '.', starting with a letter or '_', so that `name:value` reads
// the same in every query.
inline constexpr std::size_t kMaxFieldNameBytes = 64;
bool IsValidFieldName(std::string_view name);

// Field names and their types (an index's, a schema's), in name order.
using FieldTypes = std::map<std::string, FieldType, std::less<>>;

// What a field is kept for: shown with results (stored), matched by
// `field:value` filters (searchable), sorted and counted in facets
// (sortable). Every field has every use unless `--schema` takes some away
// (docs/FORMAT.md, "fields"). One column serves all three, so a field
// without any use is not kept at all, and one without some is refused for
// that use.
using FieldUses = std::uint8_t;
inline constexpr FieldUses kStored = 1;
inline constexpr FieldUses kSearchable = 2;
inline constexpr FieldUses kSortable = 4;
inline constexpr FieldUses kEveryUse = kStored | kSearchable | kSortable;
inline constexpr FieldUses kEachUse[] = {kStored, kSearchable, kSortable};
// Fields whose uses are not every use, by name (missing: every use).
using FieldUsesByName = std::map<std::string, FieldUses, std::less<>>;
inline FieldUses UsesOf(const FieldUsesByName& uses, std::string_view field) {
  const auto it = uses.find(field);
  return it == uses.end() ? kEveryUse : it->second;
}
// "stored", "searchable", "sortable": the schema's word for one use.
std::string_view FieldUseName(FieldUses use);

// One typed value of a document.
struct FieldValue {
  std::string name;
  FieldType type = FieldType::kKeyword;
  std::int64_t key = 0;  // numeric types (see above)
  std::string keyword;   // kKeyword
  FieldUses uses = kEveryUse;
};

std::int64_t FloatKey(double value);
double FloatOfKey(std::int64_t key);

// ISO 8601: YYYY-MM-DD, optionally followed by 'T' (or a space) and
// HH:MM[:SS[.fraction]], optionally followed by 'Z' or +HH:MM / -HH:MM (no
// offset: UTC). Also YYYY-MM and YYYY for the start of a month or year when
// allow_partial (query bounds: `date:>=2025-02`). Years 0000 to 9999.
// Returns seconds since the epoch, or nullopt when the text is not such a
// date or names no real day (2025-02-30).
std::optional<std::int64_t> ParseDate(std::string_view text, bool allow_partial = false);
// The end of the period a partial date names, exclusive: 2025-02 -> the
// first second of 2025-03. For a full timestamp, the next second. For
// `date:2025` (the whole year) and `date:<=2025-02` (through February).
// nullopt when ParseDate would give nullopt.
std::optional<std::int64_t> ParseDateEnd(std::string_view text);
// YYYY-MM-DD for a midnight UTC, else YYYY-MM-DDTHH:MM:SSZ.
std::string FormatDate(std::int64_t seconds);
// Year (e.g. 2025) and month (1 to 12) of a date key, for facets.
void YearMonthOf(std::int64_t seconds, int* year, int* month);
// The first second of a month (month 1 to 12).
std::int64_t MonthStart(int year, int month);

// An integer in decimal (optional '-'), fitting 64 bits.
std::optional<std::int64_t> ParseInteger(std::string_view text);
// A finite number in decimal or exponent notation (JSON's syntax, and a
// leading '+' or '.5' as people type them).
std::optional<double> ParseFloat(std::string_view text);
// "true" / "false".
std::optional<bool> ParseBoolean(std::string_view text);

// The key of text read as a value of a numeric type, or nullopt when it is
// not one. Dates take partial forms when allow_partial.
std::optional<std::int64_t> ParseKey(FieldType type, std::string_view text,
                                     bool allow_partial = false);
// The value as people read it (and as ParseKey reads back): 2025-02-22,
// 42, 3.5, true.
std::string FormatKey(FieldType type, std::int64_t key);
// A value as JSON: a string for keywords and dates, a number or a boolean
// for the others.
std::string ValueAsJson(FieldType type, std::int64_t key, std::string_view keyword);

}  // namespace fathom
