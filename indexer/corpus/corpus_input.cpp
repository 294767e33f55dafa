#include "indexer/corpus/corpus_input.hpp"

#include <utility>

#include "common/analysis/utf8.hpp"
#include "common/error.hpp"

namespace fathom {
namespace {

class MemoryReader final : public CorpusReader {
 public:
  MemoryReader(std::shared_ptr<const std::vector<SourceDocument>> documents,
               const CorpusOptions& options, WarningSink warn)
      : documents_(std::move(documents)), warn_(std::move(warn)), typer_(options.schema) {
    for (const SourceDocument& document : *documents_) {
      stats_.total_bytes += document.id.size() + document.title.size() + document.body.size();
    }
  }

  bool Next(SourceDocument& document) override {
    if (next_ == documents_->size()) return false;
    document = (*documents_)[next_++];
    stats_.bytes_read += document.id.size() + document.title.size() + document.body.size();
    std::size_t repaired = 0;
    for (std::string* text : {&document.id, &document.title, &document.body}) {
      repaired += utf8::Repair(*text);
    }
    NoteRepaired(repaired, document.id, warn_);
    // Typed here, with the index's types declared: a value that does not
    // fit them fails the whole build (nothing is committed).
    for (const JsonMember& member : document.untyped_fields) {
      std::string note;
      const std::string problem = typer_.Add(member, document.fields, &note);
      if (!problem.empty()) throw InputError("document '" + document.id + "': " + problem);
      if (!note.empty() && warn_) warn_("document '" + document.id + "': " + note);
    }
    document.untyped_fields.clear();
    KeepLastOfEachField(document.fields);
    ++stats_.documents;
    return true;
  }

 private:
  std::shared_ptr<const std::vector<SourceDocument>> documents_;
  WarningSink warn_;
  FieldTyper typer_;
  std::size_t next_ = 0;
};

}  // namespace

CorpusInput::CorpusInput(std::filesystem::path path)
    : path_(std::move(path)), name_(path_.string()) {}

CorpusInput CorpusInput::InMemory(std::vector<SourceDocument> documents) {
  CorpusInput input;
  input.name_ = "documents in memory";
  input.documents_ = std::make_shared<const std::vector<SourceDocument>>(std::move(documents));
  return input;
}

CorpusInput CorpusInput::FilesUnder(std::filesystem::path root,
                                    std::vector<std::filesystem::path> files) {
  CorpusInput input(std::move(root));
  input.name_ = std::to_string(files.size()) + " files of " + input.path_.string();
  input.files_ = std::make_shared<const std::vector<std::filesystem::path>>(std::move(files));
  return input;
}

std::unique_ptr<CorpusReader> CorpusInput::Open(const CorpusOptions& options,
                                                WarningSink warn) const {
  if (documents_) return std::make_unique<MemoryReader>(documents_, options, std::move(warn));
  if (files_) return CorpusReader::OpenFiles(path_, *files_, options, std::move(warn));
  return CorpusReader::Open(path_, options, std::move(warn));
}

}  // namespace fathom
