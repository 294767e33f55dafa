// Corpus on disk -> a stream of source documents.
//
// Two corpus kinds: a folder of text files walked recursively (or a single
// text file), and JSON Lines. Either may be zstd-compressed (.zst).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/format/sources.hpp"
#include "indexer/corpus/field_typing.hpp"
#include "indexer/corpus/json_line.hpp"

namespace fathom {

struct SourceDocument {
  std::string id;     // external id: relative path, or the JSON id field
  std::string title;  // may be empty
  std::string body;
  // Typed values (field_typing.hpp): a JSON record's other members, a
  // file's metadata.
  std::vector<FieldValue> fields = {};
  // Members still to be typed (the library's documents): the reader types
  // them into `fields` with the build's schema, which holds the index's
  // types, so that a segment never gives a field another type.
  std::vector<JsonMember> untyped_fields = {};
};

enum class CorpusFormat { kAuto, kTextFiles, kJsonLines };

// Largest document read by default, in bytes (a text file, or a JSON line
// with everything on it). Indexing holds a document in memory a few times
// over, so the limit keeps one stray disk image or log from exhausting it.
inline constexpr std::uint64_t kDefaultMaxDocumentBytes = std::uint64_t{1} << 30;  // 1 GiB
// Largest the format can store: a document's stored block records its size
// in 32 bits, with room left for the other documents of its block.
inline constexpr std::uint64_t kMaxDocumentBytesLimit = 4'000'000'000;

struct CorpusOptions {
  CorpusFormat format = CorpusFormat::kAuto;
  std::string id_field = "id";
  // The first of these present in a record is the title.
  std::vector<std::string> title_fields = {"title"};
  // Every one of these present is indexed, in this order, as the body.
  std::vector<std::string> body_fields = {"body", "contents", "text"};
  // Declared field types (--schema, or the index added to); the others
  // are inferred (field_typing.hpp).
  FieldSchema schema;
  bool skip_bad_lines = false;  // JSON Lines: skip (and count) unparsable lines
  bool include_hidden = false;  // folders: also walk names starting with '.'
  // Text files larger than this are skipped with a warning; a longer JSON
  // line is a bad line. At most kMaxDocumentBytesLimit.
  std::uint64_t max_document_bytes = kDefaultMaxDocumentBytes;
};

// Documents and their source bytes (decompressed) in one format.
struct FormatTally {
  std::uint64_t documents = 0;
  std::uint64_t bytes = 0;
};

struct CorpusStats {
  std::uint64_t documents = 0;
  std::uint64_t bytes_read = 0;          // input bytes consumed (compressed size when compressed)
  std::uint64_t total_bytes = 0;         // size of the whole input when known, else 0
  std::uint64_t skipped_binary = 0;      // files with NUL bytes
  std::uint64_t skipped_unreadable = 0;  // files that could not be opened or read
  std::uint64_t skipped_members = 0;     // archive members and WARC records not read: encrypted,
                                         // damaged, an archive in an archive, no id
  std::uint64_t skipped_pdf = 0;         // PDFs not read: encrypted or damaged
  std::uint64_t skipped_lines = 0;       // unparsable JSON lines (with skip_bad_lines)
  std::uint64_t skipped_too_large = 0;   // files (members, records) over max_document_bytes
  std::uint64_t skipped_links = 0;       // symbolic links that loop or point nowhere
  std::uint64_t repaired_documents = 0;  // documents whose invalid UTF-8 was repaired
  std::uint64_t repaired_sequences = 0;
  // Folders: documents by format (text, HTML pages: html_text.hpp, PDF:
  // pdf_text.hpp, TREC SGML: trec_sgml.hpp, WARC responses: warc.hpp),
  // whether in files, archives or WARC files.
  FormatTally text, html, pdf, trec, warc;
  std::uint64_t trec_files = 0;       // files read as TREC SGML (<DOC> first)
  std::uint64_t warc_files = 0;       // files read as WARC
  std::uint64_t archives = 0;         // archives read member by member (archive_members.hpp)
  std::uint64_t archive_members = 0;  // documents they gave
};

// Receives one line of warning text naming the file and the problem.
using WarningSink = std::function<void(const std::string&)>;

// Longest title taken from the first line of a text file, in bytes. A longer
// first line is body text, not a title.
inline constexpr std::size_t kMaxTextFileTitleBytes = 120;

class CorpusReader {
 public:
  // Opens a corpus. Throws InputError for a missing path or unknown format.
  static std::unique_ptr<CorpusReader> Open(const std::filesystem::path& path,
                                            const CorpusOptions& options, WarningSink warn);
  // Reads only these files (paths under root, in this order) as a folder
  // corpus rooted at root reads them: what `sync` re-reads.
  static std::unique_ptr<CorpusReader> OpenFiles(const std::filesystem::path& root,
                                                 std::vector<std::filesystem::path> files,
                                                 const CorpusOptions& options, WarningSink warn);
  virtual ~CorpusReader() = default;

  // Reads the next document; false at the end. Throws InputError on an
  // error that stops the build (a malformed JSON line without skipping).
  virtual bool Next(SourceDocument& document) = 0;

  const CorpusStats& stats() const { return stats_; }
  // Every file read so far, with the documents Next gave from it (in the
  // order given, first_doc counted from the first document): a folder's
  // files, or nothing for JSON Lines and documents in memory.
  const std::vector<SourceFile>& source_files() const { return source_files_; }

 protected:
  // Counts a document whose invalid UTF-8 was replaced (`sequences` of it)
  // and warns, naming it, with the message every reader gives; nothing for 0.
  void NoteRepaired(std::size_t sequences, const std::string& name, const WarningSink& warn) {
    if (sequences == 0) return;
    ++stats_.repaired_documents;
    stats_.repaired_sequences += sequences;
    if (warn) {
      warn(name + ": " + std::to_string(sequences) +
           " invalid UTF-8 sequence(s) replaced with U+FFFD");
    }
  }

  CorpusStats stats_;
  std::vector<SourceFile> source_files_;
};

// The files of a folder corpus, in the order a build reads them (sorted by
// path, component by component): the walk's rules (hidden names, symbolic
// links, index folders inside) in one place for build and sync. Counts and
// warns of what it skips in stats. Throws InputError when root cannot be
// read.
std::vector<std::filesystem::path> ListFolderFiles(const std::filesystem::path& root,
                                                   const CorpusOptions& options,
                                                   const WarningSink& warn, CorpusStats& stats);

// A file's path as ids and source records name it: relative to the folder
// indexed, '/'-separated (the file name for a corpus of one file).
std::string RelativeSourcePath(const std::filesystem::path& file,
                               const std::filesystem::path& root);

// The file's size and modification time (following symbolic links), and its
// content hash (HashFileContents) when with_hash. Throws IoError naming it.
SourceFile StatSourceFile(const std::filesystem::path& file, std::string relative_path,
                          bool with_hash);
// 64-bit XXH3 of the file's bytes. Throws IoError naming the file.
std::uint64_t HashFileContents(const std::filesystem::path& file);

// Splits a text file's contents into title and body by the documented rule:
// the title is the first non-empty line, trimmed, when it is at most
// kMaxTextFileTitleBytes long and more text follows it; otherwise there is
// no title and the whole text is the body.
void SplitTitle(std::string text, SourceDocument& document);

// A JSON Lines record (ParseJsonLine's members) as a document, by the
// corpus options' id, title and body fields; every other member is typed
// by typer as a field. Returns an empty string, or what is wrong with the
// record (without file or line: the caller adds them); note receives a
// once-per-field note (a member not kept). For corpus files and for
// documents sent to fathom-serve.
std::string DocumentFromJson(const std::vector<JsonMember>& members, const CorpusOptions& options,
                             FieldTyper& typer, SourceDocument& document,
                             std::string* note = nullptr);

// Reads a whole file, decompressing it when it ends in .zst.
std::string ReadWholeFile(const std::filesystem::path& path);

}  // namespace fathom
