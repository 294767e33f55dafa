#include "indexer/check/index_checker.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <optional>
#include <vector>

#include "common/analysis/analyzer.hpp"
#include "common/analysis/fields.hpp"
#include "common/analysis/minhash.hpp"
#include "common/analysis/utf8.hpp"
#include "common/error.hpp"
#include "common/format/codec.hpp"
#include "common/format/doc_ids.hpp"
#include "common/format/field_columns.hpp"
#include "common/format/field_lengths.hpp"
#include "common/format/format.hpp"
#include "common/format/impacts.hpp"
#include "common/format/index_meta.hpp"
#include "common/format/manifest.hpp"
#include "common/format/page_checksums.hpp"
#include "common/format/patched_blocks.hpp"
#include "common/format/position_blocks.hpp"
#include "common/format/sources.hpp"
#include "common/read/doc_store.hpp"
#include "common/read/index_reader.hpp"
#include "common/read/mmap_file.hpp"
#include "common/read/posting_cursor.hpp"
#include "indexer/write/inverted_index.hpp"

namespace fathom {
namespace fs = std::filesystem;
namespace {

using format::kFooterSize;
using format::kHeaderSize;

// Offset of meta's posting count (header, then three u64 counts before it).
constexpr std::uint64_t kMetaPostingCount = kHeaderSize + 24;

// File offset of the byte where document d's length starts in doclens,
// whose lengths start header_bytes into the payload.
std::uint64_t LengthOffset(const format::DocLengths& lengths, std::uint64_t header_bytes,
                           std::uint64_t d) {
  return kHeaderSize + header_bytes + d * lengths.width() / 8;
}

// A term as shown in messages: quoted, long ones shortened.
std::string Quoted(std::string_view term) {
  if (term.size() > 40) {
    return "'" + std::string(term.substr(0, utf8::TruncationPoint(term, 40))) + "...'";
  }
  return "'" + std::string(term) + "'";
}

[[noreturn]] void Fail(const fs::path& path, std::uint64_t offset, const std::string& what) {
  throw CorruptIndexError(path.string() + ": offset " + std::to_string(offset) + ": " + what);
}

// Header, footer, size and checksum of one file, every byte read. record:
// the size and footer checksum the file must have, when something recorded
// them (`recorder` names what).
void CheckFileBytes(const MmapFile& file, const format::FileKind& kind,
                    const IndexFileRecord* record, const char* recorder, CheckReport& report) {
  const fs::path& path = file.path();
  const std::uint8_t* data = file.data();
  const std::uint64_t size = file.size();
  if (size < kHeaderSize + kFooterSize) {
    Fail(path, size,
         "file is truncated (" + std::to_string(size) + " bytes, smaller than header and footer)");
  }
  if (std::memcmp(data, format::kMagic, 4) != 0) {
    Fail(path, 0, "not a Fathom index file (bad magic number)");
  }
  if (std::memcmp(data + 4, kind.tag, 4) != 0) {
    Fail(path, 4, "wrong file type (expected '" + std::string(kind.tag, 4) + "')");
  }
  const auto version = format::Get<std::uint32_t>(data + 8);
  if (version != format::kFormatVersion) {
    Fail(path, 8,
         "index format version " + std::to_string(version) + " is not supported (this build " +
             "reads version " + std::to_string(format::kFormatVersion) + ")");
  }
  if (format::Get<std::uint32_t>(data + 12) != 0) Fail(path, 12, "reserved header field is not 0");
  if (record != nullptr && size != record->size) {
    Fail(path, std::min(size, record->size),
         "size is " + std::to_string(size) + " bytes but " + recorder + " recorded " +
             std::to_string(record->size) + " (truncated or replaced)");
  }
  const std::uint64_t footer = size - kFooterSize;
  if (std::memcmp(data + footer, format::kFooterMagic, 4) != 0) {
    Fail(path, footer, "bad footer magic (truncated or damaged)");
  }
  if (format::Get<std::uint32_t>(data + footer + 4) != 0) {
    Fail(path, footer + 4, "reserved footer field is not 0");
  }
  const std::uint64_t stored = format::StoredChecksum(data, size);
  if (record != nullptr && stored != record->checksum) {
    Fail(path, footer + 8,
         std::string("footer checksum differs from the one ") + recorder + " recorded");
  }
  if (format::Checksum(data, footer) != stored) {
    Fail(path, footer + 8,
         "checksum mismatch: bytes 0 to " + std::to_string(footer) +
             " do not match the footer's checksum, the file is damaged");
  }
  ++report.files;
  report.bytes += size;
}

// A file that must exist, mapped.
MmapFile MapExisting(const fs::path& path, const char* missing) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw CorruptIndexError(path.string() + ": " + missing);
  return MmapFile(path);
}

// One segment folder: every file and every invariant of its format.
class SegmentChecker {
 public:
  // record: the segment as the manifest lists it (its meta file's checksum,
  // its document count).
  SegmentChecker(const fs::path& dir, const SegmentRecord& record, CheckReport& report)
      : dir_(dir), record_(record), report_(report) {}

  const IndexMeta& meta() const { return meta_; }

  void Run() {
    std::error_code ec;
    if (!fs::is_directory(dir_, ec)) {
      throw CorruptIndexError(dir_.string() + ": segment folder is missing");
    }
    CheckMeta();
    for (const format::FileKind& kind : format::kDataFiles) CheckWholeFile(kind);
    CheckPageChecksums();
    CheckLengths();
    CheckFieldLengths();
    CheckDocIds();
    CheckSources();
    CheckFields();
    CheckDictionaryAndPostings();
    CheckStore();
  }

 private:
  const MmapFile& File(const format::FileKind& kind) const { return files_.at(kind.file_name); }
  fs::path PathOf(const format::FileKind& kind) const { return dir_ / kind.file_name; }

  void CheckMeta() {
    const fs::path path = PathOf(format::kMetaFile);
    MmapFile file = MapExisting(path, "file is missing");
    CheckFileBytes(file, format::kMetaFile, nullptr, "", report_);
    if (format::StoredChecksum(file.data(), file.size()) != record_.meta_checksum) {
      Fail(path, file.size() - 8, "footer checksum differs from the one the manifest recorded");
    }
    const format::Payload payload = format::PayloadOf(file.data(), file.size());
    meta_ = ParseMeta(path, payload.data, payload.size);
    if (meta_.document_count != record_.document_count) {
      Fail(path, kHeaderSize,
           "document count " + std::to_string(meta_.document_count) + " differs from the " +
               std::to_string(record_.document_count) + " the manifest records");
    }
    // The file table is the payload's tail; its offset points messages at it.
    std::uint64_t table_bytes = 4;
    for (const auto& record : meta_.files) table_bytes += 4 + record.name.size() + 16;
    const std::uint64_t table_offset = kHeaderSize + payload.size - table_bytes;
    for (const auto& record : meta_.files) {
      const bool known =
          std::any_of(std::begin(format::kDataFiles), std::end(format::kDataFiles),
                      [&](const format::FileKind& kind) { return record.name == kind.file_name; });
      if (!known) Fail(path, table_offset, "lists an unknown file '" + record.name + "'");
      if (std::count_if(meta_.files.begin(), meta_.files.end(),
                        [&](const IndexFileRecord& r) { return r.name == record.name; }) > 1) {
        Fail(path, table_offset, "lists the file '" + record.name + "' twice");
      }
    }
    for (const format::FileKind& kind : format::kDataFiles) {
      if (meta_.FindFile(kind.file_name) == nullptr) {
        Fail(path, table_offset, "does not list the file '" + std::string(kind.file_name) + "'");
      }
    }
    try {
      analyzer_.emplace(meta_.analysis);
    } catch (const InputError&) {
      Fail(path, kHeaderSize + 40 + 4 + meta_.fathom_version.size(),
           "unknown analysis language '" + meta_.analysis.language + "'");
    }
    files_.emplace(format::kMetaFile.file_name, std::move(file));
  }

  void CheckWholeFile(const format::FileKind& kind) {
    MmapFile file = MapExisting(PathOf(kind), "file is missing");
    CheckFileBytes(file, kind, meta_.FindFile(kind.file_name), "meta", report_);
    files_.emplace(kind.file_name, std::move(file));
  }

  // The `checksums` file lists exactly the page-checked files, the
  // optional ones or not, at their sizes, with the checksum of each of
  // their pages.
  void CheckPageChecksums() {
    const MmapFile& file = File(format::kChecksumsFile);
    const format::Payload p = format::PayloadOf(file.data(), file.size());
    std::vector<PageChecksums> listed = ParsePageChecksums(file.path(), p.data, p.size);
    std::vector<format::FileKind> expected(std::begin(format::kPageCheckedFiles),
                                           std::end(format::kPageCheckedFiles));
    for (const format::FileKind& kind : format::kOptionallyPageCheckedFiles) {
      if (FindPageChecksums(listed, kind.file_name) != nullptr) expected.push_back(kind);
    }
    if (listed.size() != expected.size()) {
      Fail(file.path(), kHeaderSize + 4,
           "lists " + std::to_string(listed.size()) + " files, expected " +
               std::to_string(expected.size()));
    }
    for (const format::FileKind& kind : expected) {
      const PageChecksums* it = FindPageChecksums(listed, kind.file_name);
      if (it == nullptr) {
        Fail(file.path(), kHeaderSize, "does not list '" + std::string(kind.file_name) + "'");
      }
      const MmapFile& checked = File(kind);
      if (it->size != checked.size()) {
        Fail(file.path(), kHeaderSize,
             "records " + std::to_string(it->size) + " bytes for '" + kind.file_name +
                 "', which has " + std::to_string(checked.size()));
      }
      const std::vector<std::uint64_t> actual =
          ComputePageChecksums(checked.data(), checked.size());
      for (std::size_t page = 0; page < actual.size(); ++page) {
        if (actual[page] != it->sums[page]) {
          Fail(checked.path(), page * format::kPageSize,
               "page " + std::to_string(page) + " does not match its checksum in 'checksums'");
        }
      }
    }
  }

  void CheckLengths() {
    const MmapFile& file = File(format::kLengthsFile);
    const format::Payload p = format::PayloadOf(file.data(), file.size());
    const std::uint64_t n = meta_.document_count;
    if (p.size < 8) Fail(file.path(), kHeaderSize, "too short for its counts and width");
    if (format::Get<std::uint64_t>(p.data) != n) {
      Fail(file.path(), kHeaderSize,
           "document count " + std::to_string(format::Get<std::uint64_t>(p.data)) +
               " differs from meta's " + std::to_string(n));
    }
    format::LengthsColumn column;
    std::string error;
    const std::uint8_t* end =
        format::GetLengthsColumn(p.data + 8, p.data + p.size, n, &column, &error);
    if (end == nullptr) Fail(file.path(), kHeaderSize + 8, error);
    if (end != p.data + p.size) {
      Fail(file.path(), kHeaderSize + static_cast<std::uint64_t>(end - p.data),
           std::to_string(p.data + p.size - end) + " bytes after the lengths");
    }
    if (column.total_length != meta_.total_length) {
      Fail(file.path(), kHeaderSize + 8, "total length differs from meta's");
    }
    error = format::VerifyLengthsColumn(column, n);
    if (!error.empty()) Fail(file.path(), kHeaderSize + 8, error);
    lengths_ = column.lengths;
    term_sums_.assign(n, 0);
    title_sums_.assign(n, 0);
  }

  // Structure here; each title length is compared with the title terms'
  // frequencies (CheckDictionaryAndPostings) and the stored title (CheckStore).
  void CheckFieldLengths() {
    const MmapFile& file = File(format::kFieldLengthsFile);
    const format::Payload p = format::PayloadOf(file.data(), file.size());
    std::vector<format::FieldLengths> fields;
    std::string error;
    if (!format::ParseFieldLengths(p.data, p.size, meta_.document_count, &fields, &error)) {
      Fail(file.path(), kHeaderSize, error);
    }
    for (const format::FieldLengths& field : fields) {
      error = format::VerifyLengthsColumn(field.column, meta_.document_count);
      if (!error.empty()) Fail(file.path(), kHeaderSize, "field '" + field.field + "': " + error);
    }
    title_lengths_ = fields[0].column.lengths;  // kFields holds the title alone
  }

  void CheckDocIds() {
    const MmapFile& file = File(format::kDocIdsFile);
    const format::Payload p = format::PayloadOf(file.data(), file.size());
    format::DocIdTable ids;
    std::uint64_t offset = 0;
    std::string error;
    if (!ids.Open(p.data, p.size, meta_.document_count, &offset, &error) ||
        !ids.ForEach([](std::uint64_t, std::string_view) {}, &offset, &error)) {
      Fail(file.path(), kHeaderSize + offset, error);
    }
  }

  // Every record whole, paths present, document ranges in order, disjoint
  // and within the segment (ParseSources' rules, which name the offset).
  void CheckSources() {
    const MmapFile& file = File(format::kSourcesFile);
    const format::Payload p = format::PayloadOf(file.data(), file.size());
    ParseSources(file.path(), p.data, p.size, meta_.document_count);
  }

  // The columns' structure, every value valid for its type and its
  // column, and the bytes exactly what the encoder makes of those values
  // (so min, max, widths, presence and padding are all as written).
  void CheckFields() {
    const MmapFile& file = File(format::kFieldsFile);
    const format::Payload p = format::PayloadOf(file.data(), file.size());
    format::FieldColumns columns;
    std::string error;
    if (!columns.Open(p.data, p.size, meta_.document_count, &error)) {
      Fail(file.path(), kHeaderSize, error);
    }
    std::vector<format::ColumnInput> decoded(columns.columns().size());
    for (std::size_t c = 0; c < decoded.size(); ++c) {
      if (!format::DecodeColumn(columns.columns()[c], meta_.document_count, decoded[c], &error)) {
        Fail(file.path(), kHeaderSize, error);
      }
    }
    std::string encoded;
    format::PutFieldColumns(encoded, meta_.document_count, decoded);
    if (encoded.size() != p.size || std::memcmp(encoded.data(), p.data, p.size) != 0) {
      std::size_t at = 0;
      while (at < std::min<std::size_t>(encoded.size(), p.size) &&
             static_cast<std::uint8_t>(encoded[at]) == p.data[at]) {
        ++at;
      }
      Fail(file.path(), kHeaderSize + at,
           "columns differ from the encoding of their own values (padding, widths, bounds or "
           "presence not as written)");
    }
  }

  void CheckDictionaryAndPostings() {
    const MmapFile& file = File(format::kDictionaryFile);
    const fs::path& path = file.path();
    const format::Payload p = format::PayloadOf(file.data(), file.size());
    if (p.size < format::kDictionaryHeaderSize) Fail(path, kHeaderSize, "too short for its counts");
    const auto term_count = format::Get<std::uint64_t>(p.data);
    const auto block_count = format::Get<std::uint64_t>(p.data + 8);
    const auto entries_size = format::Get<std::uint64_t>(p.data + 16);
    const auto pool_size = format::Get<std::uint64_t>(p.data + 24);
    if (term_count != meta_.term_count) {
      Fail(path, kHeaderSize,
           "term count " + std::to_string(term_count) + " differs from meta's " +
               std::to_string(meta_.term_count));
    }
    if (block_count != (term_count + format::kTermBlockTerms - 1) / format::kTermBlockTerms) {
      Fail(path, kHeaderSize + 8,
           "block count " + std::to_string(block_count) + " is not one per " +
               std::to_string(format::kTermBlockTerms) + " of the " + std::to_string(term_count) +
               " terms");
    }
    const std::uint64_t room = p.size - format::kDictionaryHeaderSize;
    if (block_count > room / format::kTermBlockSize ||
        entries_size > room - block_count * format::kTermBlockSize ||
        pool_size != room - block_count * format::kTermBlockSize - entries_size) {
      Fail(path, kHeaderSize + 16, "entry and pool sizes do not match the file size");
    }
    const std::uint64_t blocks_at = kHeaderSize + format::kDictionaryHeaderSize;
    const std::uint64_t entries_at = blocks_at + block_count * format::kTermBlockSize;
    const std::uint64_t pool_at = entries_at + entries_size;
    const MmapFile& postings = File(format::kPostingsFile);
    const MmapFile& positions = File(format::kPositionsFile);
    CheckPadding(postings);
    CheckPadding(positions);
    const std::uint64_t postings_limit = postings.size() - kFooterSize - format::kPostingPadding;
    const std::uint64_t positions_limit = positions.size() - kFooterSize - format::kPostingPadding;

    // Every structural fact of the blocks and entries first, so that the
    // reader and the cursors opened below meet no surprise the checker did
    // not name. Each term's postings and positions start where the previous
    // term's end, and the last term's end where the padding begins.
    const std::uint8_t* entries = file.data() + entries_at;
    std::vector<std::uint64_t> entry_offsets(term_count);
    std::uint64_t entries_expected = 0, pool_expected = 0;
    std::uint64_t postings_expected = kHeaderSize, positions_expected = kHeaderSize;
    std::string previous_term, term;
    for (std::uint64_t i = 0; i < term_count; ++i) {
      if (i % format::kTermBlockTerms == 0) {
        const std::uint64_t b = i / format::kTermBlockTerms;
        const std::uint64_t at = blocks_at + b * format::kTermBlockSize;
        const format::TermBlock block = format::GetTermBlock(file.data() + at);
        const std::string which = "block " + std::to_string(b) + " of the term table: ";
        if (block.postings_offset != postings_expected) {
          Fail(path, at, which + "postings offset is not where the previous term's postings end");
        }
        if (block.positions_offset != positions_expected) {
          Fail(path, at + 8,
               which + "positions offset is not where the previous term's positions end");
        }
        if (block.pool_offset != pool_expected) {
          Fail(path, at + 16, which + "term text is not where the previous term's ends");
        }
        if (block.entries_offset != entries_expected) {
          Fail(path, at + 20, which + "entry is not where the previous term's entry ends");
        }
      }
      const std::uint64_t entry_at = entries_at + entries_expected;
      const std::string which = "entry of term " + std::to_string(i) + ": ";
      format::TermEntry e{};
      const std::uint8_t* next =
          format::GetTermEntry(entries + entries_expected, entries + entries_size, &e);
      if (next == nullptr) {
        Fail(path, entry_at,
             which +
                 "malformed (runs past the entries, a value out of range, or a zero "
                 "length or frequency)");
      }
      entry_offsets[i] = entry_at;
      entries_expected = static_cast<std::uint64_t>(next - entries);
      if (e.term_length() > kMaxIndexedTermBytes || e.suffix_length > pool_size - pool_expected) {
        Fail(path, entry_at,
             which + "term length " + std::to_string(e.term_length()) + " is invalid");
      }
      // Front coding: a block's first term whole, then each term after the
      // longest prefix it shares with the one before (what the writer puts).
      const bool block_first = i % format::kTermBlockTerms == 0;
      if (block_first ? e.shared_prefix != 0 : e.shared_prefix > previous_term.size()) {
        Fail(path, entry_at,
             which + "shares " + std::to_string(e.shared_prefix) + " bytes with a term of " +
                 std::to_string(block_first ? 0 : previous_term.size()) + " before it");
      }
      term.assign(previous_term, 0, e.shared_prefix);
      term.append(reinterpret_cast<const char*>(file.data() + pool_at) + pool_expected,
                  e.suffix_length);
      if (!block_first && e.shared_prefix < previous_term.size() &&
          term[e.shared_prefix] == previous_term[e.shared_prefix]) {
        Fail(path, entry_at,
             which + "shares " + std::to_string(e.shared_prefix) +
                 " bytes with the term before it, which has more in common");
      }
      if (term.size() > MaxTermBytes(term)) {
        Fail(path, entry_at,
             which + "term length " + std::to_string(e.term_length()) + " is over the limit of " +
                 std::to_string(MaxTermBytes(term)) + " bytes for a " +
                 (IsFieldTerm(term) ? "field term" : "word"));
      }
      if (!utf8::IsValid(term)) Fail(path, pool_at + pool_expected, which + "term is not UTF-8");
      if (i > 0 && !(previous_term < term)) {
        Fail(path, pool_at + pool_expected,
             which + "term " + Quoted(term) + " does not sort after " + Quoted(previous_term) +
                 " (dictionary not sorted)");
      }
      if (e.document_frequency > meta_.document_count) {
        Fail(path, entry_at, which + "document frequency out of range");
      }
      if (e.postings_bytes > postings_limit - postings_expected) {
        Fail(path, entry_at, which + "postings run past the end of postings.doc");
      }
      if (e.positions_bytes > positions_limit - positions_expected) {
        Fail(path, entry_at, which + "positions run past the end of postings.pos");
      }
      pool_expected += e.suffix_length;
      postings_expected += e.postings_bytes;
      positions_expected += e.positions_bytes;
      previous_term = term;
    }
    if (entries_expected != entries_size) {
      Fail(path, entries_at + entries_expected, "entry bytes after the last term's entry");
    }
    if (pool_expected != pool_size) Fail(path, pool_at, "term pool holds unreferenced bytes");
    if (postings_expected != postings_limit) {
      Fail(postings.path(), postings_expected,
           term_count == 0 ? "posting data present but the dictionary is empty"
                           : "bytes after the last term's postings");
    }
    if (positions_expected != positions_limit) {
      Fail(positions.path(), positions_expected,
           term_count == 0 ? "position data present but the dictionary is empty"
                           : "bytes after the last term's positions");
    }

    // The reader's own opening checks are a subset of the above.
    reader_.emplace(dir_);
    std::uint64_t posting_total = 0;
    for (std::uint64_t i = 0; i < term_count; ++i) {
      CheckPostings(i, reader_->TermInfoAt(i), entry_offsets[i]);
      posting_total += reader_->TermInfoAt(i).entry.document_frequency;
    }
    report_.terms += term_count;
    report_.postings += posting_total;
    if (posting_total != meta_.posting_count) {
      Fail(PathOf(format::kMetaFile), kMetaPostingCount,
           "posting count " + std::to_string(meta_.posting_count) + " but the posting lists hold " +
               std::to_string(posting_total));
    }
    CheckWordPairs();
    const MmapFile& lengths = File(format::kLengthsFile);
    for (std::uint64_t d = 0; d < meta_.document_count; ++d) {
      const std::uint32_t length = lengths_[d];
      if (length != term_sums_[d]) {
        Fail(lengths.path(), LengthOffset(lengths_, 24, d),
             "document " + std::to_string(d) + " has length " + std::to_string(length) +
                 " but its postings hold " + std::to_string(term_sums_[d]) + " terms");
      }
      if (title_lengths_[d] != title_sums_[d]) {
        Fail(File(format::kFieldLengthsFile).path(), kHeaderSize,
             "document " + std::to_string(d) + " has title length " +
                 std::to_string(title_lengths_[d]) + " but its title terms add up to " +
                 std::to_string(title_sums_[d]));
      }
    }
  }

  // Every pair of the language's pair words (common/analysis/fields.hpp) is
  // indexed exactly where its words stand one after the other: the pair
  // term's documents and frequencies are the phrase's, worked out here from
  // the words' positions, and a pair that occurs has its term. A phrase
  // search trusts the pair lists instead of the words', so a list that
  // disagreed would give wrong answers without this. Every other term
  // starting with "pair:" is refused.
  void CheckWordPairs() {
    const std::span<const std::string_view> words = PairWords(meta_.analysis.language);
    const fs::path& path = File(format::kDictionaryFile).path();
    for (TermWalker walk(*reader_, reader_->LowerBound(kPairPrefix));
         !walk.done() && IsPairTerm(walk.term()); walk.Next()) {
      const std::string_view pair = walk.term().substr(kPairPrefix.size());
      const std::size_t space = pair.find(' ');
      if (space == std::string_view::npos || !IsPairWord(words, pair.substr(0, space)) ||
          !IsPairWord(words, pair.substr(space + 1))) {
        Fail(path, kHeaderSize,
             "term " + Quoted(walk.term()) + " is not a pair of the pair words of language '" +
                 meta_.analysis.language + "'");
      }
    }
    std::vector<std::uint32_t> first_positions, second_positions, pair_positions, starts;
    for (const std::string_view first : words) {
      for (const std::string_view second : words) {
        const std::string pair = PairTerm(first, second);
        const auto first_info = reader_->FindTerm(first);
        const auto second_info = reader_->FindTerm(second);
        const auto pair_info = reader_->FindTerm(pair);
        std::optional<PostingCursor> a, b, listed;
        if (first_info && second_info) {
          a.emplace(*reader_, *first_info);
          b.emplace(*reader_, *second_info);
        }
        if (pair_info) listed.emplace(*reader_, *pair_info);
        // The phrase's documents in order, each compared with the list's next.
        while (a && a->doc() != kEndDoc && b->doc() != kEndDoc) {
          if (a->doc() < b->doc()) {
            a->NextGeq(b->doc());
            continue;
          }
          if (b->doc() < a->doc()) {
            b->NextGeq(a->doc());
            continue;
          }
          const DocId doc = a->doc();
          a->Positions(first_positions);
          b->Positions(second_positions);
          starts.clear();
          std::size_t j = 0;
          for (const std::uint32_t p : first_positions) {
            while (j < second_positions.size() && second_positions[j] < p + 1ull) ++j;
            if (j < second_positions.size() && second_positions[j] == p + 1ull) starts.push_back(p);
          }
          if (!starts.empty()) {
            const bool listed_here = listed && listed->doc() == doc;
            if (listed_here) listed->Positions(pair_positions);
            if (!listed_here || pair_positions != starts) {
              Fail(path, kHeaderSize,
                   "word pair " + Quoted(pair) + ": document " + std::to_string(doc) + " holds " +
                       std::to_string(starts.size()) +
                       " but the pair's list does not give it there at those positions");
            }
            listed->Next();
          }
          a->Next();
          b->Next();
        }
        if (listed && listed->doc() != kEndDoc) {
          Fail(path, kHeaderSize,
               "word pair " + Quoted(pair) + ": document " + std::to_string(listed->doc()) +
                   " is listed but does not hold the pair");
        }
      }
    }
  }

  void CheckPadding(const MmapFile& file) {
    if (file.size() < kHeaderSize + kFooterSize + format::kPostingPadding) {
      Fail(file.path(), kHeaderSize, "too short for its padding");
    }
    const std::uint64_t start = file.size() - kFooterSize - format::kPostingPadding;
    for (std::uint64_t i = start; i < start + format::kPostingPadding; ++i) {
      if (file.data()[i] != 0) Fail(file.path(), i, "padding before the footer is not zero");
    }
  }

  // Decodes one term's postings and positions from the raw bytes, checking
  // every invariant, and walks a PostingCursor over the same list: the
  // cursor must agree posting by posting (it skips the checks the checker
  // makes, so a disagreement is a bug or damage the cursor tolerates).
  void CheckPostings(std::uint64_t index, const TermInfo& info, std::uint64_t entry_at) {
    const MmapFile& postings = File(format::kPostingsFile);
    const MmapFile& positions = File(format::kPositionsFile);
    const fs::path& doc_path = postings.path();
    const fs::path& pos_path = positions.path();
    const format::TermEntry& e = info.entry;
    const std::string text = reader_->TermAt(index);
    const std::string term = Quoted(text);
    // Field terms ("title:x") repeat words already counted in the length;
    // they add up to the number of title words instead. Word pairs repeat
    // words too; CheckWordPairs compares them with their words.
    std::vector<std::uint64_t>* sums = IsPairTerm(text)    ? nullptr
                                       : IsFieldTerm(text) ? &title_sums_
                                                           : &term_sums_;
    const std::uint8_t* data = postings.data();
    const std::uint64_t df = e.document_frequency;
    const std::uint64_t blocks = (df + codec::kBlockSize - 1) / codec::kBlockSize;
    const std::uint64_t begin = e.postings_offset;
    const std::uint64_t end = info.postings_end;
    format::SkipTable skip_table;
    if (blocks > 1 && !skip_table.Open(data + begin, data + end, blocks)) {
      Fail(doc_path, begin,
           "skip table of term " + term + " has a width not 1 to 8 or runs past its posting data");
    }
    const std::uint64_t skip_bytes = blocks > 1 ? skip_table.size() : 0;
    std::vector<format::SkipEntry> skips_read;
    // Impact records and blocks are at offsets from the end of the skip
    // table; the records fill the bytes up to the first block exactly.
    const std::uint64_t blocks_at = begin + skip_bytes;
    std::uint64_t at = blocks_at;
    std::uint64_t impacts_at = blocks_at;
    if (blocks > 1) {
      at += skip_table.At(0).block_offset;
      if (at > end) {
        Fail(doc_path, begin, "first block of term " + term + " is past its posting data");
      }
    }
    const std::uint64_t impacts_end = at;
    const std::uint8_t* pos_begin = positions.data() + e.positions_offset;
    const std::uint8_t* pos_end = positions.data() + info.positions_end;
    format::PositionReader position_reader(pos_begin, pos_end, e.collection_frequency);
    // The stream's values, re-encoded at the end: the bytes must be exactly
    // the writer's.
    std::vector<std::uint32_t> position_values;
    std::uint64_t previous_doc = 0;
    std::uint64_t collection_frequency = 0;

    std::optional<PostingCursor> cursor;
    std::string disagreement;
    try {
      cursor.emplace(*reader_, info);
    } catch (const CorruptIndexError& error) {
      disagreement = std::string("the posting cursor rejects the list: ") + error.what();
    }
    const auto disagree = [&](const std::string& what) {
      if (disagreement.empty()) disagreement = what;
    };
    if (cursor && cursor->block_count() != blocks) disagree("cursor block count differs");

    std::array<std::uint32_t, codec::kBlockSize> gaps{};
    std::array<std::uint32_t, codec::kBlockSize> freqs{};
    std::array<std::uint32_t, codec::kBlockSize> block_frequencies{};
    std::array<std::uint32_t, codec::kBlockSize> block_lengths{};
    std::string canonical;
    std::string record;
    std::vector<std::uint32_t> mine;
    std::vector<std::uint32_t> theirs;
    for (std::uint64_t b = 0; b < blocks; ++b) {
      const std::uint64_t count = std::min<std::uint64_t>(codec::kBlockSize, df - b * 128);
      const std::uint64_t skip_at = begin + format::kSkipHeaderSize + b * skip_table.entry_size();
      format::SkipEntry skip{};
      const std::string block_name = "block " + std::to_string(b) + " of term " + term;
      if (blocks > 1) {
        skip = skip_table.At(b);
        skips_read.push_back(skip);
        if (skip.block_offset != at - blocks_at) {
          Fail(doc_path, skip_at,
               "skip entry of " + block_name + " gives block offset " +
                   std::to_string(skip.block_offset) + ", the block is at " +
                   std::to_string(at - blocks_at));
        }
        const std::uint64_t mark = position_reader.mark();
        if (skip.positions_offset != mark) {
          Fail(doc_path, skip_at,
               "skip entry of " + block_name + " gives positions mark " +
                   std::to_string(skip.positions_offset) + ", the positions are at " +
                   std::to_string(mark));
        }
        if (skip.impacts_offset != impacts_at - blocks_at) {
          Fail(doc_path, skip_at,
               "skip entry of " + block_name + " gives impacts offset " +
                   std::to_string(skip.impacts_offset) + ", the record is at " +
                   std::to_string(impacts_at - blocks_at));
        }
      }
      const std::uint64_t block_at = at;
      // The block's bytes must be exactly what the writer makes of the
      // values they decode to: re-encoded and compared.
      canonical.clear();
      if (count == codec::kBlockSize) {
        const std::uint8_t* frequencies =
            format::UnpackPatchedBlock(data + at, data + end, gaps.data());
        const std::uint8_t* after =
            frequencies == nullptr
                ? nullptr
                : format::UnpackPatchedBlock(frequencies, data + end, freqs.data());
        if (after == nullptr) {
          Fail(doc_path,
               frequencies == nullptr ? at : static_cast<std::uint64_t>(frequencies - data),
               block_name + ": patched block malformed or running past its posting data");
        }
        format::PackPatchedBlock(gaps.data(), canonical);
        format::PackPatchedBlock(freqs.data(), canonical);
      } else {
        const std::uint8_t* p = data + at;
        for (std::uint64_t i = 0; i < count; ++i) {
          std::uint32_t frequency = 0;
          const std::uint8_t* next = format::GetTailPosting(p, data + end, &gaps[i], &frequency);
          if (next == nullptr) {
            Fail(doc_path, static_cast<std::uint64_t>(p - data),
                 block_name + ": posting " + std::to_string(i) +
                     " truncated, or its gap or frequency too large");
          }
          freqs[i] = frequency - 1;
          format::PutTailPosting(gaps[i], frequency, canonical);
          p = next;
        }
      }
      if (end - at < canonical.size() ||
          std::memcmp(data + at, canonical.data(), canonical.size()) != 0) {
        Fail(doc_path, at, block_name + " is not encoded as the writer encodes its postings");
      }
      at += canonical.size();
      if (b + 1 == blocks && at != end) {
        Fail(doc_path, at,
             std::to_string(end - at) + " unexplained bytes after the last block of term " + term);
      }
      std::uint32_t max_frequency = 0;
      std::uint32_t min_length = UINT32_MAX;
      for (std::uint64_t i = 0; i < count; ++i) {
        std::uint64_t doc;
        if (b == 0 && i == 0) {
          doc = gaps[i];
        } else {
          if (gaps[i] == 0) {
            Fail(doc_path, block_at,
                 block_name + ": doc ids not increasing (posting " + std::to_string(i) + ")");
          }
          doc = previous_doc + gaps[i];
        }
        if (doc >= meta_.document_count) {
          Fail(doc_path, block_at,
               block_name + ": doc id " + std::to_string(doc) + " out of range (" +
                   std::to_string(meta_.document_count) + " documents)");
        }
        previous_doc = doc;
        const std::uint64_t tf = std::uint64_t{freqs[i]} + 1;
        if (tf > UINT32_MAX) Fail(doc_path, block_at, block_name + ": frequency overflows");
        max_frequency = std::max(max_frequency, static_cast<std::uint32_t>(tf));
        block_frequencies[i] = static_cast<std::uint32_t>(tf);
        block_lengths[i] = lengths_[doc];
        min_length = std::min(min_length, block_lengths[i]);
        collection_frequency += tf;
        if (sums != nullptr) (*sums)[doc] += tf;
        // Positions: tf values, increasing, in this posting's order.
        if (collection_frequency > e.collection_frequency ||
            collection_frequency >
                format::MostPositionValues(static_cast<std::uint64_t>(pos_end - pos_begin))) {
          Fail(pos_path, e.positions_offset,
               "term " + term + " has more positions than its collection frequency " +
                   std::to_string(e.collection_frequency) + " or its bytes can hold");
        }
        mine.resize(tf);
        if (position_reader.Read(mine.data(), tf) != tf) {
          Fail(pos_path, static_cast<std::uint64_t>(position_reader.damage_at() - positions.data()),
               "positions of term " + term + " in document " + std::to_string(doc) +
                   " truncated or malformed");
        }
        position_values.insert(position_values.end(), mine.begin(), mine.end());
        std::uint64_t position = 0;
        for (std::uint64_t k = 0; k < tf; ++k) {
          if (k > 0 && mine[k] == 0) {
            Fail(pos_path, e.positions_offset,
                 "positions of term " + term + " in document " + std::to_string(doc) +
                     " not increasing");
          }
          position += mine[k];
          if (position > UINT32_MAX) {
            Fail(pos_path, e.positions_offset, "position overflows 32 bits");
          }
          mine[k] = static_cast<std::uint32_t>(position);
        }
        if (cursor) {
          if (cursor->doc() != doc || cursor->frequency() != tf) {
            disagree("cursor yields doc " + std::to_string(cursor->doc()) + ", the list holds " +
                     std::to_string(doc));
          } else {
            cursor->Positions(theirs);
            if (theirs != mine) disagree("cursor positions differ in doc " + std::to_string(doc));
          }
          if (i + 1 < count) cursor->Next();
        }
      }
      if (blocks > 1) {
        if (skip.last_doc != previous_doc) {
          Fail(doc_path, skip_at,
               "skip entry of " + block_name + ": last doc differs from block's");
        }
        if (skip.max_frequency != max_frequency) {
          Fail(doc_path, skip_at,
               "skip entry of " + block_name + ": max frequency " +
                   std::to_string(skip.max_frequency) + ", the block's is " +
                   std::to_string(max_frequency));
        }
        if (skip.min_length != min_length) {
          Fail(doc_path, skip_at,
               "skip entry of " + block_name + ": min length " + std::to_string(skip.min_length) +
                   ", the block's is " + std::to_string(min_length));
        }
      }
      // The impact record must be exactly the one the writer makes of these
      // postings and lengths.
      format::Impact impacts[format::kMaxImpacts];
      std::size_t impact_count = 1;
      impacts[0] = {max_frequency, min_length};
      if (blocks > 1) {
        impact_count = CompetitiveImpacts(block_frequencies.data(), block_lengths.data(),
                                          static_cast<std::size_t>(count), impacts);
        record.clear();
        format::PutImpacts(record, impacts, impact_count, min_length);
        if (impacts_end - impacts_at < record.size() ||
            std::memcmp(data + impacts_at, record.data(), record.size()) != 0) {
          Fail(doc_path, impacts_at,
               "impact record of " + block_name + " differs from the block's postings");
        }
        impacts_at += record.size();
        if (b + 1 == blocks && impacts_at != impacts_end) {
          Fail(doc_path, impacts_at,
               std::to_string(impacts_end - impacts_at) +
                   " unexplained bytes after the impact records of term " + term);
        }
      }
      if (cursor && disagreement.empty()) {
        const format::SkipEntry seen = cursor->current_block();
        format::Impact seen_impacts[format::kMaxImpacts];
        const std::size_t seen_count = cursor->ImpactsOf(b, seen_impacts);
        if (seen.last_doc != previous_doc || seen.max_frequency != max_frequency ||
            seen.min_length != min_length || seen_count != impact_count ||
            !std::equal(impacts, impacts + impact_count, seen_impacts,
                        [](const format::Impact& x, const format::Impact& y) {
                          return x.frequency == y.frequency && x.length == y.length;
                        })) {
          disagree("cursor's block-max data for " + block_name + " differ from the postings");
        }
        cursor->Next();
      }
    }
    if (blocks > 1) {
      // Every entry holds its block's values (checked above): the table's
      // bytes, widths included, must then be the writer's.
      record.clear();
      format::PutSkipTable(record, skips_read.data(), skips_read.size());
      if (record.size() != skip_bytes ||
          std::memcmp(data + begin, record.data(), skip_bytes) != 0) {
        Fail(doc_path, begin,
             "skip table of term " + term + " does not take the fewest bytes for its values");
      }
    }
    format::EncodedPositions expected;
    format::EncodePositions(position_values.data(), position_values.size(), expected);
    if (expected.bytes.size() != static_cast<std::size_t>(pos_end - pos_begin) ||
        std::memcmp(expected.bytes.data(), pos_begin, expected.bytes.size()) != 0) {
      Fail(pos_path, e.positions_offset,
           "positions of term " + term + " are not the encoding of their values (" +
               std::to_string(pos_end - pos_begin) + " bytes, " +
               std::to_string(expected.bytes.size()) + " expected)");
    }
    if (collection_frequency != e.collection_frequency) {
      Fail(File(format::kDictionaryFile).path(), entry_at,
           "collection frequency of term " + term + " is " +
               std::to_string(e.collection_frequency) + " but its postings add up to " +
               std::to_string(collection_frequency));
    }
    if (cursor && disagreement.empty() && cursor->doc() != kEndDoc) {
      disagree("cursor goes on past the last posting");
    }
    if (!disagreement.empty()) Fail(doc_path, begin, "term " + term + ": " + disagreement);
  }

  void CheckStore() {
    const MmapFile& file = File(format::kStoreFile);
    const fs::path& path = file.path();
    const std::uint64_t data_end = file.size() - kFooterSize;
    if (data_end < kHeaderSize + format::kStoreTrailerSize) {
      Fail(path, kHeaderSize, "too short for its trailer");
    }
    const std::uint64_t trailer = data_end - format::kStoreTrailerSize;
    const auto table_offset = format::Get<std::uint64_t>(file.data() + trailer);
    const auto block_count = format::Get<std::uint64_t>(file.data() + trailer + 8);
    const auto stored_docs = format::Get<std::uint64_t>(file.data() + trailer + 16);
    if (stored_docs != meta_.document_count) {
      Fail(path, trailer + 16, "document count differs from meta's");
    }
    if (table_offset < kHeaderSize || table_offset > trailer ||
        (trailer - table_offset) % format::kStoreBlockEntrySize != 0 ||
        (trailer - table_offset) / format::kStoreBlockEntrySize != block_count) {
      Fail(path, trailer, "block table offset and count do not match the file");
    }
    for (std::uint64_t i = 0; i < block_count; ++i) {
      const std::uint64_t at = table_offset + i * format::kStoreBlockEntrySize;
      const auto offset = format::Get<std::uint64_t>(file.data() + at);
      const auto first_doc = format::Get<std::uint32_t>(file.data() + at + 8);
      const std::uint64_t next_offset =
          i + 1 < block_count
              ? format::Get<std::uint64_t>(file.data() + at + format::kStoreBlockEntrySize)
              : table_offset;
      const std::uint64_t previous_first =
          i == 0 ? 0 : format::Get<std::uint32_t>(file.data() + at - 8);
      if ((i == 0 && offset != kHeaderSize) || offset >= next_offset ||
          (i > 0 && first_doc <= previous_first) || (i == 0 && first_doc != 0) ||
          first_doc >= meta_.document_count) {
        Fail(path, at, "block table entry " + std::to_string(i) + " out of order or bounds");
      }
    }
    if (meta_.document_count > 0 && block_count == 0) {
      Fail(path, trailer + 8, "no blocks for a non-empty store");
    }
    // Its pages were checked against `checksums` already.
    const CheckedFile checked(MmapFile(path), ComputePageChecksums(file.data(), file.size()));
    const DocStore store(checked, meta_.document_count);
    const MmapFile& lengths = File(format::kLengthsFile);
    Analyzer& analyzer = *analyzer_;
    Token token;
    MinHasher hasher;
    for (std::size_t i = 0; i < store.blocks().size(); ++i) {
      const DocStore::Block& block = store.blocks()[i];
      const std::uint64_t entry_at = table_offset + i * format::kStoreBlockEntrySize;
      const std::string raw = store.RawBlock(i);
      const std::uint64_t last =
          i + 1 < store.blocks().size() ? store.blocks()[i + 1].first_doc : meta_.document_count;
      const auto* p = reinterpret_cast<const std::uint8_t*>(raw.data());
      const auto* end = p + raw.size();
      for (std::uint64_t d = block.first_doc; d < last; ++d) {
        std::array<std::string_view, 2> fields;
        if (!ParseStoredFields(p, end, fields)) {
          Fail(path, block.offset,
               "block " + std::to_string(i) + ": record of document " + std::to_string(d) +
                   " runs past the block");
        }
        // The stored text must analyze to what the postings hold: as many
        // words as the length (and the word terms' frequencies) say, as many
        // title words as the title terms say, and the same MinHash sketch
        // (AnalyzeDocument's numbering, as InvertedIndex::AddDocument's).
        std::uint64_t terms = 0;
        std::uint64_t title_terms = 0;
        AnalyzeDocument(analyzer, fields[0], fields[1], token,
                        [&](const Token& analyzed, bool in_title) {
                          ++terms;
                          title_terms += in_title ? 1 : 0;
                          hasher.Add(analyzed.term);
                        });
        const std::uint32_t length = lengths_[d];
        if (terms != length) {
          Fail(lengths.path(), LengthOffset(lengths_, 24, d),
               "document " + std::to_string(d) + " has length " + std::to_string(length) +
                   " but its stored text analyzes to " + std::to_string(terms) + " terms");
        }
        if (title_terms != title_sums_[d]) {
          Fail(File(format::kDictionaryFile).path(), kHeaderSize,
               "the title terms of document " + std::to_string(d) + " add up to " +
                   std::to_string(title_sums_[d]) + " but its stored title has " +
                   std::to_string(title_terms) + " words");
        }
        const MinHashSketch expected = hasher.Finish();
        const MinHashSketch stored = reader_->sketch(static_cast<DocId>(d));
        if (expected.shingles != stored.shingles || expected.values != stored.values) {
          Fail(File(format::kMinHashFile).path(), kHeaderSize + 8 + kSketchBytes * d,
               "sketch of document " + std::to_string(d) + " differs from its stored text's");
        }
        ++report_.documents;
      }
      if (p != end) {
        Fail(path, entry_at,
             "block " + std::to_string(i) + " holds " + std::to_string(end - p) +
                 " bytes after its last record");
      }
    }
  }

  fs::path dir_;
  const SegmentRecord& record_;
  CheckReport& report_;
  IndexMeta meta_;
  std::map<std::string, MmapFile> files_;
  std::optional<Analyzer> analyzer_;
  std::optional<IndexReader> reader_;
  format::DocLengths lengths_;
  std::vector<std::uint64_t> term_sums_;  // per document, the sum of its word terms' frequencies
  format::DocLengths title_lengths_;
  std::vector<std::uint64_t> title_sums_;  // per document, the same for its title field terms
};

// The number in a name SegmentName or DeletesName made ("seg-000012" with
// prefix "seg-": 12), or nullopt when the name is not exactly such a name.
std::optional<std::uint64_t> NumberAfter(std::string_view name, std::string_view prefix) {
  if (!name.starts_with(prefix) || name.size() == prefix.size() ||
      name.size() - prefix.size() > 19) {
    return std::nullopt;
  }
  std::uint64_t number = 0;
  for (const char c : name.substr(prefix.size())) {
    if (c < '0' || c > '9') return std::nullopt;
    number = number * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return number;
}

// The manifest, then each segment it lists and its deletion file.
void CheckIndexFolder(const fs::path& dir, CheckReport& report) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw IoError(dir.string() + ": no index here (not a folder)");
  const fs::path path = dir / format::kManifestFile.file_name;
  const MmapFile file = MapExisting(path, "file is missing (no complete index here)");
  CheckFileBytes(file, format::kManifestFile, nullptr, "", report);
  const format::Payload payload = format::PayloadOf(file.data(), file.size());
  const Manifest manifest = ParseManifest(path, payload.data, payload.size);
  if (manifest.generation == 0) Fail(path, kHeaderSize, "generation 0 (the first commit is 1)");
  // Names as the writers make them, numbered below the manifest's counters:
  // a name is never used twice in an index, which a searcher holding an
  // older manifest relies on.
  std::uint64_t at = kHeaderSize + 8 + 8 + 4;  // the first segment record
  for (const SegmentRecord& record : manifest.segments) {
    const auto number = NumberAfter(record.name, "seg-");
    if (!number || SegmentName(*number) != record.name || *number >= manifest.next_segment) {
      Fail(path, at,
           "segment name '" + record.name + "' is not seg-N with N below the next segment " +
               "number " + std::to_string(manifest.next_segment));
    }
    if (!record.deletes_name.empty()) {
      const auto generation = NumberAfter(record.deletes_name, record.name + ".del-");
      if (!generation || DeletesName(record.name, *generation) != record.deletes_name ||
          *generation > manifest.generation) {
        Fail(path, at + 4 + record.name.size() + 16,
             "deletion file name '" + record.deletes_name + "' is not " + record.name +
                 ".del-G with G at most the generation " + std::to_string(manifest.generation));
      }
    }
    at += 4 + record.name.size() + 16 + 4 + record.deletes_name.size() + 16;
  }
  AnalysisSettings analysis;
  for (std::size_t i = 0; i < manifest.segments.size(); ++i) {
    const SegmentRecord& record = manifest.segments[i];
    SegmentChecker checker(dir / record.name, record, report);
    checker.Run();
    // Queries are analyzed once for every segment.
    if (i == 0) {
      analysis = checker.meta().analysis;
    } else if (checker.meta().analysis != analysis) {
      Fail(dir / record.name / format::kMetaFile.file_name,
           kHeaderSize + 40 + 4 + checker.meta().fathom_version.size(),
           "analysis settings differ from those of segment " + manifest.segments[0].name);
    }
    if (!record.deletes_name.empty()) {
      const MmapFile deletes = MapExisting(dir / record.deletes_name, "file is missing");
      CheckFileBytes(deletes, format::kDeletesFile, nullptr, "", report);
      // The bitmap's structure and its agreement with the manifest's record.
      ReadDeletes(dir, record);
    }
    report.deleted += record.deleted_count;
  }
  report.segments = manifest.segments.size();
}

}  // namespace

CheckReport CheckIndex(const fs::path& index_dir) {
  CheckReport report;
  try {
    CheckIndexFolder(index_dir, report);
    report.sound = true;
  } catch (const Error& error) {
    report.sound = false;
    report.problem = error.what();
  }
  return report;
}

}  // namespace fathom
