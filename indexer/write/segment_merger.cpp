#include "indexer/write/segment_merger.hpp"

#include <chrono>
#include <memory>
#include <optional>

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

void DropBehind(const CheckedFile& file, std::uint64_t offset, std::uint64_t& dropped) {
  if (offset >= dropped + kDropEvery) {
    file.mapped().DropPages(dropped, offset);
    dropped = offset;
  }
}

// Postings of one existing segment, with doc ids renumbered for the merged
// segment and deleted documents left out.
class SegmentPostingSource final : public PostingSource {
 public:
  SegmentPostingSource(const IndexReader& reader, const std::vector<DocId>& new_ids)
      : reader_(reader), new_ids_(new_ids) {}

  bool NextTerm() override {
    if (next_term_ == reader_.term_count()) return false;
    const std::uint64_t index = next_term_++;
    term_ = reader_.TermAt(index);
    const TermInfo info = reader_.TermInfoAt(index);
    cursor_.emplace(reader_, info);
    // Terms are read in file order: give back what is behind.
    DropBehind(reader_.postings_file(), info.entry.postings_offset, postings_dropped_);
    DropBehind(reader_.positions_file(), info.entry.positions_offset, positions_dropped_);
    return true;
  }
  std::string_view term() const override { return term_; }
  bool NextPosting(SourcePosting& posting) override {
    for (; cursor_->doc() != kEndDoc; cursor_->Next()) {
      const DocId doc = new_ids_[cursor_->doc()];
      if (doc == kEndDoc) continue;
      posting.doc = doc;
      posting.frequency = cursor_->frequency();
      cursor_->Positions(positions_);
      encoded_.clear();
      std::uint32_t previous = 0;
      for (const std::uint32_t position : positions_) {
        codec::PutVarint(position - previous, encoded_);
        previous = position;
      }
      if (positions_.size() != posting.frequency) {
        throw CorruptIndexError(reader_.dir().string() + ": positions of '" + term_ +
                                "' do not match its frequencies (run fathom-index check)");
      }
      posting.positions = encoded_;
      cursor_->Next();
      return true;
    }
    return false;
  }

 private:
  const IndexReader& reader_;
  const std::vector<DocId>& new_ids_;
  std::uint64_t next_term_ = 0;
  std::uint64_t postings_dropped_ = 0, positions_dropped_ = 0;
  std::string term_;
  std::optional<PostingCursor> cursor_;
  std::vector<std::uint32_t> positions_;
  std::string encoded_;
};

// Copies a segment's live documents' stored text: whole compressed blocks
// when none of their documents is deleted, document by document otherwise.
void CopyStore(const IndexReader& reader, const DeletedDocs& deletes, DocStoreWriter& out) {
  const DocStore store(reader.store_file(), reader.document_count());
  const auto& blocks = store.blocks();
  std::uint64_t dropped = 0;
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    DropBehind(reader.store_file(), blocks[b].offset, dropped);
    const std::uint64_t first = blocks[b].first_doc;
    const std::uint64_t end =
        b + 1 < blocks.size() ? blocks[b + 1].first_doc : reader.document_count();
    bool any_deleted = false;
    for (std::uint64_t doc = first; doc < end && !any_deleted; ++doc) {
      any_deleted = deletes.contains(static_cast<DocId>(doc));
    }
    if (!any_deleted) {
      CompressedStoreBlock block;
      block.documents = static_cast<std::uint32_t>(end - first);
      block.raw_size = blocks[b].raw_size;
      // Copied without decompressing: verified here, or damage would pass
      // into the merged segment under fresh checksums.
      reader.store_file().Verify(blocks[b].offset, blocks[b].offset + blocks[b].compressed_size);
      block.bytes.assign(
          reinterpret_cast<const char*>(reader.store_file().data()) + blocks[b].offset,
          blocks[b].compressed_size);
      out.FlushPending();
      out.AppendBlock(block);
      continue;
    }
    const std::string raw = store.RawBlock(b);
    const auto* at = reinterpret_cast<const std::uint8_t*>(raw.data());
    const auto* raw_end = at + raw.size();
    for (std::uint64_t doc = first; doc < end; ++doc) {
      std::string_view fields[2];
      for (auto& field : fields) {
        std::uint32_t size = 0;
        at = codec::GetVarint(at, raw_end, &size);
        if (at == nullptr || size > static_cast<std::size_t>(raw_end - at)) {
          throw CorruptIndexError(reader.dir().string() + "/store: damaged block " +
                                  std::to_string(b) + " (run fathom-index check)");
        }
        field = std::string_view(reinterpret_cast<const char*>(at), size);
        at += size;
      }
      if (!deletes.contains(static_cast<DocId>(doc))) out.Add(fields[0], fields[1]);
    }
  }
}

}  // namespace

SegmentRecord RewriteSegments(const std::vector<const IndexReader*>& inputs,
                              const std::vector<DeletedDocs>& drop,
                              const std::filesystem::path& dir, const std::string& name,
                              const ProgressSink& progress) {
  const auto start = std::chrono::steady_clock::now();
  SegmentWriter writer(dir, inputs.at(0)->meta().analysis);
  // Old ids to new: kept documents keep their order, dropped ones vanish.
  std::vector<std::vector<DocId>> new_ids(inputs.size());
  for (std::size_t s = 0; s < inputs.size(); ++s) {
    const IndexReader& segment = *inputs[s];
    new_ids[s].resize(segment.document_count(), kEndDoc);
    for (DocId doc = 0; doc < segment.document_count(); ++doc) {
      if (drop[s].contains(doc)) continue;
      new_ids[s][doc] = static_cast<DocId>(writer.document_count());
      writer.AddDocument(segment.external_id(doc), {segment.length(doc), segment.sketch(doc)});
    }
    segment.DropDocumentPages();
    CopyStore(segment, drop[s], writer.store());
  }
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
