// Gathers documents' typed field values, in document order, into the
// columns of a segment's fields file (common/format/field_columns.hpp).
// Memory: 9 bytes a document for each field, and each distinct keyword
// once.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/analysis/field_values.hpp"
#include "common/format/field_columns.hpp"

namespace fathom {

class ColumnsBuilder {
 public:
  // The next document's values (ids 0, 1, 2... in the order of the calls).
  // A field first met here gets the value's type; an integer field that
  // meets a float value becomes a float field, its values so far
  // converted. Throws InputError for any other change of type (segments
  // merged whose field types differ). REQUIRES: names unique.
  void Add(const std::vector<FieldValue>& values);
  std::uint64_t document_count() const { return document_count_; }

  // The columns by name, keywords' ordinals into their sorted dictionary.
  std::vector<format::ColumnInput> Finish();

 private:
  struct Column {
    FieldType type;
    FieldUses uses;
    std::vector<std::uint8_t> present;
    std::vector<std::int64_t> keys;  // keywords: ids in order of first appearance
    std::unordered_map<std::string, std::uint32_t> ids;
    std::vector<std::string> keywords;  // by id
  };
  std::map<std::string, Column, std::less<>> columns_;
  std::uint64_t document_count_ = 0;
};

}  // namespace fathom
