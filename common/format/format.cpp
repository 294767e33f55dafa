#include "common/format/format.hpp"

#include <xxhash.h>

#include <algorithm>
#include <array>
#include <bit>

#include "common/error.hpp"
#include "common/format/codec.hpp"

namespace fathom::format {

void PutTermBlock(std::string& out, const TermBlock& block) {
  Put<std::uint64_t>(out, block.postings_offset);
  Put<std::uint64_t>(out, block.positions_offset);
  Put<std::uint32_t>(out, block.pool_offset);
  Put<std::uint32_t>(out, block.entries_offset);
}

TermBlock GetTermBlock(const std::uint8_t* in) noexcept {
  return {Get<std::uint64_t>(in), Get<std::uint64_t>(in + 8), Get<std::uint32_t>(in + 16),
          Get<std::uint32_t>(in + 20)};
}

void PutTermEntry(std::string& out, const TermEntry& e) {
  const std::uint32_t head_shared = std::min<std::uint32_t>(e.shared_prefix, kSharedPrefixInHead);
  codec::PutVarint(std::uint32_t{e.suffix_length} * 16 + head_shared, out);
  if (head_shared == kSharedPrefixInHead) codec::PutVarint(e.shared_prefix - head_shared, out);
  codec::PutVarint(e.postings_bytes, out);
  codec::PutVarint(e.positions_bytes, out);
  codec::PutVarint(e.document_frequency, out);
  codec::PutVarint(e.collection_frequency - e.document_frequency, out);
}

const std::uint8_t* GetTermEntry(const std::uint8_t* in, const std::uint8_t* end,
                                 TermEntry* e) noexcept {
  std::uint32_t head = 0, shared = 0, df = 0;
  std::uint64_t extra = 0;
  in = codec::GetVarint(in, end, &head);
  if (in == nullptr) return nullptr;
  const std::uint32_t suffix = head / 16;
  shared = head % 16;
  if (shared == kSharedPrefixInHead) {
    std::uint32_t more = 0;
    in = codec::GetVarint(in, end, &more);
    if (in == nullptr || more > UINT16_MAX - shared) return nullptr;
    shared += more;
  }
  if (suffix == 0 || suffix > UINT16_MAX || shared + suffix > UINT16_MAX) return nullptr;
  in = codec::GetVarint64(in, end, &e->postings_bytes);
  if (in == nullptr) return nullptr;
  in = codec::GetVarint64(in, end, &e->positions_bytes);
  if (in == nullptr) return nullptr;
  in = codec::GetVarint(in, end, &df);
  if (in == nullptr || df == 0) return nullptr;
  in = codec::GetVarint64(in, end, &extra);
  if (in == nullptr || extra > UINT64_MAX - df) return nullptr;
  e->shared_prefix = static_cast<std::uint16_t>(shared);
  e->suffix_length = static_cast<std::uint16_t>(suffix);
  e->document_frequency = df;
  e->collection_frequency = df + extra;
  return in;
}

namespace {
std::array<std::uint64_t, kSkipFields> FieldsOf(const SkipEntry& e) {
  return {e.last_doc,   e.block_offset,     e.max_frequency,
          e.min_length, e.positions_offset, e.impacts_offset};
}
}  // namespace

void PutSkipTable(std::string& out, const SkipEntry* entries, std::size_t count) {
  std::array<std::uint64_t, kSkipFields> largest{};
  for (std::size_t i = 0; i < count; ++i) {
    const auto fields = FieldsOf(entries[i]);
    for (std::size_t f = 0; f < kSkipFields; ++f) largest[f] = std::max(largest[f], fields[f]);
  }
  std::array<std::uint8_t, kSkipFields> widths{};
  for (std::size_t f = 0; f < kSkipFields; ++f) {
    const auto bytes = (static_cast<unsigned>(std::bit_width(largest[f])) + 7) / 8;
    widths[f] = static_cast<std::uint8_t>(std::max(1u, bytes));
    out.push_back(static_cast<char>(widths[f]));
  }
  for (std::size_t i = 0; i < count; ++i) {
    const auto fields = FieldsOf(entries[i]);
    for (std::size_t f = 0; f < kSkipFields; ++f) {
      for (std::uint8_t b = 0; b < widths[f]; ++b) {
        out.push_back(static_cast<char>(fields[f] >> (8 * b)));
      }
    }
  }
}

bool SkipTable::Open(const std::uint8_t* in, const std::uint8_t* end, std::size_t count) noexcept {
  if (end - in < static_cast<std::ptrdiff_t>(kSkipHeaderSize)) return false;
  entry_size_ = 0;
  for (std::size_t f = 0; f < kSkipFields; ++f) {
    const std::uint32_t width = in[f];
    if (width < 1 || width > 8) return false;
    offsets_[f] = static_cast<std::uint8_t>(entry_size_);
    masks_[f] = width == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * width)) - 1;
    entry_size_ += width;
  }
  count_ = count;
  entries_ = in + kSkipHeaderSize;
  const auto available = static_cast<std::uint64_t>(end - entries_);
  return count <= available / entry_size_ && available - count * entry_size_ >= kSkipReadPast;
}

void PutTailPosting(std::uint32_t gap, std::uint32_t frequency, std::string& out) {
  if (frequency == 1) {
    codec::PutVarint((std::uint64_t{gap} << 1) | 1, out);
  } else {
    codec::PutVarint(std::uint64_t{gap} << 1, out);
    codec::PutVarint(frequency - 2, out);
  }
}

const std::uint8_t* GetTailPosting(const std::uint8_t* in, const std::uint8_t* end,
                                   std::uint32_t* gap, std::uint32_t* frequency) noexcept {
  std::uint64_t folded = 0;
  in = codec::GetVarint64(in, end, &folded);
  if (in == nullptr || (folded >> 1) > UINT32_MAX) return nullptr;
  *gap = static_cast<std::uint32_t>(folded >> 1);
  if ((folded & 1) != 0) {
    *frequency = 1;
    return in;
  }
  std::uint32_t excess = 0;
  in = codec::GetVarint(in, end, &excess);
  if (in == nullptr || excess > UINT32_MAX - 2) return nullptr;
  *frequency = excess + 2;
  return in;
}

void PutImpacts(std::string& out, const Impact* impacts, std::size_t count,
                std::uint32_t min_length) {
  Impact previous{0, min_length};
  for (std::size_t i = 0; i < count; ++i) {
    codec::PutVarint(impacts[i].frequency - previous.frequency, out);
    codec::PutVarint(impacts[i].length - previous.length, out);
    previous = impacts[i];
  }
}

std::size_t GetImpacts(const std::uint8_t* in, const std::uint8_t* end, std::uint32_t min_length,
                       Impact* out) noexcept {
  std::uint64_t frequency = 0, length = min_length;
  std::size_t count = 0;
  while (in != end) {
    if (count == kMaxImpacts) return 0;
    std::uint32_t frequency_gap, length_gap;
    in = codec::GetVarint(in, end, &frequency_gap);
    if (in == nullptr) return 0;
    in = codec::GetVarint(in, end, &length_gap);
    if (in == nullptr) return 0;
    frequency += frequency_gap;
    length += length_gap;
    if (frequency > UINT32_MAX || length > UINT32_MAX) return 0;
    out[count++] = {static_cast<std::uint32_t>(frequency), static_cast<std::uint32_t>(length)};
  }
  return count;
}

void PutHeader(std::string& out, const FileKind& kind) {
  out.append(kMagic, 4);
  out.append(kind.tag, 4);
  Put<std::uint32_t>(out, kFormatVersion);
  Put<std::uint32_t>(out, 0);
}

std::uint64_t Checksum(const void* data, std::size_t size) noexcept {
  return XXH3_64bits(data, size);
}

std::uint64_t StoredChecksum(const std::uint8_t* data, std::size_t size) noexcept {
  return Get<std::uint64_t>(data + size - 8);
}

void ValidateFile(const std::filesystem::path& path, const FileKind& kind, const std::uint8_t* data,
                  std::size_t size, bool verify_checksum) {
  const std::string name = path.string();
  if (size < kHeaderSize + kFooterSize) {
    throw CorruptIndexError(name + ": file is truncated (" + std::to_string(size) +
                            " bytes, smaller than header and footer)");
  }
  if (std::memcmp(data, kMagic, 4) != 0) {
    throw CorruptIndexError(name + ": not a Fathom index file (bad magic number)");
  }
  if (std::memcmp(data + 4, kind.tag, 4) != 0) {
    throw CorruptIndexError(name + ": wrong file type (expected '" + std::string(kind.tag, 4) +
                            "', found '" + std::string(reinterpret_cast<const char*>(data + 4), 4) +
                            "')");
  }
  const auto version = Get<std::uint32_t>(data + 8);
  if (version != kFormatVersion) {
    throw FormatVersionError(name + ": index format version " + std::to_string(version) +
                             " is not supported (this build reads version " +
                             std::to_string(kFormatVersion) + "); rebuild the index");
  }
  const std::uint8_t* footer = data + size - kFooterSize;
  if (std::memcmp(footer, kFooterMagic, 4) != 0) {
    throw CorruptIndexError(name + ": file is truncated or damaged (bad footer at offset " +
                            std::to_string(size - kFooterSize) + ")");
  }
  if (verify_checksum) {
    const std::uint64_t actual = Checksum(data, size - kFooterSize);
    if (actual != StoredChecksum(data, size)) {
      throw CorruptIndexError(name + ": checksum mismatch, the file is damaged");
    }
  }
}

}  // namespace fathom::format
