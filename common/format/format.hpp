// The on-disk layout shared by the index writer and reader. docs/FORMAT.md is
// the byte-level specification; this header is its single implementation:
// file names, magic numbers, record sizes and the header/footer every file
// carries.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/contract.hpp"
#include "common/format/packed_bits.hpp"

namespace fathom::format {

static_assert(std::endian::native == std::endian::little,
              "Fathom's files are little-endian and read in place");

// Format version history (bump on any incompatible change, note it here and
// in docs/FORMAT.md):
//   1  first format: dictionary, bit-packed 128-posting blocks with skip and
//      block-max entries, varint positions, u32 lengths, zstd document store.
//   2  adds `minhash`: a MinHash sketch per document, for folding
//      near-duplicate results.
//   3  an index is a `manifest` naming immutable segments (each a folder of
//      the files above) and per-segment deletion bitmaps; impact records:
//      per block of a multi-block list, the (frequency, length) pairs that
//      can hold its best BM25 score; skip entries grow to 28 bytes with
//      their offset.
//   4  adds `checksums`: a checksum per 4 KiB page of the large files
//      (postings, positions, store), which readers verify before they use a
//      page, so that no answer comes from bytes no checksum has vouched for.
//   5  adds `sources`: the files on disk a segment's documents came from
//      (path, size, modification time, content hash, documents), for
//      `fathom-index sync` and for showing a result's file.
//   6  positions in blocks of 128 values with patched bit-packing (PFor),
//      a varint tail; skip entries' positions_offset becomes a mark (block
//      offset x 128 + index in the block). `docids` front-coded in blocks.
//   7  patched posting blocks, folded tail postings, narrow lengths.
//   8  skip tables in the fewest bytes a field needs; docids entries fold
//      short rests into the shared length.
//   9  adds `fields`: typed field values (keyword, integer, float, date,
//      boolean) in bit-packed columns, for filters, sorting and facets;
//      and `fieldlens`: each document's length in each text field (the
//      title), which BM25F normalizes field by field.
//  10  `doclens` and `fieldlens` bit-pack each length in the fewest bits
//      that hold the longest, instead of the fewest whole bytes.
//  11  `terms.dict` front-codes term texts: an entry gives the bytes its
//      term shares with the previous one and the pool holds only the rest.
//  12  word pairs: adjacent pair words (fields.hpp) are also indexed as one
//      term, "pair:" + first + " " + second, which phrases use.
inline constexpr std::uint32_t kFormatVersion = 12;

inline constexpr char kMagic[4] = {'F', 'T', 'H', 'M'};
inline constexpr char kFooterMagic[4] = {'F', 'T', 'H', 'E'};
inline constexpr std::size_t kHeaderSize = 16;
inline constexpr std::size_t kFooterSize = 16;
// Zero bytes before the footer of posting files, so a SIMD decoder may read
// past the last block without leaving the mapping.
inline constexpr std::size_t kPostingPadding = 16;

// One entry per file of an index: its name in the index directory and the
// four-character tag in its header.
struct FileKind {
  const char* file_name;
  char tag[4];
};
inline constexpr FileKind kMetaFile{"meta", {'M', 'E', 'T', 'A'}};
inline constexpr FileKind kDictionaryFile{"terms.dict", {'D', 'I', 'C', 'T'}};
inline constexpr FileKind kPostingsFile{"postings.doc", {'P', 'D', 'O', 'C'}};
inline constexpr FileKind kPositionsFile{"postings.pos", {'P', 'P', 'O', 'S'}};
inline constexpr FileKind kLengthsFile{"doclens", {'L', 'E', 'N', 'S'}};
inline constexpr FileKind kDocIdsFile{"docids", {'D', 'I', 'D', 'S'}};
inline constexpr FileKind kStoreFile{"store", {'S', 'T', 'O', 'R'}};
inline constexpr FileKind kMinHashFile{"minhash", {'M', 'I', 'N', 'H'}};
inline constexpr FileKind kChecksumsFile{"checksums", {'S', 'U', 'M', 'S'}};
inline constexpr FileKind kSourcesFile{"sources", {'S', 'R', 'C', 'S'}};
inline constexpr FileKind kFieldsFile{"fields", {'F', 'L', 'D', 'S'}};
inline constexpr FileKind kFieldLengthsFile{"fieldlens", {'F', 'L', 'E', 'N'}};
// In the index folder itself, beside the segment folders. A deletion file is
// named after its segment and generation (common/format/manifest.hpp).
inline constexpr FileKind kManifestFile{"manifest", {'M', 'A', 'N', 'I'}};
inline constexpr FileKind kDeletesFile{"deletes", {'D', 'E', 'L', 'S'}};

// The data files listed in the meta file.
inline constexpr FileKind kDataFiles[] = {
    kDictionaryFile, kPostingsFile,  kPositionsFile, kLengthsFile, kDocIdsFile,      kStoreFile,
    kMinHashFile,    kChecksumsFile, kSourcesFile,   kFieldsFile,  kFieldLengthsFile};

// checksums: the files whose pages carry checksums of their own. They are
// too large to verify whole when a reader opens them; a reader verifies
// each page the first time it reads from it instead. A page is as large as
// a memory page, so verification reads nothing a query would not.
inline constexpr FileKind kPageCheckedFiles[] = {kPostingsFile, kPositionsFile, kStoreFile};
// Listed too by writers since the searcher reads sketches only for the
// results it shows: verified whole, the 57 MB of the Wikipedia index's
// sketches were three quarters of a searcher's start-up (50 of 65 ms). A
// version 12 index written before lists only kPageCheckedFiles; readers
// then verify its sketches whole when they open it.
inline constexpr FileKind kOptionallyPageCheckedFiles[] = {kMinHashFile};
inline constexpr std::uint32_t kPageSizeLog2 = 12;
inline constexpr std::uint64_t kPageSize = std::uint64_t{1} << kPageSizeLog2;
inline constexpr std::uint64_t PageCount(std::uint64_t file_size) {
  return (file_size + kPageSize - 1) >> kPageSizeLog2;
}

// terms.dict: the terms in byte order, in blocks of kTermBlockTerms. A
// fixed-size block table gives each block's first term's place (postings,
// positions, term text, entry bytes); each term's entry is varints: the
// bytes it shares with the previous term of its block (0 for a block's
// first) and how many follow, postings and positions byte counts, document
// frequency, collection frequency minus document frequency. The pool holds
// each term's bytes after the shared ones (front coding). docs/FORMAT.md,
// "terms.dict".
inline constexpr std::size_t kTermBlockTerms = 16;
inline constexpr std::size_t kTermBlockSize = 24;
inline constexpr std::size_t kDictionaryHeaderSize = 32;
// An entry's first varint is suffix_length * 16 + min(shared_prefix, 15);
// a shared prefix of 15 bytes or more continues in a second varint (the
// excess), so that most entries spend one byte on both.
inline constexpr std::uint32_t kSharedPrefixInHead = 15;
struct TermBlock {
  std::uint64_t postings_offset;   // absolute offset of the first term's postings
  std::uint64_t positions_offset;  // absolute offset of the first term's positions
  std::uint32_t pool_offset;       // of the first term's text, in the pool
  std::uint32_t entries_offset;    // of the first term's entry, in the entries
};
// A term's entry, decoded, with its absolute offsets.
struct TermEntry {
  std::uint64_t postings_offset;   // absolute offset of the skip table in postings.doc
  std::uint64_t positions_offset;  // absolute offset of the first position in postings.pos
  std::uint64_t collection_frequency;
  std::uint32_t document_frequency;
  std::uint32_t pool_offset;      // of the term's suffix (the bytes not shared), in the pool
  std::uint16_t shared_prefix;    // bytes shared with the previous term of the block
  std::uint16_t suffix_length;    // bytes in the pool; never 0 (terms are distinct)
  std::uint64_t postings_bytes;   // its postings: [postings_offset, + postings_bytes)
  std::uint64_t positions_bytes;  // its positions: [positions_offset, + positions_bytes)
  std::uint32_t term_length() const { return std::uint32_t{shared_prefix} + suffix_length; }
};

// postings.doc: a skip table of one entry per block, then one impact record
// per block, then the blocks.
struct SkipEntry {
  std::uint32_t last_doc;          // largest doc id in the block
  std::uint32_t block_offset;      // from the end of the skip table
  std::uint32_t max_frequency;     // largest term frequency in the block
  std::uint32_t min_length;        // shortest document length in the block
  std::uint64_t positions_offset;  // mark of the block's first position (position_blocks.hpp)
  std::uint32_t impacts_offset;    // from the end of the skip table
};

// A posting of a tail block (the last block of a list, under 128
// postings): varint(gap << 1 | 1) when its frequency is 1, otherwise
// varint(gap << 1) then varint(frequency - 2), as Lucene folds them. Most
// postings of rare terms have frequency 1, so they take one varint.
void PutTailPosting(std::uint32_t gap, std::uint32_t frequency, std::string& out);
// Decodes one tail posting at in (before end); returns the byte after it, or
// nullptr when it runs past end, the gap does not fit 32 bits, or the
// frequency overflows. Never reads outside [in, end).
const std::uint8_t* GetTailPosting(const std::uint8_t* in, const std::uint8_t* end,
                                   std::uint32_t* gap, std::uint32_t* frequency) noexcept;

// A list's skip table (docs/FORMAT.md, "SkipTable"; since version 8): six
// width bytes, then one entry per block, each field a little-endian integer
// of its width, the fewest bytes (1 to 8) that hold the field's largest value
// in the list. Entries keep a fixed size, so block b's is found directly.
inline constexpr std::size_t kSkipFields = 6;
inline constexpr std::size_t kSkipHeaderSize = kSkipFields;
// Bytes a reader may load past a field (an 8-byte load masked to its
// width): the list's impact records and blocks always follow its table.
inline constexpr std::size_t kSkipReadPast = 7;

// Appends the table of entries (at least 2).
void PutSkipTable(std::string& out, const SkipEntry* entries, std::size_t count);

class SkipTable {
 public:
  SkipTable() = default;
  // The table of `count` entries at in. False when its widths are not 1 to 8
  // or it (with kSkipReadPast bytes after it) runs past end.
  bool Open(const std::uint8_t* in, const std::uint8_t* end, std::size_t count) noexcept;
  // Bytes of the table, header included.
  std::size_t size() const noexcept { return kSkipHeaderSize + entry_size_ * count_; }
  std::size_t entry_size() const noexcept { return entry_size_; }
  // REQUIRES: block < the count given to Open.
  SkipEntry At(std::size_t block) const noexcept {
    const std::uint8_t* entry = entries_ + block * entry_size_;
    return {static_cast<std::uint32_t>(Field(entry, 0)),
            static_cast<std::uint32_t>(Field(entry, 1)),
            static_cast<std::uint32_t>(Field(entry, 2)),
            static_cast<std::uint32_t>(Field(entry, 3)),
            Field(entry, 4),
            static_cast<std::uint32_t>(Field(entry, 5))};
  }
  std::uint32_t LastDocAt(std::size_t block) const noexcept {
    return static_cast<std::uint32_t>(Field(entries_ + block * entry_size_, 0));
  }
  std::uint32_t BlockOffsetAt(std::size_t block) const noexcept {
    return static_cast<std::uint32_t>(Field(entries_ + block * entry_size_, 1));
  }
  std::uint32_t ImpactsOffsetAt(std::size_t block) const noexcept {
    return static_cast<std::uint32_t>(Field(entries_ + block * entry_size_, 5));
  }

 private:
  std::uint64_t Field(const std::uint8_t* entry, std::size_t field) const noexcept {
    std::uint64_t value;
    std::memcpy(&value, entry + offsets_[field], sizeof value);
    return value & masks_[field];
  }
  const std::uint8_t* entries_ = nullptr;
  std::size_t count_ = 0;
  std::size_t entry_size_ = 0;
  std::uint8_t offsets_[kSkipFields] = {};
  std::uint64_t masks_[kSkipFields] = {};
};

// A (term frequency, document length) pair of a block's impact record.
struct Impact {
  std::uint32_t frequency;
  std::uint32_t length;
};
// Most pairs an impact record holds: enough for every block of real lists
// to keep its exact set (docs/FORMAT.md), few enough to bound the work of
// evaluating a block's bound.
inline constexpr std::size_t kMaxImpacts = 8;

// store: block table entries after the compressed blocks.
inline constexpr std::size_t kStoreBlockEntrySize = 16;
inline constexpr std::size_t kStoreTrailerSize = 24;

// ---- Little-endian scalar access ------------------------------------------

template <typename T>
inline void Put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

template <typename T>
inline T Get(const std::uint8_t* in) noexcept {
  T value;
  std::memcpy(&value, in, sizeof(T));
  return value;
}

// doclens and fieldlens: each document's length bit-packed in the fewest
// bits that hold the longest (docs/FORMAT.md, "doclens").
class DocLengths {
 public:
  DocLengths() = default;
  // REQUIRES: width <= 32; data holds PackedBytes(document_count, width)
  // bytes (packed_bits.hpp).
  DocLengths(const std::uint8_t* data, unsigned width) noexcept
      : data_(data), width_(width), mask_(WidthMask(width)) {
    FATHOM_REQUIRE(width <= 32, "a length fits 32 bits");
  }
  std::uint32_t operator[](std::uint64_t doc) const noexcept {
    return static_cast<std::uint32_t>(GetPacked(data_, doc, width_, mask_));
  }
  // Asks for doc's length to be brought into the cache before it is read.
  // A hint, harmless for any doc, kEndDoc included: a prefetch never
  // faults, and the address is computed as an integer, not as a pointer
  // past the lengths.
  void Prefetch(std::uint64_t doc) const noexcept {
    __builtin_prefetch(reinterpret_cast<const void*>(reinterpret_cast<std::uintptr_t>(data_) +
                                                     ((doc * width_) >> 3)));
  }
  unsigned width() const noexcept { return width_; }
  const std::uint8_t* data() const noexcept { return data_; }

 private:
  // A default-constructed view holds no document; its width reads nothing.
  static constexpr std::uint8_t kNoLengths[kPackedPadding] = {};
  const std::uint8_t* data_ = kNoLengths;
  unsigned width_ = 0;
  std::uint64_t mask_ = 0;
};

void PutTermBlock(std::string& out, const TermBlock& block);
TermBlock GetTermBlock(const std::uint8_t* in) noexcept;
// A term's entry in its block: its varints.
void PutTermEntry(std::string& out, const TermEntry& entry);
// Decodes the entry at in (before end) into entry's lengths and frequencies
// (the offsets are the caller's). Returns the byte after it, or nullptr
// when it runs past end, a value does not fit its field, or the suffix
// length is 0 or the document frequency 0. Whether the shared prefix fits
// the previous term is the caller's to check.
const std::uint8_t* GetTermEntry(const std::uint8_t* in, const std::uint8_t* end,
                                 TermEntry* entry) noexcept;
// An impact record: the pairs in increasing frequency (and length), each as
// the varint differences from the previous pair, the first from (0,
// min_length). REQUIRES: 1 <= count <= kMaxImpacts, pairs increasing in
// both, the first length >= min_length.
void PutImpacts(std::string& out, const Impact* impacts, std::size_t count,
                std::uint32_t min_length);
// Decodes the record in [in, end) into out (room for kMaxImpacts); returns
// the number of pairs, or 0 when the record is empty, malformed, longer
// than kMaxImpacts pairs or overflows 32 bits. Never reads outside [in, end).
std::size_t GetImpacts(const std::uint8_t* in, const std::uint8_t* end, std::uint32_t min_length,
                       Impact* out) noexcept;

// ---- Header and footer -------------------------------------------------------

// Appends the 16-byte header for a file of this kind.
void PutHeader(std::string& out, const FileKind& kind);

// 64-bit XXH3 of the bytes, the checksum every footer carries.
std::uint64_t Checksum(const void* data, std::size_t size) noexcept;

// Checks the header (magic, kind, version) and the footer magic of a whole
// file image; when verify_checksum, also recomputes the checksum. Throws
// CorruptIndexError or FormatVersionError naming path.
void ValidateFile(const std::filesystem::path& path, const FileKind& kind, const std::uint8_t* data,
                  std::size_t size, bool verify_checksum);

// The checksum recorded in a file's footer. REQUIRES: size >= kFooterSize.
std::uint64_t StoredChecksum(const std::uint8_t* data, std::size_t size) noexcept;

// Payload of a validated file: the bytes between header and footer.
struct Payload {
  const std::uint8_t* data;
  std::size_t size;
};
inline Payload PayloadOf(const std::uint8_t* data, std::size_t size) {
  return {data + kHeaderSize, size - kHeaderSize - kFooterSize};
}

}  // namespace fathom::format
