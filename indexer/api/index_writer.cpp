// fathom::IndexWriter (include/fathom/index_writer.hpp) on the indexer's
// build and edit functions: a commit is one BuildIndex (no index yet), one
// AddDocuments (additions, with the deletions in the same manifest), or one
// DeleteDocuments.
#include "fathom/index_writer.hpp"

#include <charconv>
#include <cmath>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>
#include "common/contract.hpp"

#include "common/format/index_meta.hpp"
#include "fathom/errors.hpp"
#include "indexer/corpus/corpus_input.hpp"
#include "indexer/write/index_builder.hpp"
#include "indexer/write/index_editor.hpp"

namespace fathom {

namespace {

BuildOptions ToBuildOptions(const WriterOptions& options) {
  BuildOptions build;
  build.analysis.language = options.language;
  if (options.stop_words) build.analysis.stop_words = DefaultStopWords(options.language);
  build.threads = options.threads;
  build.memory_bytes = options.memory_bytes;
  return build;
}

// Keeps the build's warnings in the summary, up to kMaxWarnings of them.
WarningSink CollectInto(CommitSummary& summary, std::size_t& dropped) {
  return [&summary, &dropped](const std::string& warning) {
    if (summary.warnings.size() < CommitSummary::kMaxWarnings) {
      summary.warnings.push_back(warning);
    } else {
      ++dropped;
    }
  };
}

void NoteDropped(CommitSummary& summary, std::size_t dropped) {
  if (dropped > 0) summary.warnings.push_back(std::to_string(dropped) + " more warning(s)");
}

}  // namespace

struct IndexWriter::State {
  std::filesystem::path path;
  WriterOptions options;
  std::vector<SourceDocument> documents;
  std::unordered_map<std::string, std::size_t> position;  // id -> index in documents
  std::vector<std::string> deletions;
};

IndexWriter::IndexWriter(const std::filesystem::path& path, const WriterOptions& options)
    : state_(std::make_unique<State>()) {
  state_->path = path;
  state_->options = options;
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !IsIndexFolder(path) &&
      !(std::filesystem::is_directory(path, ec) && std::filesystem::is_empty(path, ec))) {
    throw InputError(path.string() + ": exists and is not a Fathom index");
  }
  // An unknown language fails here, not at the first commit.
  const Analyzer check(ToBuildOptions(options).analysis);
}

IndexWriter::~IndexWriter() = default;
IndexWriter::IndexWriter(IndexWriter&&) noexcept = default;
IndexWriter& IndexWriter::operator=(IndexWriter&&) noexcept = default;

namespace {

// A field as the JSON Lines member that would carry it, typed at commit by
// the reader like any member (CorpusInput::InMemory).
JsonMember MemberOf(const std::string& id, DocumentField field) {
  JsonMember member;
  member.name = std::move(field.name);
  member.is_text = true;
  if (auto* text = std::get_if<std::string>(&field.value)) {
    member.kind = JsonKind::kString;
    member.value = std::move(*text);
  } else if (const auto* whole = std::get_if<std::int64_t>(&field.value)) {
    member.kind = JsonKind::kNumber;
    member.value = std::to_string(*whole);
  } else if (const auto* number = std::get_if<double>(&field.value)) {
    if (!std::isfinite(*number)) {
      throw InputError("document '" + id + "': field '" + member.name +
                       "': " + std::to_string(*number) + " is not a finite number");
    }
    char digits[32];
    const auto end = std::to_chars(digits, digits + sizeof digits, *number).ptr;
    member.kind = JsonKind::kNumber;
    member.value.assign(digits, end);
  } else {
    member.kind = JsonKind::kBoolean;
    member.value = std::get<bool>(field.value) ? "true" : "false";
  }
  return member;
}

}  // namespace

void IndexWriter::Add(Document document) {
  FATHOM_REQUIRE(state_, "IndexWriter used after a move");
  if (document.id.empty()) throw InputError("a document needs a non-empty id");
  SourceDocument source{
      std::move(document.id), std::move(document.title), std::move(document.body), {}};
  for (DocumentField& field : document.fields) {
    source.untyped_fields.push_back(MemberOf(source.id, std::move(field)));
  }
  const auto [at, added] = state_->position.emplace(source.id, state_->documents.size());
  if (added) {
    state_->documents.push_back(std::move(source));
  } else {
    state_->documents[at->second] = std::move(source);  // the later copy wins
  }
}

void IndexWriter::Delete(std::string id) {
  FATHOM_REQUIRE(state_, "IndexWriter used after a move");
  state_->deletions.push_back(std::move(id));
}

std::size_t IndexWriter::pending_documents() const {
  FATHOM_REQUIRE(state_, "IndexWriter used after a move");
  return state_->documents.size();
}

std::size_t IndexWriter::pending_deletions() const {
  FATHOM_REQUIRE(state_, "IndexWriter used after a move");
  return state_->deletions.size();
}

CommitSummary IndexWriter::Commit() {
  FATHOM_REQUIRE(state_, "IndexWriter used after a move");
  State& state = *state_;
  CommitSummary summary;
  if (state.documents.empty() && state.deletions.empty()) return summary;
  const BuildOptions build = ToBuildOptions(state.options);
  std::size_t dropped = 0;
  const WarningSink warn = CollectInto(summary, dropped);
  const auto input = [&] { return CorpusInput::InMemory(state.documents); };
  if (!IsIndexFolder(state.path)) {
    // Nothing to delete from yet: every deleted id is missing.
    summary.not_found = state.deletions;
    if (!state.documents.empty()) {
      const BuildSummary built = BuildIndex(input(), state.path, build, warn, nullptr);
      summary.added = built.segment.document_count;
      summary.documents = built.segment.document_count;
    }
  } else if (!state.documents.empty()) {
    const AddSummary added =
        AddDocuments(input(), state.path, build, warn, nullptr, state.deletions);
    summary.added = added.build.segment.document_count;
    summary.replaced = added.replaced;
    summary.deleted = added.deleted;
    summary.not_found = added.not_found;
    summary.documents = added.live_documents;
  } else {
    const DeleteSummary deleted = DeleteDocuments(state.path, state.deletions);
    summary.deleted = deleted.deleted;
    summary.not_found = deleted.not_found;
    summary.documents = deleted.live_documents;
  }
  NoteDropped(summary, dropped);
  state.documents.clear();
  state.position.clear();
  state.deletions.clear();
  return summary;
}

void IndexWriter::Merge() {
  FATHOM_REQUIRE(state_, "IndexWriter used after a move");
  if (!IsIndexFolder(state_->path)) {
    throw InputError(state_->path.string() + ": no index to merge yet (commit first)");
  }
  MergeSegments(state_->path, nullptr);
}

CommitSummary BuildFromCorpus(const std::filesystem::path& corpus,
                              const std::filesystem::path& index_path,
                              const WriterOptions& options) {
  CommitSummary summary;
  std::size_t dropped = 0;
  const BuildSummary built = BuildIndex(corpus, index_path, ToBuildOptions(options),
                                        CollectInto(summary, dropped), nullptr);
  NoteDropped(summary, dropped);
  summary.added = built.segment.document_count;
  summary.documents = built.segment.document_count;
  return summary;
}

}  // namespace fathom
