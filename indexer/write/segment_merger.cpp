#include "indexer/write/segment_merger.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>

#include "common/contract.hpp"
#include "common/error.hpp"
#include "common/format/codec.hpp"
#include "common/read/doc_store.hpp"
#include "common/read/posting_cursor.hpp"
#include "indexer/write/segment_writer.hpp"

namespace fathom {
namespace {

// A merge reads its inputs once, front to back, through memory mappings;
// pages it is done with are given back every so often, so its resident
// memory stays bounded whatever the inputs' size.
constexpr std::uint64_t kDropEvery = 64ull << 20;
// A rewrite whose runs of consecutive documents are shorter than this on
// average unpacks the stored text first (StoreCopier::Spill): a store block
// holds about this many short documents.
constexpr std::size_t kSpillBelowRunLength = 64;

void DropBehind(const CheckedFile& file, std::uint64_t offset, std::uint64_t& dropped) {
  if (offset >= dropped + kDropEvery) {
    file.mapped().DropPages(dropped, offset);
    dropped = offset;
  }
}

// Postings of one existing segment, with doc ids renumbered for the new
// segment and dropped documents left out. When the renumbering keeps the
// segment's order (a merge), postings stream through; when it does not
// (sync puts documents in the folder's order), each term's postings are
// gathered and sorted by their new ids first.
class SegmentPostingSource final : public PostingSource {
 public:
  SegmentPostingSource(const IndexReader& reader, const std::vector<DocId>& new_ids)
      : reader_(reader), new_ids_(new_ids), in_order_(KeepsOrder(new_ids)) {}

  bool NextTerm() override {
    if (!walk_) {
      walk_.emplace(reader_, 0);
    } else {
      walk_->Next();
    }
    if (walk_->done()) return false;
    term_ = walk_->term();
    const TermInfo info = walk_->info();
    cursor_.emplace(reader_, info);
    // Terms are read in file order: give back what is behind.
    DropBehind(reader_.postings_file(), info.entry.postings_offset, postings_dropped_);
    DropBehind(reader_.positions_file(), info.entry.positions_offset, positions_dropped_);
    if (!in_order_) Gather();
    return true;
  }
  std::string_view term() const override { return term_; }
  bool NextPosting(SourcePosting& posting) override {
    if (!in_order_) {
      if (next_gathered_ == gathered_.size()) return false;
      const Gathered& g = gathered_[next_gathered_++];
      posting.doc = g.doc;
      posting.frequency = g.frequency;
      posting.positions =
          std::string_view(gathered_positions_).substr(g.positions_at, g.positions_size);
      return true;
    }
    while (cursor_->doc() != kEndDoc) {
      const DocId doc = new_ids_[cursor_->doc()];
      if (doc == kEndDoc) {
        cursor_->Next();
        continue;
      }
      posting.doc = doc;
      posting.frequency = cursor_->frequency();
      encoded_.clear();
      EncodeCurrentPositions(encoded_);
      posting.positions = encoded_;
      cursor_->Next();
      return true;
    }
    return false;
  }

 private:
  struct Gathered {
    DocId doc;
    std::uint32_t frequency;
    std::size_t positions_at, positions_size;
  };

  static bool KeepsOrder(const std::vector<DocId>& new_ids) {
    DocId previous = 0;
    bool any = false;
    for (const DocId doc : new_ids) {
      if (doc == kEndDoc) continue;
      if (any && doc <= previous) return false;
      previous = doc;
      any = true;
    }
    return true;
  }

  // Appends the current posting's positions as varint gaps.
  void EncodeCurrentPositions(std::string& out) {
    cursor_->Positions(positions_);
    if (positions_.size() != cursor_->frequency()) {
      throw CorruptIndexError(reader_.dir().string() + ": positions of '" + term_ +
                              "' do not match its frequencies (run fathom-index check)");
    }
    std::uint32_t previous = 0;
    for (const std::uint32_t position : positions_) {
      codec::PutVarint(position - previous, out);
      previous = position;
    }
  }

  void Gather() {
    gathered_.clear();
    gathered_positions_.clear();
    next_gathered_ = 0;
    for (; cursor_->doc() != kEndDoc; cursor_->Next()) {
      const DocId doc = new_ids_[cursor_->doc()];
      if (doc == kEndDoc) continue;
      const std::size_t at = gathered_positions_.size();
      EncodeCurrentPositions(gathered_positions_);
      gathered_.push_back({doc, cursor_->frequency(), at, gathered_positions_.size() - at});
    }
    std::sort(gathered_.begin(), gathered_.end(),
              [](const Gathered& a, const Gathered& b) { return a.doc < b.doc; });
  }

  const IndexReader& reader_;
  const std::vector<DocId>& new_ids_;
  const bool in_order_;
  std::optional<TermWalker> walk_;  // the dictionary, term by term
  std::uint64_t postings_dropped_ = 0, positions_dropped_ = 0;
  std::string term_;
  std::optional<PostingCursor> cursor_;
  std::vector<std::uint32_t> positions_;
  std::string encoded_;
  std::vector<Gathered> gathered_;
  std::string gathered_positions_;
  std::size_t next_gathered_ = 0;
};

// Copies stored text of one input to the new segment, a run of
// consecutive documents at a time: whole compressed blocks where a run
// covers them, document by document from the decompressed block otherwise.
class StoreCopier {
 public:
  explicit StoreCopier(const IndexReader& reader)
      : reader_(reader), store_(reader.store_file(), reader.document_count()) {}

  ~StoreCopier() {
    if (spill_fd_ >= 0) ::close(spill_fd_);
  }
  StoreCopier(const StoreCopier&) = delete;
  StoreCopier& operator=(const StoreCopier&) = delete;

  // For a rewrite that takes this input's documents far from their order
  // (reordered, or interleaved with other inputs'): reading each from its
  // compressed block would decompress a block per document. Instead every
  // block is decompressed once, into an unnamed temporary file in dir
  // (gone when the copier is, whatever happens), and CopyRun reads each
  // document from there, in any order.
  void Spill(const std::filesystem::path& dir) {
    const std::string path = (dir / ".store-spill").string();
    spill_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (spill_fd_ < 0) throw IoError(path + ": cannot create: " + std::strerror(errno));
    ::unlink(path.c_str());
    spill_offsets_.clear();
    spill_offsets_.reserve(reader_.document_count() + 1);
    std::uint64_t written = 0;
    for (std::size_t b = 0; b < store_.blocks().size(); ++b) {
      DropBehind(reader_.store_file(), store_.blocks()[b].offset, dropped_);
      Load(b);
      for (const std::size_t start : starts_) spill_offsets_.push_back(written + start);
      for (std::size_t done = 0; done < raw_.size();) {
        const ssize_t n = ::pwrite(spill_fd_, raw_.data() + done, raw_.size() - done,
                                   static_cast<off_t>(written + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw IoError(path + ": cannot write: " + std::strerror(errno));
        done += static_cast<std::size_t>(n);
      }
      written += raw_.size();
    }
    spill_offsets_.push_back(written);
    loaded_ = SIZE_MAX;
    raw_.clear();
    raw_.shrink_to_fit();
    fields_.clear();
  }

  // Copies documents [first, end) in order. REQUIRES: without Spill, runs
  // of one input come in increasing order (pages behind are given back).
  void CopyRun(DocId first, DocId end, DocStoreWriter& out) {
    if (spill_fd_ >= 0) {
      for (DocId doc = first; doc < end; ++doc) CopySpilled(doc, out);
      return;
    }
    const auto& blocks = store_.blocks();
    for (DocId doc = first; doc < end;) {
      const std::size_t b = BlockOf(doc);
      const std::uint64_t block_end =
          b + 1 < blocks.size() ? blocks[b + 1].first_doc : reader_.document_count();
      DropBehind(reader_.store_file(), blocks[b].offset, dropped_);
      if (doc == blocks[b].first_doc && block_end <= end) {
        CompressedStoreBlock block;
        block.documents = static_cast<std::uint32_t>(block_end - doc);
        block.raw_size = blocks[b].raw_size;
        // Copied without decompressing: verified here, or damage would pass
        // into the merged segment under fresh checksums.
        reader_.store_file().Verify(blocks[b].offset, blocks[b].offset + blocks[b].compressed_size);
        block.bytes.assign(
            reinterpret_cast<const char*>(reader_.store_file().data()) + blocks[b].offset,
            blocks[b].compressed_size);
        out.FlushPending();
        out.AppendBlock(block);
        doc = static_cast<DocId>(block_end);
        continue;
      }
      Load(b);
      for (; doc < end && doc < block_end; ++doc) {
        const auto& fields = fields_[doc - blocks[b].first_doc];
        out.Add(fields[0], fields[1]);
      }
    }
  }

 private:
  void CopySpilled(DocId doc, DocStoreWriter& out) {
    const std::uint64_t from = spill_offsets_.at(doc), to = spill_offsets_.at(doc + 1);
    spilled_.resize(to - from);
    for (std::size_t done = 0; done < spilled_.size();) {
      const ssize_t n = ::pread(spill_fd_, spilled_.data() + done, spilled_.size() - done,
                                static_cast<off_t>(from + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        throw IoError(reader_.dir().string() + ": cannot read back its unpacked store: " +
                      (n == 0 ? std::string("file too short") : std::strerror(errno)));
      }
      done += static_cast<std::size_t>(n);
    }
    const auto* at = reinterpret_cast<const std::uint8_t*>(spilled_.data());
    std::array<std::string_view, 2> fields;
    // Its bytes were parsed once already, on the way out.
    if (!ParseStoredFields(at, at + spilled_.size(), fields)) {
      throw IoError(reader_.dir().string() + ": its unpacked store read back differently");
    }
    out.Add(fields[0], fields[1]);
  }

  std::size_t BlockOf(DocId doc) const {
    const auto& blocks = store_.blocks();
    const auto it =
        std::upper_bound(blocks.begin(), blocks.end(), doc,
                         [](DocId d, const DocStore::Block& b) { return d < b.first_doc; });
    return static_cast<std::size_t>(it - blocks.begin()) - 1;
  }

  // Decompresses block b and splits it into its documents' fields.
  void Load(std::size_t b) {
    if (loaded_ == b) return;
    const auto& blocks = store_.blocks();
    raw_ = store_.RawBlock(b);
    fields_.clear();
    starts_.clear();
    const auto* first = reinterpret_cast<const std::uint8_t*>(raw_.data());
    const auto* at = first;
    const auto* raw_end = at + raw_.size();
    const std::uint64_t end =
        b + 1 < blocks.size() ? blocks[b + 1].first_doc : reader_.document_count();
    for (std::uint64_t doc = blocks[b].first_doc; doc < end; ++doc) {
      starts_.push_back(static_cast<std::size_t>(at - first));
      std::array<std::string_view, 2> fields;
      if (!ParseStoredFields(at, raw_end, fields)) {
        throw CorruptIndexError(reader_.dir().string() + "/store: damaged block " +
                                std::to_string(b) + " (run fathom-index check)");
      }
      fields_.push_back(fields);
    }
    loaded_ = b;
  }

  const IndexReader& reader_;
  const DocStore store_;
  std::uint64_t dropped_ = 0;
  std::size_t loaded_ = SIZE_MAX;
  std::string raw_;
  std::vector<std::array<std::string_view, 2>> fields_;
  std::vector<std::size_t> starts_;  // where each document of the loaded block starts in raw_
  int spill_fd_ = -1;
  std::vector<std::uint64_t> spill_offsets_;  // document d: [offsets[d], offsets[d + 1])
  std::string spilled_;
};

}  // namespace

RewritePlan ConcatenationPlan(const std::vector<const IndexReader*>& inputs,
                              const std::vector<DeletedDocs>& drop) {
  RewritePlan plan;
  for (std::uint32_t s = 0; s < inputs.size(); ++s) {
    const IndexReader& segment = *inputs[s];
    // kept_before[d]: documents of this input kept before d, in new ids.
    std::vector<DocId> kept_before(segment.document_count() + 1);
    kept_before[0] = static_cast<DocId>(plan.order.size());
    for (DocId doc = 0; doc < segment.document_count(); ++doc) {
      const bool kept = !drop[s].contains(doc);
      if (kept) plan.order.push_back({s, doc});
      kept_before[doc + 1] = kept_before[doc] + (kept ? 1 : 0);
    }
    for (const SourceFile& source : segment.sources()) {
      const DocId first = kept_before[source.first_doc];
      const DocId kept = kept_before[source.first_doc + source.doc_count] - first;
      if (kept != source.doc_count) continue;  // some or all of its documents dropped
      SourceFile carried = source;
      carried.first_doc = first;
      plan.sources.push_back(std::move(carried));
    }
  }
  return plan;
}

SegmentRecord RewriteSegments(const std::vector<const IndexReader*>& inputs,
                              const RewritePlan& plan, const std::filesystem::path& dir,
                              const std::string& name, const ProgressSink& progress) {
  const auto start = std::chrono::steady_clock::now();
  SegmentWriter writer(dir, inputs.at(0)->meta().analysis);
  // Old ids to new.
  std::vector<std::vector<DocId>> new_ids(inputs.size());
  for (std::size_t s = 0; s < inputs.size(); ++s) {
    new_ids[s].assign(inputs[s]->document_count(), kEndDoc);
  }
  std::vector<std::unique_ptr<StoreCopier>> stores;
  for (const IndexReader* input : inputs) stores.push_back(std::make_unique<StoreCopier>(*input));
  // Runs of consecutive documents: a plan of few, long runs copies whole
  // blocks; one of many short runs (a reordering) reads unpacked documents.
  std::size_t runs = 0;
  for (std::size_t i = 0; i < plan.order.size(); ++i) {
    runs += i == 0 || plan.order[i].input != plan.order[i - 1].input ||
                    plan.order[i].doc != plan.order[i - 1].doc + 1
                ? 1
                : 0;
  }
  if (runs > inputs.size() + plan.order.size() / kSpillBelowRunLength) {
    for (const auto& store : stores) store->Spill(dir);
  }
  for (std::size_t i = 0; i < plan.order.size();) {
    // A run of consecutive documents of one input.
    const KeptDocument first = plan.order[i];
    std::size_t run_end = i + 1;
    while (run_end < plan.order.size() && plan.order[run_end].input == first.input &&
           plan.order[run_end].doc == first.doc + (run_end - i)) {
      ++run_end;
    }
    const IndexReader& segment = *inputs.at(first.input);
    for (std::size_t k = i; k < run_end; ++k) {
      const DocId doc = plan.order[k].doc;
      FATHOM_REQUIRE(doc < segment.document_count() && new_ids[first.input][doc] == kEndDoc,
                     "each document of the plan is an input's, and comes once");
      new_ids[first.input][doc] = static_cast<DocId>(writer.document_count());
      writer.AddDocument(segment.external_id(doc), {segment.length(doc), segment.title_length(doc),
                                                    segment.sketch(doc), segment.FieldsOf(doc)});
    }
    stores[first.input]->CopyRun(first.doc, static_cast<DocId>(first.doc + (run_end - i)),
                                 writer.store());
    i = run_end;
  }
  for (const IndexReader* segment : inputs) segment->DropDocumentPages();
  stores.clear();
  writer.SetSourceFiles(plan.sources);
  std::vector<std::unique_ptr<SegmentPostingSource>> owned;
  std::vector<PostingSource*> sources;
  for (std::size_t s = 0; s < inputs.size(); ++s) {
    owned.push_back(std::make_unique<SegmentPostingSource>(*inputs[s], new_ids[s]));
    sources.push_back(owned.back().get());
  }
  BuildProgress report{};
  report.phase = BuildPhase::kMerging;
  report.documents = writer.document_count();
  for (const IndexReader* segment : inputs) report.postings_total += segment->meta().posting_count;
  writer.WritePostings(sources, [&](std::uint64_t postings) {
    if (!progress) return;
    report.postings_merged = postings;
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    progress(report);
  });
  return writer.Finish(name);
}

}  // namespace fathom
