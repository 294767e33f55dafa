// Fuzzes the reader of a segment's `fields` file (common/format/
// field_columns.hpp): any payload is refused by Open with a message, or
// every value of every column can be read, decoded and re-encoded without
// reading outside the payload.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "common/format/field_columns.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fathom;
  // An exact-size copy, so that ASan sees any read past the payload.
  std::vector<std::uint8_t> payload(data, data + size);
  const std::uint64_t document_count = size >= 8 ? [&] {
    std::uint64_t count;
    std::memcpy(&count, payload.data(), sizeof count);
    return count;
  }() : 0;
  if (document_count > (1u << 16)) return 0;  // the reader refuses it; no need to allocate
  format::FieldColumns columns;
  std::string error;
  if (!columns.Open(payload.data(), payload.size(), document_count, &error)) {
    if (error.empty()) __builtin_trap();
    return 0;
  }
  std::vector<format::ColumnInput> decoded(columns.columns().size());
  bool valid = true;
  for (std::size_t c = 0; c < decoded.size(); ++c) {
    const format::FieldColumn& column = columns.columns()[c];
    for (std::uint64_t d = 0; d < document_count; ++d) {
      const auto doc = static_cast<DocId>(d);
      if (column.Has(doc)) (void)column.Key(doc);
    }
    if (column.dictionary_size() > 0) {
      (void)column.KeywordAt(0);
      (void)column.LowerBound("m");
    }
    valid = valid && format::DecodeColumn(column, document_count, decoded[c], &error);
  }
  if (valid) {
    std::string again;
    format::PutFieldColumns(again, document_count, decoded);
  }
  return 0;
}
