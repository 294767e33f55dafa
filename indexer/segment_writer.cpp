#include "indexer/segment_writer.hpp"

#include <algorithm>
#include <array>

#include "common/codec.hpp"
#include "common/error.hpp"
#include "common/format.hpp"
#include "common/impacts.hpp"

namespace fathom {
namespace {

// Byte length of the position varints of `count` postings starting at `at`.
std::size_t SkipPositions(std::string_view positions, std::size_t at,
                          const std::uint32_t* frequencies, std::size_t count) {
  std::size_t varints = 0;
  for (std::size_t i = 0; i < count; ++i) varints += frequencies[i];
  std::size_t pos = at;
  while (varints > 0) {
    if (static_cast<unsigned char>(positions[pos++]) < 0x80) --varints;
  }
  return pos - at;
}

void WriteLengths(const InvertedIndex& index, const std::filesystem::path& dir,
                  std::vector<IndexFileRecord>& written) {
  FileWriter file(dir, format::kLengthsFile);
  std::string header;
  format::Put<std::uint64_t>(header, index.document_count());
  format::Put<std::uint64_t>(header, index.total_length());
  file.Append(header);
  const auto& lengths = index.lengths();
  file.Append(std::string_view(reinterpret_cast<const char*>(lengths.data()),
                               lengths.size() * sizeof(std::uint32_t)));
  written.push_back(file.Finish());
}

void WriteSketches(const InvertedIndex& index, const std::filesystem::path& dir,
                   std::vector<IndexFileRecord>& written) {
  FileWriter file(dir, format::kMinHashFile);
  std::string bytes;
  format::Put<std::uint64_t>(bytes, index.document_count());
  for (const MinHashSketch& sketch : index.sketches()) {
    format::Put<std::uint32_t>(bytes, sketch.shingles);
    for (const std::uint16_t value : sketch.values) format::Put<std::uint16_t>(bytes, value);
    if (bytes.size() >= (1 << 20)) {
      file.Append(bytes);
      bytes.clear();
    }
  }
  file.Append(bytes);
  written.push_back(file.Finish());
}

void WriteDocIds(const std::vector<std::string>& ids, const std::filesystem::path& dir,
                 std::vector<IndexFileRecord>& written) {
  FileWriter file(dir, format::kDocIdsFile);
  std::string offsets;
  format::Put<std::uint64_t>(offsets, ids.size());
  std::uint64_t offset = 0;
  for (const auto& id : ids) {
    format::Put<std::uint64_t>(offsets, offset);
    offset += id.size();
  }
  format::Put<std::uint64_t>(offsets, offset);
  file.Append(offsets);
  for (const auto& id : ids) file.Append(id);
  written.push_back(file.Finish());
}

}  // namespace

void EncodePostings(const std::vector<DocId>& docs, const std::vector<std::uint32_t>& frequencies,
                    std::string_view positions, const std::vector<std::uint32_t>& lengths,
                    std::string& out) {
  const std::size_t n = docs.size();
  const std::size_t block_count = (n + codec::kBlockSize - 1) / codec::kBlockSize;
  std::string blocks;
  std::string impacts;
  std::vector<format::SkipEntry> skips(block_count);
  std::array<std::uint32_t, codec::kBlockSize> gaps;
  std::array<std::uint32_t, codec::kBlockSize> freqs;
  std::array<std::uint32_t, codec::kBlockSize> block_lengths;
  DocId previous = 0;
  std::size_t positions_at = 0;
  for (std::size_t b = 0; b < block_count; ++b) {
    const std::size_t start = b * codec::kBlockSize;
    const std::size_t count = std::min(codec::kBlockSize, n - start);
    format::SkipEntry& skip = skips[b];
    skip.last_doc = docs[start + count - 1];
    skip.min_length = UINT32_MAX;
    skip.positions_offset = positions_at;
    for (std::size_t i = 0; i < count; ++i) {
      gaps[i] = docs[start + i] - previous;
      previous = docs[start + i];
      freqs[i] = frequencies[start + i] - 1;
      block_lengths[i] = lengths[docs[start + i]];
      skip.max_frequency = std::max(skip.max_frequency, frequencies[start + i]);
      skip.min_length = std::min(skip.min_length, block_lengths[i]);
    }
    if (block_count > 1) {
      skip.impacts_offset = static_cast<std::uint32_t>(impacts.size());
      format::Impact pairs[format::kMaxImpacts];
      const std::size_t pair_count =
          CompetitiveImpacts(&frequencies[start], block_lengths.data(), count, pairs);
      format::PutImpacts(impacts, pairs, pair_count, skip.min_length);
    }
    skip.block_offset = static_cast<std::uint32_t>(blocks.size());  // made absolute below
    if (count == codec::kBlockSize) {
      const std::uint32_t doc_width = codec::MaxBitWidth(gaps.data(), count);
      const std::uint32_t freq_width = codec::MaxBitWidth(freqs.data(), count);
      blocks.push_back(static_cast<char>(doc_width));
      blocks.push_back(static_cast<char>(freq_width));
      codec::PackBlock(gaps.data(), doc_width, blocks);
      codec::PackBlock(freqs.data(), freq_width, blocks);
    } else {
      for (std::size_t i = 0; i < count; ++i) codec::PutVarint(gaps[i], blocks);
      for (std::size_t i = 0; i < count; ++i) codec::PutVarint(freqs[i], blocks);
    }
    positions_at += SkipPositions(positions, positions_at, &frequencies[start], count);
  }
  // A single block needs no skip table or impact record: its entry is
  // derived when decoded. Most terms are rare (Zipf), so this saves 28 bytes
  // and more on most terms.
  if (block_count > 1) {
    // Block offsets count from the end of the skip table, past the impacts.
    if (impacts.size() + blocks.size() > UINT32_MAX) {
      throw InputError("posting list too large for the format (over 4 GiB)");
    }
    for (format::SkipEntry& skip : skips) {
      skip.block_offset += static_cast<std::uint32_t>(impacts.size());
      format::PutSkipEntry(out, skip);
    }
    out.append(impacts);
  }
  out.append(blocks);
}

std::vector<IndexFileRecord> WriteSegment(const InvertedIndex& index,
                                          const std::vector<std::string>& external_ids,
                                          const std::filesystem::path& dir) {
  std::vector<IndexFileRecord> written;
  FileWriter postings_file(dir, format::kPostingsFile);
  FileWriter positions_file(dir, format::kPositionsFile);
  std::string entries;
  std::string pool;
  std::string encoded;
  const auto terms = index.SortedTerms();
  entries.reserve(terms.size() * format::kTermEntrySize);
  for (const auto& [term, postings] : terms) {
    format::TermEntry entry{};
    entry.postings_offset = postings_file.offset();
    entry.positions_offset = positions_file.offset();
    entry.collection_frequency = postings->collection_frequency;
    entry.document_frequency = static_cast<std::uint32_t>(postings->docs.size());
    if (pool.size() + term.size() > UINT32_MAX) {
      throw InputError("term dictionary too large for format v1 (over 4 GiB of term text)");
    }
    entry.pool_offset = static_cast<std::uint32_t>(pool.size());
    entry.term_length = static_cast<std::uint16_t>(term.size());
    pool.append(term);
    format::PutTermEntry(entries, entry);

    encoded.clear();
    EncodePostings(postings->docs, postings->frequencies, postings->positions, index.lengths(),
                   encoded);
    postings_file.Append(encoded);
    positions_file.Append(postings->positions);
  }
  const std::string padding(format::kPostingPadding, '\0');
  postings_file.Append(padding);
  positions_file.Append(padding);
  written.push_back(postings_file.Finish());
  written.push_back(positions_file.Finish());

  FileWriter dictionary(dir, format::kDictionaryFile);
  std::string counts;
  format::Put<std::uint64_t>(counts, terms.size());
  format::Put<std::uint64_t>(counts, pool.size());
  dictionary.Append(counts);
  dictionary.Append(entries);
  dictionary.Append(pool);
  written.push_back(dictionary.Finish());

  WriteLengths(index, dir, written);
  WriteDocIds(external_ids, dir, written);
  WriteSketches(index, dir, written);
  return written;
}

}  // namespace fathom
