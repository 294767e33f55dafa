#include "common/format/field_lengths.hpp"

#include <algorithm>
#include <iterator>

#include "common/analysis/fields.hpp"

namespace fathom::format {

void PutLengthsColumn(std::string& out, const std::vector<std::uint32_t>& lengths) {
  std::uint64_t total = 0;
  std::uint32_t longest = 0;
  for (const std::uint32_t length : lengths) {
    total += length;
    longest = std::max(longest, length);
  }
  const unsigned width = BitsFor(longest);
  Put<std::uint64_t>(out, total);
  Put<std::uint64_t>(out, width);
  const std::size_t packed_at = out.size();
  out.append(PackedBytes(lengths.size(), width), '\0');
  auto* packed = reinterpret_cast<std::uint8_t*>(out.data() + packed_at);
  for (std::size_t d = 0; d < lengths.size(); ++d) PutPacked(packed, d, width, lengths[d]);
}

const std::uint8_t* GetLengthsColumn(const std::uint8_t* in, const std::uint8_t* end,
                                     std::uint64_t document_count, LengthsColumn* column,
                                     std::string* error) {
  if (end - in < 16) {
    *error = "too short for a total length and width";
    return nullptr;
  }
  column->total_length = Get<std::uint64_t>(in);
  const std::uint64_t width = Get<std::uint64_t>(in + 8);
  in += 16;
  if (width > 32) {
    *error = "length width " + std::to_string(width) + " is over 32 bits";
    return nullptr;
  }
  // The first test keeps PackedBytes' multiplication from overflowing.
  const std::uint64_t available = static_cast<std::uint64_t>(end - in);
  if ((width != 0 && document_count > available * 8 / width) ||
      PackedBytes(document_count, static_cast<unsigned>(width)) > available) {
    *error = "holds " + std::to_string(available) + " bytes, too few for " +
             std::to_string(document_count) + " lengths of " + std::to_string(width) + " bits";
    return nullptr;
  }
  column->lengths = DocLengths(in, static_cast<unsigned>(width));
  return in + PackedBytes(document_count, static_cast<unsigned>(width));
}

std::string VerifyLengthsColumn(const LengthsColumn& column, std::uint64_t document_count) {
  std::uint64_t sum = 0;
  std::uint32_t longest = 0;
  for (std::uint64_t d = 0; d < document_count; ++d) {
    sum += column.lengths[d];
    longest = std::max(longest, column.lengths[d]);
  }
  if (column.lengths.width() != BitsFor(longest)) {
    return "lengths take " + std::to_string(column.lengths.width()) + " bits each; the longest, " +
           std::to_string(longest) + ", needs " + std::to_string(BitsFor(longest));
  }
  if (!PackedPaddingIsZero(column.lengths.data(), document_count, column.lengths.width())) {
    return "the padding after the lengths is not zero";
  }
  if (sum != column.total_length) {
    return "lengths add up to " + std::to_string(sum) + ", not the recorded total " +
           std::to_string(column.total_length);
  }
  return "";
}

void PutFieldLengths(
    std::string& out, std::uint64_t document_count,
    const std::vector<std::pair<std::string_view, const std::vector<std::uint32_t>*>>& fields) {
  Put<std::uint64_t>(out, document_count);
  Put<std::uint64_t>(out, fields.size());
  for (const auto& [field, lengths] : fields) {
    Put<std::uint64_t>(out, field.size());
    out.append(field);
    PutLengthsColumn(out, *lengths);
  }
}

bool ParseFieldLengths(const std::uint8_t* data, std::uint64_t size, std::uint64_t document_count,
                       std::vector<FieldLengths>* fields, std::string* error) {
  const std::uint8_t* in = data;
  const std::uint8_t* const end = data + size;
  if (size < 16) {
    *error = "too short for its counts";
    return false;
  }
  if (Get<std::uint64_t>(in) != document_count) {
    *error = "document count " + std::to_string(Get<std::uint64_t>(in)) + " differs from meta's " +
             std::to_string(document_count);
    return false;
  }
  const std::uint64_t count = Get<std::uint64_t>(in + 8);
  in += 16;
  if (count != std::size(kFields)) {
    *error = "holds " + std::to_string(count) + " fields, not the " +
             std::to_string(std::size(kFields)) + " of this version";
    return false;
  }
  fields->clear();
  for (const std::string_view expected : kFields) {
    if (end - in < 8 || Get<std::uint64_t>(in) != expected.size() ||
        static_cast<std::uint64_t>(end - in - 8) < expected.size() ||
        std::string_view(reinterpret_cast<const char*>(in + 8), expected.size()) != expected) {
      *error =
          "field " + std::to_string(fields->size()) + " is not '" + std::string(expected) + "'";
      return false;
    }
    in += 8 + expected.size();
    FieldLengths field{std::string(expected), {}};
    in = GetLengthsColumn(in, end, document_count, &field.column, error);
    if (in == nullptr) {
      *error = "field '" + field.field + "': " + *error;
      return false;
    }
    fields->push_back(std::move(field));
  }
  if (in != end) {
    *error = std::to_string(end - in) + " bytes after the last field";
    return false;
  }
  return true;
}

}  // namespace fathom::format
