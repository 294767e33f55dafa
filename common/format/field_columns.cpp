#include "common/format/field_columns.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "common/analysis/utf8.hpp"
#include "common/contract.hpp"
#include "common/format/format.hpp"

namespace fathom::format {

namespace {

std::size_t AlignUp8(std::size_t n) { return (n + 7) & ~std::size_t{7}; }

void PadTo8(std::string& out, std::size_t base) {
  while ((out.size() - base) % 8 != 0) out.push_back('\0');
}

std::size_t PresenceBytes(std::uint64_t count) {
  return static_cast<std::size_t>((count + 63) / 64 * 8);
}

// Date keys of years 0000 to 9999: what ParseDate can give.
constexpr std::int64_t kFirstDateKey = -62167219200;  // 0000-01-01T00:00:00Z
constexpr std::int64_t kEndDateKey = 253402300800;    // 10000-01-01T00:00:00Z

}  // namespace

void PutFieldColumns(std::string& out, std::uint64_t document_count,
                     const std::vector<ColumnInput>& columns) {
  const std::size_t base = out.size();
  Put<std::uint64_t>(out, document_count);
  Put<std::uint32_t>(out, static_cast<std::uint32_t>(columns.size()));
  Put<std::uint32_t>(out, 0);
  const std::size_t entries_at = out.size();
  out.append(columns.size() * kFieldEntrySize, '\0');
  std::vector<std::uint32_t> name_offsets;
  std::size_t names_size = 0;
  for (const ColumnInput& column : columns) {
    name_offsets.push_back(static_cast<std::uint32_t>(names_size));
    out += column.name;
    names_size += column.name.size();
  }
  PadTo8(out, base);
  for (std::size_t c = 0; c < columns.size(); ++c) {
    const ColumnInput& column = columns[c];
    FATHOM_REQUIRE(column.present.size() == document_count && column.keys.size() == document_count,
                   "a value (or none) for every document");
    FATHOM_REQUIRE(c == 0 || columns[c - 1].name < column.name, "columns sorted by name");
    const std::size_t column_at = out.size();
    std::uint64_t present = 0;
    std::int64_t min_key = 0, max_key = 0;
    for (std::uint64_t d = 0; d < document_count; ++d) {
      if (!column.present[d]) continue;
      const std::int64_t key = column.keys[d];
      if (present == 0 || key < min_key) min_key = key;
      if (present == 0 || key > max_key) max_key = key;
      ++present;
    }
    if (column.type == FieldType::kKeyword) min_key = 0;
    const unsigned width =
        BitsFor(static_cast<std::uint64_t>(max_key) - static_cast<std::uint64_t>(min_key));
    const bool has_presence = present != document_count;
    Put<std::uint64_t>(out, present);
    Put<std::int64_t>(out, min_key);
    Put<std::int64_t>(out, max_key);
    out.push_back(static_cast<char>(width));
    out.push_back(static_cast<char>(has_presence ? 1 : 0));
    Put<std::uint16_t>(out, 0);
    Put<std::uint32_t>(out, static_cast<std::uint32_t>(column.dictionary.size()));
    if (column.type == FieldType::kKeyword) {
      std::uint32_t offset = 0;
      for (const std::string& value : column.dictionary) {
        Put<std::uint32_t>(out, offset);
        offset += static_cast<std::uint32_t>(value.size());
      }
      Put<std::uint32_t>(out, offset);
      for (const std::string& value : column.dictionary) out += value;
      PadTo8(out, base);
    }
    if (has_presence) {
      std::vector<std::uint64_t> words((document_count + 63) / 64, 0);
      for (std::uint64_t d = 0; d < document_count; ++d) {
        if (column.present[d]) words[d >> 6] |= std::uint64_t{1} << (d & 63);
      }
      for (const std::uint64_t word : words) Put<std::uint64_t>(out, word);
    }
    const std::size_t packed_at = out.size();
    out.append(PackedBytes(document_count, width), '\0');
    if (width > 0) {
      auto* packed = reinterpret_cast<std::uint8_t*>(out.data() + packed_at);
      for (std::uint64_t d = 0; d < document_count; ++d) {
        if (!column.present[d]) continue;
        PutPacked(packed, d, width,
                  static_cast<std::uint64_t>(column.keys[d]) - static_cast<std::uint64_t>(min_key));
      }
    }
    char* entry = out.data() + entries_at + c * kFieldEntrySize;
    const std::uint64_t column_offset = column_at - base;
    const std::uint64_t column_bytes = out.size() - column_at;
    std::memcpy(entry, &column_offset, 8);
    std::memcpy(entry + 8, &column_bytes, 8);
    std::memcpy(entry + 16, &name_offsets[c], 4);
    const auto name_length = static_cast<std::uint16_t>(column.name.size());
    std::memcpy(entry + 20, &name_length, 2);
    entry[22] = static_cast<char>(column.type);
    // The uses it lacks: 0, the default, is every use.
    FATHOM_REQUIRE(column.uses != 0 && (column.uses & ~kEveryUse) == 0, "a field kept for a use");
    entry[23] = static_cast<char>(kEveryUse & ~column.uses);
  }
}

std::uint32_t FieldColumn::LowerBound(std::string_view text) const {
  std::uint32_t low = 0, high = dictionary_size_;
  while (low < high) {
    const std::uint32_t mid = low + (high - low) / 2;
    if (KeywordAt(mid) < text) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return low;
}

const std::vector<BlockKeyBounds>& FieldColumns::BlockBounds(const FieldColumn& column) const {
  FATHOM_REQUIRE(&column >= columns_.data() && &column < columns_.data() + columns_.size(),
                 "the column is one of these columns");
  LazyBounds& lazy = lazy_bounds_[static_cast<std::size_t>(&column - columns_.data())];
  std::call_once(lazy.once, [&] {
    lazy.bounds.resize(KeyBoundsBlockCount(document_count_));
    for (std::uint64_t doc = 0; doc < document_count_; ++doc) {
      BlockKeyBounds& block = lazy.bounds[doc >> kKeyBoundsBlockLog2];
      const DocId id = static_cast<DocId>(doc);
      if (!column.Has(id)) {
        block.any_missing = true;
        continue;
      }
      const std::int64_t key = column.Key(id);
      block.min = block.any_present ? std::min(block.min, key) : key;
      block.max = block.any_present ? std::max(block.max, key) : key;
      block.any_present = true;
    }
  });
  return lazy.bounds;
}

bool FieldColumns::Open(const std::uint8_t* payload, std::size_t size, std::uint64_t document_count,
                        std::string* error) {
  columns_.clear();
  const auto fail = [&](std::string what) {
    *error = std::move(what);
    columns_.clear();
    return false;
  };
  if (size < kFieldsHeaderSize) return fail("fields payload too short");
  if (Get<std::uint64_t>(payload) != document_count) {
    return fail("fields holds " + std::to_string(Get<std::uint64_t>(payload)) +
                " documents, the segment " + std::to_string(document_count));
  }
  const std::uint32_t count = Get<std::uint32_t>(payload + 8);
  if (count > kMaxFields)
    return fail("fields holds more than " + std::to_string(kMaxFields) + " fields");
  if (Get<std::uint32_t>(payload + 12) != 0) return fail("fields reserved word not 0");
  const std::size_t entries_end = kFieldsHeaderSize + std::size_t{count} * kFieldEntrySize;
  if (entries_end > size) return fail("fields entries run past the file");
  std::size_t names_size = 0;
  for (std::uint32_t c = 0; c < count; ++c) {
    names_size += Get<std::uint16_t>(payload + kFieldsHeaderSize + c * kFieldEntrySize + 20);
  }
  const std::size_t columns_start = AlignUp8(entries_end + names_size);
  if (columns_start > size) return fail("fields names run past the file");
  std::size_t expected_at = columns_start;
  for (std::uint32_t c = 0; c < count; ++c) {
    const std::uint8_t* entry = payload + kFieldsHeaderSize + c * kFieldEntrySize;
    const auto column_offset = Get<std::uint64_t>(entry);
    const auto column_bytes = Get<std::uint64_t>(entry + 8);
    const auto name_offset = Get<std::uint32_t>(entry + 16);
    const auto name_length = Get<std::uint16_t>(entry + 20);
    const std::string prefix = "field " + std::to_string(c) + ": ";
    if (name_offset > names_size || name_length > names_size - name_offset) {
      return fail(prefix + "name out of bounds");
    }
    FieldColumn column;
    column.name_ = {reinterpret_cast<const char*>(payload + entries_end + name_offset),
                    name_length};
    if (!IsValidFieldName(column.name_)) return fail(prefix + "invalid name");
    if (!columns_.empty() && !(columns_.back().name_ < column.name_)) {
      return fail(prefix + "names not in order");
    }
    const auto type = static_cast<FieldType>(entry[22]);
    if (FieldTypeName(type) == "unknown") return fail(prefix + "unknown type");
    if ((entry[23] & ~kEveryUse) != 0 || entry[23] == kEveryUse) {
      return fail(prefix + "unknown uses " + std::to_string(entry[23]));
    }
    column.type_ = type;
    column.uses_ = static_cast<FieldUses>(kEveryUse & ~entry[23]);
    if (column_offset != expected_at || column_bytes < kColumnHeaderSize ||
        column_bytes > size - column_offset) {
      return fail(prefix + "column out of bounds");
    }
    const std::uint8_t* at = payload + column_offset;
    const std::uint8_t* end = at + column_bytes;
    column.present_count_ = Get<std::uint64_t>(at);
    column.min_key_ = Get<std::int64_t>(at + 8);
    column.max_key_ = Get<std::int64_t>(at + 16);
    column.width_ = at[24];
    const std::uint8_t has_presence = at[25];
    column.dictionary_size_ = Get<std::uint32_t>(at + 28);
    if (column.width_ > 64 || has_presence > 1 || Get<std::uint16_t>(at + 26) != 0) {
      return fail(prefix + "bad column header");
    }
    if (column.present_count_ > document_count ||
        (has_presence == 0) != (column.present_count_ == document_count)) {
      return fail(prefix + "present count disagrees with the presence bitmap");
    }
    column.mask_ = WidthMask(column.width_);
    at += kColumnHeaderSize;
    if (type == FieldType::kKeyword) {
      const std::uint64_t offsets_bytes = (std::uint64_t{column.dictionary_size_} + 1) * 4;
      if (offsets_bytes > static_cast<std::uint64_t>(end - at))
        return fail(prefix + "dictionary out of bounds");
      column.offsets_ = at;
      column.pool_ = at + offsets_bytes;
      std::uint32_t previous = 0;
      for (std::uint32_t i = 0; i <= column.dictionary_size_; ++i) {
        const std::uint32_t offset = FieldColumn::Get32(at + 4 * i);
        if (offset < previous || (i == 0 && offset != 0))
          return fail(prefix + "dictionary offsets out of order");
        previous = offset;
      }
      if (previous > static_cast<std::uint64_t>(end - column.pool_)) {
        return fail(prefix + "dictionary out of bounds");
      }
      at = payload + column_offset +
           AlignUp8(static_cast<std::size_t>(column.pool_ + previous - (payload + column_offset)));
      if (column.min_key_ != 0) return fail(prefix + "keyword column with a minimum");
    } else if (column.dictionary_size_ != 0) {
      return fail(prefix + "dictionary in a numeric column");
    }
    if (has_presence) {
      const std::size_t bytes = PresenceBytes(document_count);
      if (bytes > static_cast<std::size_t>(end - std::min(at, end))) {
        return fail(prefix + "presence bitmap out of bounds");
      }
      column.presence_ = at;
      at += bytes;
    }
    if (PackedBytes(document_count, column.width_) !=
            static_cast<std::size_t>(end - std::min(at, end)) ||
        at > end) {
      return fail(prefix + "packed values do not fill the column");
    }
    column.packed_ = at;
    expected_at = column_offset + column_bytes;
    columns_.push_back(column);
  }
  if (expected_at != size) return fail("fields has bytes after its last column");
  document_count_ = document_count;
  lazy_bounds_ = std::make_unique<LazyBounds[]>(columns_.size());
  return true;
}

const FieldColumn* FieldColumns::Find(std::string_view name) const {
  const auto it =
      std::lower_bound(columns_.begin(), columns_.end(), name,
                       [](const FieldColumn& c, std::string_view n) { return c.name() < n; });
  return it != columns_.end() && it->name() == name ? &*it : nullptr;
}

bool DecodeColumn(const FieldColumn& column, std::uint64_t document_count, ColumnInput& out,
                  std::string* error) {
  const std::string prefix = "field '" + std::string(column.name()) + "': ";
  out.name = std::string(column.name());
  out.type = column.type();
  out.uses = column.uses();
  out.present.assign(document_count, 0);
  out.keys.assign(document_count, 0);
  out.dictionary.clear();
  if (column.type() == FieldType::kKeyword) {
    for (std::uint32_t i = 0; i < column.dictionary_size(); ++i) {
      const std::string_view value = column.KeywordAt(i);
      if (value.size() > kMaxKeywordBytes || !utf8::IsValid(value)) {
        *error = prefix + "dictionary value " + std::to_string(i) + " is not a keyword";
        return false;
      }
      if (i > 0 && !(out.dictionary.back() < value)) {
        *error = prefix + "dictionary not strictly in byte order at value " + std::to_string(i);
        return false;
      }
      out.dictionary.emplace_back(value);
    }
  }
  std::uint64_t present = 0;
  for (std::uint64_t d = 0; d < document_count; ++d) {
    const auto doc = static_cast<DocId>(d);
    if (!column.Has(doc)) continue;
    const std::int64_t key = column.Key(doc);
    const bool valid = [&] {
      switch (column.type()) {
        case FieldType::kKeyword:
          return key >= 0 && static_cast<std::uint64_t>(key) < column.dictionary_size();
        case FieldType::kBoolean:
          return key == 0 || key == 1;
        case FieldType::kFloat:
          return !std::isnan(FloatOfKey(key));
        case FieldType::kDate:
          return key >= kFirstDateKey && key < kEndDateKey;
        case FieldType::kInteger:
          return true;
      }
      return false;
    }();
    if (!valid) {
      *error = prefix + "document " + std::to_string(d) + " holds an invalid " +
               std::string(FieldTypeName(column.type())) + " key " + std::to_string(key);
      return false;
    }
    out.present[d] = 1;
    out.keys[d] = key;
    ++present;
  }
  if (present != column.present_count()) {
    *error = prefix + "present count " + std::to_string(column.present_count()) + ", found " +
             std::to_string(present);
    return false;
  }
  return true;
}

}  // namespace fathom::format
