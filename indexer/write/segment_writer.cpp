#include "indexer/write/segment_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "common/analysis/fields.hpp"
#include "common/error.hpp"
#include "common/format/codec.hpp"
#include "common/format/field_lengths.hpp"
#include "common/format/format.hpp"
#include "common/format/patched_blocks.hpp"
#include "indexer/write/file_writer.hpp"

#ifndef FATHOM_VERSION
#define FATHOM_VERSION "0.1.0"
#endif
#include "common/format/impacts.hpp"

namespace fathom {

// A temporary file in the segment folder that collects bytes whose final
// place is after data not known yet (id offsets before the id pool, the
// dictionary's counts before its entries), then is copied into the real
// file and deleted. Keeps those bytes out of memory.
class SpillFile {
 public:
  explicit SpillFile(std::filesystem::path path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd_ < 0) throw IoError(path_.string() + ": cannot create: " + std::strerror(errno));
    buffer_.reserve(kBufferBytes);
  }
  ~SpillFile() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;

  void Append(std::string_view bytes) {
    buffer_.append(bytes);
    if (buffer_.size() >= kBufferBytes) Flush();
  }
  std::uint64_t size() const { return written_ + buffer_.size(); }

  void CopyInto(FileWriter& out) {
    Flush();
    std::string chunk(kBufferBytes, '\0');
    for (std::uint64_t at = 0; at < written_;) {
      const ssize_t got = ::pread(fd_, chunk.data(), chunk.size(), static_cast<off_t>(at));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) throw IoError(path_.string() + ": read failed: " + std::strerror(errno));
      out.Append(std::string_view(chunk.data(), static_cast<std::size_t>(got)));
      at += static_cast<std::uint64_t>(got);
    }
  }

 private:
  static constexpr std::size_t kBufferBytes = 1 << 20;
  void Flush() {
    for (std::size_t done = 0; done < buffer_.size();) {
      const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw IoError(path_.string() + ": write failed: " + std::strerror(errno));
      done += static_cast<std::size_t>(n);
    }
    written_ += buffer_.size();
    buffer_.clear();
  }

  std::filesystem::path path_;
  int fd_ = -1;
  std::string buffer_;
  std::uint64_t written_ = 0;
};

namespace {

// One source of the merge, positioned on a term and, within it, on its
// current posting.
struct MergeInput {
  PostingSource* source;
  SourcePosting posting;
  bool has_posting;
};

}  // namespace

void EncodePostings(const std::vector<DocId>& docs, const std::vector<std::uint32_t>& frequencies,
                    std::string_view positions, const std::vector<std::uint32_t>& lengths,
                    std::string& out, format::EncodedPositions& positions_out) {
  const std::size_t n = docs.size();
  // The position varints are the stream's values (docs/FORMAT.md).
  std::vector<std::uint32_t> values;
  values.reserve(positions.size());
  const auto* in = reinterpret_cast<const std::uint8_t*>(positions.data());
  const auto* in_end = in + positions.size();
  while (in != in_end) {
    std::uint32_t value;
    in = codec::GetVarint(in, in_end, &value);
    if (in == nullptr) throw InputError("internal error: malformed position varints");
    values.push_back(value);
  }
  format::EncodePositions(values.data(), values.size(), positions_out);
  const std::size_t block_count = (n + codec::kBlockSize - 1) / codec::kBlockSize;
  std::string blocks;
  std::string impacts;
  std::vector<format::SkipEntry> skips(block_count);
  std::array<std::uint32_t, codec::kBlockSize> gaps;
  std::array<std::uint32_t, codec::kBlockSize> freqs;
  std::array<std::uint32_t, codec::kBlockSize> block_lengths;
  DocId previous = 0;
  std::uint64_t positions_at = 0;  // the index of the block's first value
  for (std::size_t b = 0; b < block_count; ++b) {
    const std::size_t start = b * codec::kBlockSize;
    const std::size_t count = std::min(codec::kBlockSize, n - start);
    format::SkipEntry& skip = skips[b];
    skip.last_doc = docs[start + count - 1];
    skip.min_length = UINT32_MAX;
    skip.positions_offset = positions_out.MarkOf(positions_at);
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
      format::PackPatchedBlock(gaps.data(), blocks);
      format::PackPatchedBlock(freqs.data(), blocks);
    } else {
      for (std::size_t i = 0; i < count; ++i) {
        format::PutTailPosting(gaps[i], frequencies[start + i], blocks);
      }
    }
    for (std::size_t i = 0; i < count; ++i) positions_at += frequencies[start + i];
  }
  // A single block needs no skip table or impact record: its entry is
  // derived when decoded. Most terms are rare (Zipf), so this saves a table
  // and a record on most terms.
  if (block_count > 1) {
    // Block offsets count from the end of the skip table, past the impacts.
    if (impacts.size() + blocks.size() > UINT32_MAX) {
      throw InputError("posting list too large for the format (over 4 GiB)");
    }
    for (format::SkipEntry& skip : skips) {
      skip.block_offset += static_cast<std::uint32_t>(impacts.size());
    }
    format::PutSkipTable(out, skips.data(), skips.size());
    out.append(impacts);
  }
  out.append(blocks);
}

SegmentWriter::SegmentWriter(const std::filesystem::path& dir, const AnalysisSettings& analysis)
    : dir_(dir),
      store_(dir),
      id_entries_(std::make_unique<SpillFile>(dir / ".docids.entries")),
      sketches_(std::make_unique<SpillFile>(dir / ".minhash.sketches")) {
  meta_.analysis = analysis;
}

SegmentWriter::~SegmentWriter() = default;

void SegmentWriter::AddDocument(std::string_view external_id, const DocumentSummary& summary) {
  if (lengths_.size() >= kMaxDocuments) {
    throw InputError("too many documents: an index holds at most " + std::to_string(kMaxDocuments));
  }
  columns_.Add(summary.fields);
  lengths_.push_back(summary.length);
  title_lengths_.push_back(summary.title_length);
  meta_.total_length += summary.length;
  std::string bytes;
  id_encoder_.Add(external_id, bytes);
  id_entries_->Append(bytes);
  bytes.clear();
  format::Put<std::uint32_t>(bytes, summary.sketch.shingles);
  for (const std::uint16_t value : summary.sketch.values) format::Put<std::uint16_t>(bytes, value);
  sketches_->Append(bytes);
}

void SegmentWriter::WritePostings(const std::vector<PostingSource*>& sources,
                                  const std::function<void(std::uint64_t)>& progress) {
  postings_written_ = true;
  FileWriter postings_file(dir_, format::kPostingsFile);
  FileWriter positions_file(dir_, format::kPositionsFile);
  postings_file.DropFromCacheWhenFinished();
  positions_file.DropFromCacheWhenFinished();
  SpillFile entries(dir_ / ".terms.entries");
  SpillFile pool_file(dir_ / ".terms.pool");
  std::uint64_t pool_size = 0;
  std::uint64_t entries_size = 0;
  std::vector<format::TermBlock> blocks;  // small: 24 bytes per 16 terms

  // A min-heap of sources by current term.
  std::vector<PostingSource*> heap;
  const auto later = [](const PostingSource* a, const PostingSource* b) {
    return a->term() > b->term();
  };
  for (PostingSource* source : sources) {
    if (source->NextTerm()) heap.push_back(source);
  }
  std::make_heap(heap.begin(), heap.end(), later);

  std::vector<MergeInput> inputs;
  std::vector<DocId> docs;
  std::vector<std::uint32_t> frequencies;
  std::string positions, encoded, entry_bytes;
  format::EncodedPositions encoded_positions;
  std::string term, previous_term;
  std::uint64_t terms = 0;
  // Moves the sources of the term just merged on to their next terms.
  const auto next_term = [&] {
    for (MergeInput& input : inputs) {
      if (input.source->NextTerm()) {
        heap.push_back(input.source);
        std::push_heap(heap.begin(), heap.end(), later);
      }
    }
  };
  while (!heap.empty()) {
    term.assign(heap.front()->term());
    inputs.clear();
    while (!heap.empty() && heap.front()->term() == term) {
      std::pop_heap(heap.begin(), heap.end(), later);
      inputs.push_back({heap.back(), {}, false});
      heap.pop_back();
    }
    for (MergeInput& input : inputs) input.has_posting = input.source->NextPosting(input.posting);
    docs.clear();
    frequencies.clear();
    positions.clear();
    std::uint64_t collection_frequency = 0;
    while (true) {
      // Sources hold disjoint documents; take the smallest id next. A
      // handful of inputs: a linear scan beats a heap.
      MergeInput* next = nullptr;
      for (MergeInput& input : inputs) {
        if (input.has_posting && (next == nullptr || input.posting.doc < next->posting.doc)) {
          next = &input;
        }
      }
      if (next == nullptr) break;
      if (!docs.empty() && next->posting.doc <= docs.back()) {
        throw InputError("internal error: postings of '" + term + "' out of document order");
      }
      if (next->posting.doc >= lengths_.size()) {
        throw InputError("internal error: posting for a document that was never added");
      }
      docs.push_back(next->posting.doc);
      frequencies.push_back(next->posting.frequency);
      positions.append(next->posting.positions);
      collection_frequency += next->posting.frequency;
      next->has_posting = next->source->NextPosting(next->posting);
    }
    if (docs.empty()) {  // every posting was of a deleted document (a merge)
      next_term();
      continue;
    }
    if (pool_size > UINT32_MAX - term.size()) {
      throw InputError("term dictionary too large for the format (over 4 GiB of term text)");
    }
    if (terms % format::kTermBlockTerms == 0) {
      if (entries_size > UINT32_MAX) {
        throw InputError("term dictionary too large for the format (over 4 GiB of entries)");
      }
      blocks.push_back({postings_file.offset(), positions_file.offset(),
                        static_cast<std::uint32_t>(pool_size),
                        static_cast<std::uint32_t>(entries_size)});
    }
    format::TermEntry entry{};
    entry.collection_frequency = collection_frequency;
    entry.document_frequency = static_cast<std::uint32_t>(docs.size());
    // Front coding: a block's first term whole, so that a look-up can
    // binary-search the blocks by it; the others after what they share.
    static_assert(kMaxIndexedTermBytes <= UINT16_MAX, "term lengths fit a u16");
    std::size_t shared = 0;
    if (terms % format::kTermBlockTerms != 0) {
      const std::size_t most = std::min(term.size(), previous_term.size());
      while (shared < most && term[shared] == previous_term[shared]) ++shared;
    }
    entry.shared_prefix = static_cast<std::uint16_t>(shared);
    entry.suffix_length = static_cast<std::uint16_t>(term.size() - shared);
    pool_size += entry.suffix_length;
    pool_file.Append(std::string_view(term).substr(shared));
    previous_term.assign(term);

    encoded.clear();
    EncodePostings(docs, frequencies, positions, lengths_, encoded, encoded_positions);
    postings_file.Append(encoded);
    positions_file.Append(encoded_positions.bytes);
    entry.postings_bytes = encoded.size();
    entry.positions_bytes = encoded_positions.bytes.size();
    entry_bytes.clear();
    format::PutTermEntry(entry_bytes, entry);
    entries.Append(entry_bytes);
    entries_size += entry_bytes.size();
    meta_.posting_count += docs.size();
    ++terms;
    if (progress && terms % 4096 == 0) progress(meta_.posting_count);
    next_term();
  }
  // Large lists may have grown these buffers far beyond their usual size.
  std::vector<DocId>().swap(docs);
  std::vector<std::uint32_t>().swap(frequencies);
  std::string().swap(positions);
  std::string().swap(encoded);
  encoded_positions = {};

  const std::string padding(format::kPostingPadding, '\0');
  postings_file.Append(padding);
  positions_file.Append(padding);
  for (FileWriter* file : {&postings_file, &positions_file}) {
    const IndexFileRecord record = file->Finish();
    page_checksums_.push_back({record.name, record.size, file->page_checksums()});
    meta_.files.push_back(record);
  }

  FileWriter dictionary(dir_, format::kDictionaryFile);
  std::string head;
  format::Put<std::uint64_t>(head, terms);
  format::Put<std::uint64_t>(head, blocks.size());
  format::Put<std::uint64_t>(head, entries_size);
  format::Put<std::uint64_t>(head, pool_size);
  for (const format::TermBlock& block : blocks) format::PutTermBlock(head, block);
  dictionary.Append(head);
  entries.CopyInto(dictionary);
  pool_file.CopyInto(dictionary);
  meta_.files.push_back(dictionary.Finish());
  meta_.term_count = terms;
}

SegmentRecord SegmentWriter::Finish(const std::string& name) {
  if (!postings_written_) WritePostings({});
  meta_.document_count = lengths_.size();
  {
    FileWriter file(dir_, format::kMinHashFile);
    std::string bytes;
    format::Put<std::uint64_t>(bytes, lengths_.size());
    file.Append(bytes);
    sketches_->CopyInto(file);
    const IndexFileRecord record = file.Finish();
    page_checksums_.push_back({record.name, record.size, file.page_checksums()});
    meta_.files.push_back(record);
  }
  {
    const IndexFileRecord record = store_.Finish();
    page_checksums_.push_back({record.name, record.size, store_.page_checksums()});
    meta_.files.push_back(record);
    FileWriter file(dir_, format::kChecksumsFile);
    file.Append(SerializePageChecksums(page_checksums_));
    meta_.files.push_back(file.Finish());
  }
  {
    FileWriter file(dir_, format::kLengthsFile);
    std::string bytes;
    format::Put<std::uint64_t>(bytes, lengths_.size());
    format::PutLengthsColumn(bytes, lengths_);
    file.Append(bytes);
    meta_.files.push_back(file.Finish());
  }
  {
    FileWriter file(dir_, format::kFieldLengthsFile);
    std::string bytes;
    format::PutFieldLengths(bytes, lengths_.size(), {{kTitleField, &title_lengths_}});
    file.Append(bytes);
    meta_.files.push_back(file.Finish());
  }
  {
    FileWriter file(dir_, format::kDocIdsFile);
    file.Append(id_encoder_.Head());
    id_entries_->CopyInto(file);
    meta_.files.push_back(file.Finish());
  }
  {
    FileWriter file(dir_, format::kSourcesFile);
    file.Append(SerializeSources(source_files_, lengths_.size()));
    meta_.files.push_back(file.Finish());
  }
  {
    FileWriter file(dir_, format::kFieldsFile);
    std::string bytes;
    format::PutFieldColumns(bytes, lengths_.size(), columns_.Finish());
    file.Append(bytes);
    meta_.files.push_back(file.Finish());
  }
  id_entries_.reset();
  sketches_.reset();
  meta_.created_unix_seconds =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  meta_.fathom_version = FATHOM_VERSION;
  FileWriter meta_file(dir_, format::kMetaFile);
  meta_file.Append(SerializeMeta(meta_));
  const IndexFileRecord meta_record = meta_file.Finish();
  SyncDirectory(dir_);
  SegmentRecord record;
  record.name = name;
  record.document_count = meta_.document_count;
  record.meta_checksum = meta_record.checksum;
  return record;
}

}  // namespace fathom
