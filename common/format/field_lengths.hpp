// Per-document lengths: `doclens` (the words of each document) and
// `fieldlens` (the words of each text field with a term space of its own,
// common/analysis/fields.hpp), which BM25F normalizes field by field
// (docs/FORMAT.md, "doclens" and "fieldlens"). One lengths column is
//   u64 total_length  u64 width  packed lengths
// bit-packed in the fewest bits that hold the longest (packed_bits.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/format/format.hpp"

namespace fathom::format {

struct LengthsColumn {
  DocLengths lengths;
  std::uint64_t total_length = 0;
  double average_length(std::uint64_t document_count) const {
    return document_count == 0
               ? 0.0
               : static_cast<double>(total_length) / static_cast<double>(document_count);
  }
};

// Appends one lengths column: total, width, then the lengths.
void PutLengthsColumn(std::string& out, const std::vector<std::uint32_t>& lengths);
// Reads the column at [in, end) for document_count documents; returns the
// byte after it, or nullptr (with *error) when the width is over 32 bits
// or the lengths run past end.
const std::uint8_t* GetLengthsColumn(const std::uint8_t* in, const std::uint8_t* end,
                                     std::uint64_t document_count, LengthsColumn* column,
                                     std::string* error);
// What `check` adds: the lengths add up to the total, take exactly the
// width the longest needs, and the padding after them is zero. Returns ""
// when they do, else what is wrong.
std::string VerifyLengthsColumn(const LengthsColumn& column, std::uint64_t document_count);

// fieldlens: u64 document_count  u64 field_count, then per field
// u64 name_size  name  LengthsColumn.
struct FieldLengths {
  std::string field;
  LengthsColumn column;
};
void PutFieldLengths(
    std::string& out, std::uint64_t document_count,
    const std::vector<std::pair<std::string_view, const std::vector<std::uint32_t>*>>& fields);
// Parses a fieldlens payload, which must hold exactly the fields of kFields
// in that order. Returns false with *error when it does not fit.
bool ParseFieldLengths(const std::uint8_t* data, std::uint64_t size, std::uint64_t document_count,
                       std::vector<FieldLengths>* fields, std::string* error);

}  // namespace fathom::format
