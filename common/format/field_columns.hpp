// fields: a segment's typed field values in columns, one per field
// (docs/FORMAT.md, "fields"). What filters, sorting and facets read: a
// document's value is found in constant time, without touching its stored
// text.
//
// A column holds, for every document, its value's key (field_values.hpp)
// less the column's smallest, bit-packed in the fewest bits the largest
// difference needs; keywords hold the value's ordinal in the column's
// dictionary of distinct values in byte order. A presence bitmap follows
// when some document has no value. One encoder (PutFieldColumns) for the
// writers and the checker, which re-encodes what it decodes and compares.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/analysis/field_values.hpp"
#include "common/format/packed_bits.hpp"
#include "common/types.hpp"

namespace fathom::format {

inline constexpr std::size_t kFieldsHeaderSize = 16;
inline constexpr std::size_t kFieldEntrySize = 24;
inline constexpr std::size_t kColumnHeaderSize = 32;
// Most fields one segment may hold.
inline constexpr std::size_t kMaxFields = 4096;

// One column as the encoder takes it. REQUIRES: present.size() ==
// keys.size() == the document count; for keywords, keys are ordinals into
// dictionary, which is strictly increasing; absent documents' keys are 0.
struct ColumnInput {
  std::string name;
  FieldType type = FieldType::kKeyword;
  FieldUses uses = kEveryUse;         // REQUIRES: not 0 (such a field is not kept)
  std::vector<std::uint8_t> present;  // 1 when the document has a value
  std::vector<std::int64_t> keys;
  std::vector<std::string> dictionary;
};

// Appends the fields payload (columns sorted by name, as given).
// REQUIRES: names strictly increasing.
void PutFieldColumns(std::string& out, std::uint64_t document_count,
                     const std::vector<ColumnInput>& columns);

class FieldColumn {
 public:
  std::string_view name() const { return name_; }
  FieldType type() const { return type_; }
  FieldUses uses() const { return uses_; }
  std::uint64_t present_count() const { return present_count_; }
  // Smallest and largest key of the documents that have one (0 when none).
  std::int64_t min_key() const { return min_key_; }
  std::int64_t max_key() const { return max_key_; }

  // REQUIRES: doc < the document count (for both).
  bool Has(DocId doc) const {
    return presence_ == nullptr || (Word(presence_, doc >> 6) >> (doc & 63) & 1) != 0;
  }
  // The document's key (for keywords, its ordinal); 0 for no value.
  std::int64_t Key(DocId doc) const {
    if (width_ == 0) return Has(doc) ? min_key_ : 0;
    const std::uint64_t value = GetPacked(packed_, doc, width_, mask_);
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(min_key_) + value);
  }

  // Keywords: the distinct values in byte order.
  std::uint32_t dictionary_size() const { return dictionary_size_; }
  // REQUIRES: ordinal < dictionary_size().
  std::string_view KeywordAt(std::uint32_t ordinal) const {
    const std::uint32_t begin = Get32(offsets_ + 4 * ordinal);
    const std::uint32_t end = Get32(offsets_ + 4 * (ordinal + 1));
    return {reinterpret_cast<const char*>(pool_ + begin), end - begin};
  }
  // Ordinal of the first dictionary value >= text (dictionary_size() if none).
  std::uint32_t LowerBound(std::string_view text) const;

 private:
  friend class FieldColumns;
  static std::uint64_t Word(const std::uint8_t* at, std::size_t index) {
    std::uint64_t word;
    std::memcpy(&word, at + 8 * index, sizeof word);
    return word;
  }
  static std::uint32_t Get32(const std::uint8_t* at) {
    std::uint32_t value;
    std::memcpy(&value, at, sizeof value);
    return value;
  }
  std::string_view name_;
  FieldType type_ = FieldType::kKeyword;
  FieldUses uses_ = kEveryUse;
  std::uint64_t present_count_ = 0;
  std::int64_t min_key_ = 0, max_key_ = 0;
  unsigned width_ = 0;
  std::uint64_t mask_ = 0;
  const std::uint8_t* presence_ = nullptr;  // null: every document has a value
  const std::uint8_t* packed_ = nullptr;
  std::uint32_t dictionary_size_ = 0;
  const std::uint8_t* offsets_ = nullptr;
  const std::uint8_t* pool_ = nullptr;
};

// One block of documents in a column: the smallest and largest key of those
// with a value, and whether any has one, any lacks one.
struct BlockKeyBounds {
  std::int64_t min = 0, max = 0;
  bool any_present = false;
  bool any_missing = false;
};
// Documents a block of BlockKeyBounds spans.
inline constexpr std::uint32_t kKeyBoundsBlockLog2 = 12;
// Blocks of BlockKeyBounds for a segment of this many documents.
inline std::size_t KeyBoundsBlockCount(std::uint64_t document_count) {
  return static_cast<std::size_t>(
      (document_count + (std::uint64_t{1} << kKeyBoundsBlockLog2) - 1) >> kKeyBoundsBlockLog2);
}
// The first document of a block.
inline DocId KeyBoundsBlockStart(std::size_t block) {
  return static_cast<DocId>(block << kKeyBoundsBlockLog2);
}

// The columns of a segment's fields file, read in place.
class FieldColumns {
 public:
  FieldColumns() = default;
  // Checks the payload's structure (sizes, bounds, names, types, the
  // dictionary's offsets) before trusting a byte; on failure returns false
  // and says what is wrong in error. The values themselves are checked by
  // `check` (DecodeColumns and re-encoding).
  bool Open(const std::uint8_t* payload, std::size_t size, std::uint64_t document_count,
            std::string* error);
  const std::vector<FieldColumn>& columns() const { return columns_; }
  // The column of this name, or nullptr.
  const FieldColumn* Find(std::string_view name) const;
  // The column's keys in blocks of 2^kKeyBoundsBlockLog2 documents, so that
  // top-k by the field can pass over blocks that cannot enter. Computed on
  // first use (one pass over the column), once, whatever the threads.
  // REQUIRES: column is one of columns().
  const std::vector<BlockKeyBounds>& BlockBounds(const FieldColumn& column) const;

 private:
  std::vector<FieldColumn> columns_;
  std::uint64_t document_count_ = 0;
  struct LazyBounds {
    std::once_flag once;
    std::vector<BlockKeyBounds> bounds;
  };
  std::unique_ptr<LazyBounds[]> lazy_bounds_;  // one per column
};

// Decodes a column whole into the encoder's input (for checks and
// rewrites). False, with error, when a value breaks the format's rules
// (an ordinal past the dictionary, a dictionary out of order, a boolean
// other than 0 or 1, a float key that is NaN, a date outside years 0 to
// 9999, min or max not the real ones).
bool DecodeColumn(const FieldColumn& column, std::uint64_t document_count, ColumnInput& out,
                  std::string* error);

}  // namespace fathom::format
