#include "indexer/write/columns_builder.hpp"

#include <algorithm>
#include <numeric>

#include "common/error.hpp"

namespace fathom {

void ColumnsBuilder::Add(const std::vector<FieldValue>& values) {
  const std::uint64_t doc = document_count_++;
  for (const FieldValue& value : values) {
    auto it = columns_.find(value.name);
    if (it == columns_.end()) {
      Column column;
      column.type = value.type;
      column.uses = value.uses;
      it = columns_.emplace(value.name, std::move(column)).first;
    }
    Column& column = it->second;
    if (column.uses != value.uses) {
      throw InputError("field '" + value.name + "' has other uses (stored, searchable, " +
                       "sortable) in one part than in another");
    }
    std::int64_t key = value.key;
    if (column.type != value.type) {
      if (column.type == FieldType::kInteger && value.type == FieldType::kFloat) {
        for (std::size_t d = 0; d < column.keys.size(); ++d) {
          if (column.present[d]) column.keys[d] = FloatKey(static_cast<double>(column.keys[d]));
        }
        column.type = FieldType::kFloat;
      } else if (column.type == FieldType::kFloat && value.type == FieldType::kInteger) {
        key = FloatKey(static_cast<double>(value.key));
      } else {
        throw InputError("field '" + value.name + "' is a " +
                         std::string(FieldTypeName(column.type)) + " field in one part and a " +
                         std::string(FieldTypeName(value.type)) + " field in another");
      }
    }
    if (column.type == FieldType::kKeyword) {
      const auto [found, added] =
          column.ids.emplace(value.keyword, static_cast<std::uint32_t>(column.keywords.size()));
      if (added) column.keywords.push_back(value.keyword);
      key = found->second;
    }
    column.present.resize(doc + 1, 0);
    column.keys.resize(doc + 1, 0);
    column.present[doc] = 1;
    column.keys[doc] = key;
  }
}

std::vector<format::ColumnInput> ColumnsBuilder::Finish() {
  std::vector<format::ColumnInput> out;
  for (auto& [name, column] : columns_) {
    format::ColumnInput input;
    input.name = name;
    input.type = column.type;
    input.uses = column.uses;
    column.present.resize(document_count_, 0);
    column.keys.resize(document_count_, 0);
    if (column.type == FieldType::kKeyword) {
      std::vector<std::uint32_t> order(column.keywords.size());
      std::iota(order.begin(), order.end(), 0u);
      // Not the structured binding itself: lambdas may not capture one
      // before C++20's later revisions (clang 14 refuses it).
      const std::vector<std::string>& keywords = column.keywords;
      std::sort(order.begin(), order.end(), [&keywords](std::uint32_t a, std::uint32_t b) {
        return keywords[a] < keywords[b];
      });
      std::vector<std::int64_t> ordinal_of(order.size());
      for (std::size_t i = 0; i < order.size(); ++i) {
        ordinal_of[order[i]] = static_cast<std::int64_t>(i);
        input.dictionary.push_back(std::move(column.keywords[order[i]]));
      }
      for (std::uint64_t d = 0; d < document_count_; ++d) {
        if (column.present[d])
          column.keys[d] = ordinal_of[static_cast<std::size_t>(column.keys[d])];
      }
    }
    input.present = std::move(column.present);
    input.keys = std::move(column.keys);
    out.push_back(std::move(input));
  }
  columns_.clear();
  return out;
}

}  // namespace fathom
