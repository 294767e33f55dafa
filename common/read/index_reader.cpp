#include "common/read/index_reader.hpp"

#include <algorithm>
#include <cstring>
#include <new>

#include "common/error.hpp"
#include "common/format/manifest.hpp"

namespace fathom {
namespace fs = std::filesystem;

namespace {
[[noreturn]] void Corrupt(const MmapFile& file, const std::string& what) {
  throw CorruptIndexError(file.path().string() + ": " + what);
}

// A term's first 7 bytes, zero-padded, as a big-endian number shifted up a
// byte, whose low bit is set so that no key is 0 (IndexReader::block_keys_:
// not yet probed). A smaller key is a smaller term in the dictionary's
// (unsigned byte) order, a larger key a larger term; equal keys tell
// nothing.
std::uint64_t BlockKey(std::string_view term) {
  std::uint64_t key = 0;
  for (std::size_t i = 0; i < 7; ++i) {
    key <<= 8;
    if (i < term.size()) key |= static_cast<unsigned char>(term[i]);
  }
  return key << 8 | 1;
}
}  // namespace

MmapFile IndexReader::OpenFile(const format::FileKind& kind, bool verify_checksum,
                               Residency residency) {
  const IndexFileRecord* record = meta_.FindFile(kind.file_name);
  const fs::path path = dir_ / kind.file_name;
  if (record == nullptr) {
    throw CorruptIndexError((dir_ / format::kMetaFile.file_name).string() +
                            ": does not list the file '" + kind.file_name + "'");
  }
  std::error_code ec;
  if (!fs::exists(path, ec)) throw CorruptIndexError(path.string() + ": file is missing");
  MmapFile file(path, residency);
  if (file.size() != record->size) {
    throw CorruptIndexError(path.string() + ": size is " + std::to_string(file.size()) +
                            " bytes but the index recorded " + std::to_string(record->size) +
                            " (truncated or replaced)");
  }
  format::ValidateFile(path, kind, file.data(), file.size(), verify_checksum);
  if (format::StoredChecksum(file.data(), file.size()) != record->checksum) {
    throw CorruptIndexError(path.string() + ": checksum differs from the one the index recorded");
  }
  return file;
}

CheckedFile IndexReader::OpenCheckedFile(const format::FileKind& kind,
                                         std::vector<PageChecksums>& page_checksums,
                                         Residency residency) {
  MmapFile file = OpenFile(kind, false, residency);
  PageChecksums* listed = FindPageChecksums(page_checksums, kind.file_name);
  if (listed == nullptr || listed->size != file.size()) {
    throw CorruptIndexError((dir_ / format::kChecksumsFile.file_name).string() +
                            ": does not list the pages of '" + kind.file_name + "'");
  }
  return CheckedFile(std::move(file), std::move(listed->sums));
}

fs::path IndexReader::ResolveSegment(const fs::path& dir, std::uint64_t* meta_checksum) {
  std::error_code ec;
  if (!fs::exists(dir / format::kManifestFile.file_name, ec)) return dir;
  const Manifest manifest = ReadManifest(dir);
  if (manifest.segments.size() != 1 || manifest.segments[0].deleted_count != 0) {
    throw InputError(dir.string() + ": holds " + std::to_string(manifest.segments.size()) +
                     " segments or deleted documents; this tool reads a single segment (run "
                     "fathom-index merge first)");
  }
  *meta_checksum = manifest.segments[0].meta_checksum;
  return dir / manifest.segments[0].name;
}

IndexReader::IndexReader(const fs::path& path, Residency hot) {
  std::uint64_t expected_meta_checksum = 0;
  dir_ = ResolveSegment(path, &expected_meta_checksum);
  Open(expected_meta_checksum, hot);
}

IndexReader::IndexReader(const fs::path& segment_dir, std::uint64_t meta_checksum, Residency hot)
    : dir_(segment_dir) {
  Open(meta_checksum, hot);
}

void IndexReader::Open(std::uint64_t expected_meta_checksum, Residency hot) {
  const fs::path& dir = dir_;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw IoError(dir.string() + ": no index here (not a folder)");
  }
  const fs::path meta_path = dir / format::kMetaFile.file_name;
  if (!fs::exists(meta_path, ec)) {
    throw IoError(dir.string() +
                  ": not a Fathom index (no manifest or meta file); build one with fathom-index");
  }
  meta_file_ = MmapFile(meta_path);
  format::ValidateFile(meta_path, format::kMetaFile, meta_file_.data(), meta_file_.size(), true);
  if (expected_meta_checksum != 0 &&
      format::StoredChecksum(meta_file_.data(), meta_file_.size()) != expected_meta_checksum) {
    throw CorruptIndexError(meta_path.string() +
                            ": checksum differs from the one the manifest recorded");
  }
  const format::Payload meta_payload = format::PayloadOf(meta_file_.data(), meta_file_.size());
  meta_ = ParseMeta(meta_path, meta_payload.data, meta_payload.size);

  // Small files are verified whole: everything a query touches first.
  dictionary_ = OpenFile(format::kDictionaryFile, true, hot);
  lengths_file_ = OpenFile(format::kLengthsFile, true, hot);
  doc_ids_ = OpenFile(format::kDocIdsFile, true);
  fields_file_ = OpenFile(format::kFieldsFile, true);
  field_lengths_file_ = OpenFile(format::kFieldLengthsFile, true, hot);
  {
    const format::Payload p = format::PayloadOf(fields_file_.data(), fields_file_.size());
    std::string error;
    if (!columns_.Open(p.data, p.size, meta_.document_count, &error)) Corrupt(fields_file_, error);
  }
  {
    // Parsed now: small (one entry per file indexed), and every result
    // shown may look its file up.
    const MmapFile sources = OpenFile(format::kSourcesFile, true);
    const format::Payload p = format::PayloadOf(sources.data(), sources.size());
    sources_ = ParseSources(sources.path(), p.data, p.size, meta_.document_count);
  }
  // Large files: header, footer, size and recorded checksum now; each page
  // against its checksum when it is first read (common/format/page_checksums.hpp).
  {
    const MmapFile checksums = OpenFile(format::kChecksumsFile, true);
    const format::Payload p = format::PayloadOf(checksums.data(), checksums.size());
    std::vector<PageChecksums> page_checksums =
        ParsePageChecksums(checksums.path(), p.data, p.size);
    postings_ = OpenCheckedFile(format::kPostingsFile, page_checksums, hot);
    positions_ = OpenCheckedFile(format::kPositionsFile, page_checksums, hot);
    store_ = OpenCheckedFile(format::kStoreFile, page_checksums);
    // Sketches are read only for the results shown (near-duplicate
    // folding): by page where `checksums` lists them (format.hpp,
    // kOptionallyPageCheckedFiles), else whole now.
    minhash_ = FindPageChecksums(page_checksums, format::kMinHashFile.file_name) != nullptr
                   ? OpenCheckedFile(format::kMinHashFile, page_checksums)
                   : CheckedFile::VerifiedWhole(OpenFile(format::kMinHashFile, true));
  }

  {  // Dictionary layout: counts, block table, entries, pool, exactly filling
     // the payload. Each block and entry is checked as it is decoded.
    const format::Payload p = format::PayloadOf(dictionary_.data(), dictionary_.size());
    if (p.size < format::kDictionaryHeaderSize) Corrupt(dictionary_, "too short for its counts");
    term_count_ = format::Get<std::uint64_t>(p.data);
    term_block_count_ = format::Get<std::uint64_t>(p.data + 8);
    term_entries_size_ = format::Get<std::uint64_t>(p.data + 16);
    term_pool_size_ = format::Get<std::uint64_t>(p.data + 24);
    const std::uint64_t room = p.size - format::kDictionaryHeaderSize;
    if (term_count_ != meta_.term_count ||
        term_block_count_ !=
            (term_count_ + format::kTermBlockTerms - 1) / format::kTermBlockTerms ||
        term_block_count_ > room / format::kTermBlockSize ||
        term_entries_size_ > room - term_block_count_ * format::kTermBlockSize ||
        term_pool_size_ != room - term_block_count_ * format::kTermBlockSize - term_entries_size_) {
      Corrupt(dictionary_, "term and block counts and sizes do not match the file size");
    }
    term_blocks_ = p.data + format::kDictionaryHeaderSize;
    term_entries_ = term_blocks_ + term_block_count_ * format::kTermBlockSize;
    term_pool_ = term_entries_ + term_entries_size_;
    block_keys_.reset(static_cast<std::uint64_t*>(
        std::calloc(std::max<std::uint64_t>(term_block_count_, 1), sizeof(std::uint64_t))));
    if (block_keys_ == nullptr) throw std::bad_alloc();
  }
  {
    const format::Payload p = format::PayloadOf(lengths_file_.data(), lengths_file_.size());
    format::LengthsColumn column;
    std::string error;
    const std::uint8_t* end = p.size >= 8
                                  ? format::GetLengthsColumn(p.data + 8, p.data + p.size,
                                                             meta_.document_count, &column, &error)
                                  : nullptr;
    if (end != p.data + p.size || format::Get<std::uint64_t>(p.data) != meta_.document_count ||
        column.total_length != meta_.total_length) {
      Corrupt(lengths_file_, "document count, width or size does not match the index");
    }
    lengths_ = column.lengths;
  }
  {
    const format::Payload p =
        format::PayloadOf(field_lengths_file_.data(), field_lengths_file_.size());
    std::vector<format::FieldLengths> fields;
    std::string error;
    if (!format::ParseFieldLengths(p.data, p.size, meta_.document_count, &fields, &error)) {
      Corrupt(field_lengths_file_, error);
    }
    title_lengths_ = fields[0].column;  // kFields holds the title alone
  }
  {
    const format::Payload p = format::PayloadOf(doc_ids_.data(), doc_ids_.size());
    std::uint64_t offset = 0;
    std::string error;
    if (!ids_.Open(p.data, p.size, meta_.document_count, &offset, &error)) {
      Corrupt(doc_ids_, error);
    }
  }
  {
    const format::Payload p = format::PayloadOf(minhash_.data(), minhash_.size());
    if (p.size >= 8) minhash_.Verify(p.data - minhash_.data(), p.data + 8 - minhash_.data());
    if (p.size < 8 || format::Get<std::uint64_t>(p.data) != meta_.document_count ||
        p.size != 8 + kSketchBytes * meta_.document_count) {
      Corrupt(minhash_.mapped(), "document count or size does not match the index");
    }
    sketches_ = p.data + 8;
  }
  // Preloaded lists are in memory already.
  if (hot == Residency::kMapped) postings_.mapped().WillNeed();
}

void IndexReader::DropDocumentPages() const {
  for (const MmapFile* file :
       {&lengths_file_, &field_lengths_file_, &doc_ids_, &minhash_.mapped()}) {
    file->DropPages(0, file->size());
  }
}

format::TermBlock IndexReader::BlockAt(std::uint64_t block) const {
  const format::TermBlock b = format::GetTermBlock(term_blocks_ + block * format::kTermBlockSize);
  if (b.pool_offset > term_pool_size_ || b.entries_offset > term_entries_size_) {
    Corrupt(dictionary_, "block " + std::to_string(block) + " of the term table is out of bounds");
  }
  return b;
}

format::TermEntry IndexReader::DecodeEntry(std::uint64_t index, const std::uint8_t*& at) const {
  format::TermEntry entry{};
  at = format::GetTermEntry(at, term_entries_ + term_entries_size_, &entry);
  // Bounded by the file sizes, so that sums of them cannot wrap.
  if (at == nullptr || entry.postings_bytes > postings_.size() ||
      entry.positions_bytes > positions_.size()) {
    Corrupt(dictionary_, "entry of term " + std::to_string(index) + " is malformed");
  }
  return entry;
}

format::TermEntry IndexReader::EntryAt(std::uint64_t index, const std::uint8_t** after) const {
  const std::uint64_t first = index - index % format::kTermBlockTerms;
  const format::TermBlock block = BlockAt(first / format::kTermBlockTerms);
  const std::uint8_t* at = term_entries_ + block.entries_offset;
  std::uint64_t postings = block.postings_offset, positions = block.positions_offset;
  std::uint64_t pool = block.pool_offset;
  format::TermEntry entry = DecodeEntry(first, at);
  for (std::uint64_t i = first; i < index; ++i) {
    postings += entry.postings_bytes;
    positions += entry.positions_bytes;
    pool += entry.suffix_length;
    entry = DecodeEntry(i + 1, at);
  }
  if (pool + entry.suffix_length > term_pool_size_) {
    Corrupt(dictionary_, "term " + std::to_string(index) + " points outside the term pool");
  }
  entry.postings_offset = postings;
  entry.positions_offset = positions;
  entry.pool_offset = static_cast<std::uint32_t>(pool);
  if (after != nullptr) *after = at;
  return entry;
}

void IndexReader::ThrowBadTermText(std::uint64_t index) const {
  Corrupt(dictionary_, "term " + std::to_string(index) +
                           " shares more bytes than the term before it has, is too long, or "
                           "points outside the term pool");
}

std::string_view IndexReader::BlockFirstTerm(std::uint64_t block) const {
  const std::uint64_t index = block * format::kTermBlockTerms;
  const format::TermEntry entry = EntryAt(index);
  if (entry.shared_prefix != 0) {
    Corrupt(dictionary_, "term " + std::to_string(index) +
                             " begins a block but shares bytes with the term before it");
  }
  return {reinterpret_cast<const char*>(term_pool_ + entry.pool_offset), entry.suffix_length};
}

std::string IndexReader::TermAt(std::uint64_t index) const {
  return std::string(TermWalker(*this, index).term());
}

TermInfo IndexReader::TermInfoAt(std::uint64_t index) const {
  return InfoOf(index, EntryAt(index));
}

TermInfo IndexReader::InfoOf(std::uint64_t index, const format::TermEntry& entry) const {
  TermInfo info{};
  info.entry = entry;
  const format::TermEntry& e = info.entry;
  const std::uint64_t postings_limit = postings_.size() - format::kFooterSize;
  const std::uint64_t positions_limit = positions_.size() - format::kFooterSize;
  info.postings_end = e.postings_offset + e.postings_bytes;
  info.positions_end = e.positions_offset + e.positions_bytes;
  if (e.document_frequency > meta_.document_count || e.postings_offset < format::kHeaderSize ||
      info.postings_end > postings_limit || e.positions_offset < format::kHeaderSize ||
      info.positions_end > positions_limit) {
    Corrupt(dictionary_, "entry of term " + std::to_string(index) + " is out of bounds");
  }
  return info;
}

TermWalker::TermWalker(const IndexReader& reader, std::uint64_t index)
    : reader_(reader), index_(index) {
  if (done()) return;
  // The term is rebuilt from its block's first, which is stored whole.
  const std::uint64_t first = index_ - index_ % format::kTermBlockTerms;
  entry_ = reader_.EntryAt(first, &at_);
  reader_.RebuildTerm(first, entry_, text_, length_);
  for (std::uint64_t i = first + 1; i <= index_; ++i) Step(i);
}

void TermWalker::Next() {
  ++index_;
  if (done()) return;
  if (index_ % format::kTermBlockTerms == 0) {
    // A block starts afresh from the table, so damage stays in its block.
    entry_ = reader_.EntryAt(index_, &at_);
    reader_.RebuildTerm(index_, entry_, text_, length_);
    return;
  }
  Step(index_);
}

void TermWalker::Step(std::uint64_t index) {
  const format::TermEntry previous = entry_;
  entry_ = reader_.DecodeEntry(index, at_);
  entry_.postings_offset = previous.postings_offset + previous.postings_bytes;
  entry_.positions_offset = previous.positions_offset + previous.positions_bytes;
  entry_.pool_offset = previous.pool_offset + previous.suffix_length;
  reader_.RebuildTerm(index, entry_, text_, length_);
}

std::uint64_t IndexReader::BlockHolding(std::string_view term) const {
  // The last block whose first term is at most term (block 0 if none is).
  // A block whose key is below term's begins with a smaller term, one whose
  // key is above with a larger; only equal keys need the whole terms.
  const std::uint64_t key = BlockKey(term);
  std::uint64_t low = 0;
  std::uint64_t high = term_block_count_;
  while (low < high) {
    const std::uint64_t mid = low + (high - low) / 2;
    const std::atomic_ref<std::uint64_t> stored_key(block_keys_[mid]);
    std::uint64_t block_key = stored_key.load(std::memory_order_relaxed);
    if (block_key == 0) {
      block_key = BlockKey(BlockFirstTerm(mid));
      stored_key.store(block_key, std::memory_order_relaxed);
    }
    if (block_key < key || (block_key == key && BlockFirstTerm(mid) <= term)) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return low == 0 ? 0 : low - 1;
}

std::uint64_t IndexReader::LowerBound(std::string_view term) const {
  const std::uint64_t first = BlockHolding(term) * format::kTermBlockTerms;
  const std::uint64_t last = std::min<std::uint64_t>(first + format::kTermBlockTerms, term_count_);
  for (TermWalker walker(*this, first); walker.index() < last; walker.Next()) {
    if (!(walker.term() < term)) return walker.index();
  }
  return last;
}

std::optional<TermInfo> IndexReader::FindTerm(std::string_view term) const {
  const std::uint64_t first = BlockHolding(term) * format::kTermBlockTerms;
  const std::uint64_t last = std::min<std::uint64_t>(first + format::kTermBlockTerms, term_count_);
  for (TermWalker walker(*this, first); walker.index() < last; walker.Next()) {
    if (walker.term() == term) return walker.info();
    if (walker.term() > term) break;
  }
  return std::nullopt;
}

void IndexReader::ThrowCorruptIds(std::uint64_t payload_offset, const std::string& what) const {
  throw CorruptIndexError(doc_ids_.path().string() + ": at offset " +
                          std::to_string(format::kHeaderSize + payload_offset) + ": " + what);
}

std::string IndexReader::external_id(DocId doc) const {
  std::string id;
  if (!ids_.Find(doc, id)) {
    throw CorruptIndexError(doc_ids_.path().string() + ": id entry of document " +
                            std::to_string(doc) + " is malformed");
  }
  return id;
}

MinHashSketch IndexReader::sketch(DocId doc) const {
  const std::uint8_t* at = sketches_ + kSketchBytes * static_cast<std::uint64_t>(doc);
  const auto offset = static_cast<std::uint64_t>(at - minhash_.data());
  minhash_.Verify(offset, offset + kSketchBytes);
  MinHashSketch sketch;
  sketch.shingles = format::Get<std::uint32_t>(at);
  for (std::size_t i = 0; i < kMinHashes; ++i) {
    sketch.values[i] = format::Get<std::uint16_t>(at + 4 + 2 * i);
  }
  return sketch;
}

std::optional<DocId> IndexReader::FindExternalId(std::string_view id) const {
  std::optional<DocId> found;
  ForEachExternalId([&](DocId doc, std::string_view each) {
    if (!found && each == id) found = doc;
  });
  return found;
}

}  // namespace fathom

namespace fathom {

std::vector<FieldValue> IndexReader::FieldsOf(DocId doc) const {
  std::vector<FieldValue> values;
  for (const format::FieldColumn& column : columns_.columns()) {
    if (!column.Has(doc)) continue;
    FieldValue value;
    value.name = std::string(column.name());
    value.type = column.type();
    value.uses = column.uses();
    const std::int64_t key = column.Key(doc);
    if (column.type() == FieldType::kKeyword) {
      // Checked here, as every reader of the file would: an ordinal past
      // the dictionary is damage, not a value.
      if (key < 0 || static_cast<std::uint64_t>(key) >= column.dictionary_size()) {
        throw CorruptIndexError((dir_ / format::kFieldsFile.file_name).string() + ": field '" +
                                value.name + "': document " + std::to_string(doc) +
                                " holds an ordinal past the dictionary");
      }
      value.keyword = std::string(column.KeywordAt(static_cast<std::uint32_t>(key)));
    } else {
      value.key = key;
    }
    values.push_back(std::move(value));
  }
  return values;
}

}  // namespace fathom
