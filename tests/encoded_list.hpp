// A posting list built in memory and encoded by the segment writer, for the
// tests that decode it with PostingCursor over raw bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/format/codec.hpp"
#include "common/read/posting_cursor.hpp"
#include "indexer/write/segment_writer.hpp"

namespace fathom::testing {

struct EncodedList {
  std::vector<DocId> docs;
  std::vector<std::uint32_t> frequencies;
  std::vector<std::vector<std::uint32_t>> positions;
  std::string position_bytes;  // the writer's input: varints
  std::string bytes;
  format::EncodedPositions encoded_positions;  // postings.pos's bytes
  std::vector<std::uint32_t> lengths;          // indexed by doc id
  std::string length_bytes;

  explicit EncodedList(std::uint64_t collection) : lengths(collection, 0) {}

  // Appends doc's posting: its positions (increasing) and its document length.
  void Add(DocId doc, std::vector<std::uint32_t> doc_positions, std::uint32_t length) {
    docs.push_back(doc);
    frequencies.push_back(static_cast<std::uint32_t>(doc_positions.size()));
    for (std::size_t i = 0; i < doc_positions.size(); ++i) {
      codec::PutVarint(i == 0 ? doc_positions[0] : doc_positions[i] - doc_positions[i - 1],
                       position_bytes);
    }
    positions.push_back(std::move(doc_positions));
    lengths[doc] = length;
  }

  // Encodes the list after its last Add.
  void Encode() {
    // At 32 bits each, packed lengths are the little-endian u32s.
    length_bytes.assign(reinterpret_cast<const char*>(lengths.data()), lengths.size() * 4);
    length_bytes.resize(format::PackedBytes(lengths.size(), 32), '\0');
    EncodePostings(docs, frequencies, position_bytes, lengths, bytes, encoded_positions);
  }

  std::uint64_t CollectionFrequency() const {
    std::uint64_t sum = 0;
    for (const std::uint32_t frequency : frequencies) sum += frequency;
    return sum;
  }

  // The list's bytes; with `validated`, a long list is remembered there as
  // a reader's are.
  PostingListData Data(ValidatedLists* validated = nullptr) const {
    return {reinterpret_cast<const std::uint8_t*>(bytes.data()),
            reinterpret_cast<const std::uint8_t*>(bytes.data() + bytes.size()),
            reinterpret_cast<const std::uint8_t*>(encoded_positions.bytes.data()),
            reinterpret_cast<const std::uint8_t*>(encoded_positions.bytes.data() +
                                                  encoded_positions.bytes.size()),
            static_cast<std::uint32_t>(docs.size()),
            CollectionFrequency(),
            lengths.size(),
            format::DocLengths(reinterpret_cast<const std::uint8_t*>(length_bytes.data()), 32),
            0,
            validated};
  }
};

}  // namespace fathom::testing
