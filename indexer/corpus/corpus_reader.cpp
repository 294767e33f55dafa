#include "indexer/corpus/corpus_reader.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <xxhash.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <memory>

#include "common/analysis/utf8.hpp"
#include "common/error.hpp"
#include "common/format/index_meta.hpp"
#include "indexer/corpus/archive_members.hpp"
#include "indexer/corpus/html_text.hpp"
#include "indexer/corpus/json_line.hpp"
#include "indexer/corpus/pdf_text.hpp"
#include "indexer/corpus/trec_sgml.hpp"
#include "indexer/corpus/warc.hpp"

namespace fathom {
namespace fs = std::filesystem;
std::string DocumentFromJson(const std::vector<JsonMember>& members, const CorpusOptions& options,
                             FieldTyper& typer, SourceDocument& document, std::string* note) {
  const auto find = [&](const std::string& name) -> const JsonMember* {
    for (const auto& member : members) {
      if (member.name == name && member.is_text) return &member;
    }
    return nullptr;
  };
  const JsonMember* id = find(options.id_field);
  if (id == nullptr || id->value.empty()) {
    return "record has no '" + options.id_field + "' field (set the field with --id-field)";
  }
  document.id = id->value;
  document.title.clear();
  for (const auto& field : options.title_fields) {
    if (const JsonMember* title = find(field)) {
      document.title = title->value;
      break;
    }
  }
  document.body.clear();
  for (const auto& field : options.body_fields) {
    if (const JsonMember* body = find(field)) {
      if (!document.body.empty()) document.body += "\n\n";
      document.body += body->value;
    }
  }
  document.fields.clear();
  for (const auto& member : members) {
    if (member.name == options.id_field ||
        std::find(options.title_fields.begin(), options.title_fields.end(), member.name) !=
            options.title_fields.end() ||
        std::find(options.body_fields.begin(), options.body_fields.end(), member.name) !=
            options.body_fields.end()) {
      continue;
    }
    std::string problem = typer.Add(member, document.fields, note);
    if (!problem.empty()) return problem;
  }
  KeepLastOfEachField(document.fields);
  return {};
}

namespace {

bool HasExtension(const fs::path& path, std::initializer_list<const char*> extensions) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return std::any_of(extensions.begin(), extensions.end(), [&](const char* e) { return ext == e; });
}

bool IsZstd(const fs::path& path) { return HasExtension(path, {".zst", ".zstd"}); }

// The name with any .zst suffix removed, to find the format underneath.
fs::path WithoutCompression(const fs::path& path) {
  return IsZstd(path) ? path.parent_path() / path.stem() : path;
}

bool IsJsonLinesName(const fs::path& path) {
  return HasExtension(WithoutCompression(path), {".jsonl", ".ndjson", ".json"});
}

// One compressed file (not an archive of several): read through libarchive,
// which decodes every codec Debian packs documentation with, and indexed as
// the file inside it, under the compressed file's own path.
bool IsCompressedFile(const fs::path& path) {
  return HasExtension(path, {".gz", ".bz2", ".xz", ".lz", ".lzma", ".z", ".lz4"});
}

// Archives by name (their content is checked too: LooksCompressedOrArchived).
bool IsArchiveName(const fs::path& path) {
  return HasExtension(
      path, {".zip", ".7z", ".tar", ".tgz", ".tbz2", ".txz", ".rar", ".cpio", ".jar", ".iso"});
}

// Editors on some systems start UTF-8 files with a byte-order mark; it is
// not text.
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

std::string Trim(std::string_view text) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  auto begin = std::find_if(text.begin(), text.end(), not_space);
  auto end = std::find_if(text.rbegin(), std::make_reverse_iterator(begin), not_space).base();
  return std::string(begin, end);
}

// Reads a file sequentially in chunks, transparently decompressing zstd
// (with the zstd library, as JSON Lines corpora come) and the compressed
// files of IsCompressedFile (with libarchive).
class ByteSource {
 public:
  // decompress: read through libarchive (a compressed file recognized by
  // its content or name); otherwise by name (.zst with zstd, the names of
  // IsCompressedFile with libarchive), else as it is.
  explicit ByteSource(const fs::path& path, bool decompress = false)
      : path_(path), zstd_(IsZstd(path) && !decompress) {
    if (decompress || IsCompressedFile(path)) {
      OpenArchive();
      return;
    }
    file_ = std::fopen(path.c_str(), "rb");
    if (file_ == nullptr) {
      throw IoError(path.string() + ": cannot open: " + std::strerror(errno));
    }
    if (zstd_) {
      dstream_ = ZSTD_createDStream();
      ZSTD_initDStream(dstream_);
      in_buffer_.resize(ZSTD_DStreamInSize());
    }
  }
  ~ByteSource() {
    if (file_ != nullptr) std::fclose(file_);
    if (dstream_ != nullptr) ZSTD_freeDStream(dstream_);
  }
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;

  // Appends up to about `want` bytes of content to out; false at the end.
  bool Read(std::string& out, std::size_t want, std::uint64_t& raw_bytes) {
    if (archive_ != nullptr) return ReadArchive(out, want, raw_bytes);
    if (!zstd_) {
      const std::size_t start = out.size();
      out.resize(start + want);
      const std::size_t got = std::fread(out.data() + start, 1, want, file_);
      out.resize(start + got);
      raw_bytes += got;
      CheckError();
      return got > 0;
    }
    while (true) {
      if (input_.pos == input_.size) {
        const std::size_t got = std::fread(in_buffer_.data(), 1, in_buffer_.size(), file_);
        CheckError();
        raw_bytes += got;
        if (got == 0) {
          if (!frame_done_) {
            throw InputError(path_.string() + ": compressed data is truncated");
          }
          return false;
        }
        input_ = {in_buffer_.data(), got, 0};
      }
      const std::size_t start = out.size();
      out.resize(start + want);
      ZSTD_outBuffer output{out.data() + start, want, 0};
      const std::size_t rc = ZSTD_decompressStream(dstream_, &output, &input_);
      if (ZSTD_isError(rc)) {
        throw InputError(path_.string() + ": not valid zstd data: " + ZSTD_getErrorName(rc));
      }
      frame_done_ = rc == 0;
      out.resize(start + output.pos);
      if (output.pos > 0) return true;
    }
  }

 private:
  void CheckError() {
    if (std::ferror(file_)) throw IoError(path_.string() + ": read error: " + std::strerror(errno));
  }

  [[noreturn]] void ArchiveFailed(const char* doing) {
    const char* why = archive_error_string(archive_.get());
    throw InputError(path_.string() + ": " + doing + ": " +
                     (why != nullptr ? why : "unknown error"));
  }

  void OpenArchive() {
    // Owned before anything can throw: a constructor that throws runs no
    // destructor.
    archive_.reset(archive_read_new());
    if (archive_ == nullptr) throw IoError("libarchive: cannot allocate a reader");
    archive_read_support_filter_all(archive_.get());
    archive_read_support_format_raw(archive_.get());  // the one file inside the compression
    if (archive_read_open_filename(archive_.get(), path_.c_str(), kArchiveBlock) != ARCHIVE_OK) {
      ArchiveFailed("cannot open");
    }
    archive_entry* entry = nullptr;
    if (archive_read_next_header(archive_.get(), &entry) != ARCHIVE_OK)
      ArchiveFailed("not readable");
    // libarchive reads bytes it recognizes no compression in as they are:
    // a damaged header would index the compressed bytes as text.
    if (archive_filter_code(archive_.get(), 0) == ARCHIVE_FILTER_NONE) {
      throw InputError(path_.string() +
                       ": damaged compressed data: not in the format its name says");
    }
  }

  bool ReadArchive(std::string& out, std::size_t want, std::uint64_t& raw_bytes) {
    const std::size_t start = out.size();
    out.resize(start + want);
    const la_ssize_t got = archive_read_data(archive_.get(), out.data() + start, want);
    if (got < 0) {
      out.resize(start);
      ArchiveFailed("damaged compressed data");
    }
    out.resize(start + static_cast<std::size_t>(got));
    // What was read from disk so far, for the progress line and summary.
    const la_int64_t consumed = archive_filter_bytes(archive_.get(), -1);
    if (consumed > 0 && static_cast<std::uint64_t>(consumed) > archive_bytes_counted_) {
      raw_bytes += static_cast<std::uint64_t>(consumed) - archive_bytes_counted_;
      archive_bytes_counted_ = static_cast<std::uint64_t>(consumed);
    }
    return got > 0;
  }

  static constexpr std::size_t kArchiveBlock = 1 << 16;
  struct ArchiveFree {
    void operator()(archive* a) const { archive_read_free(a); }
  };
  std::unique_ptr<archive, ArchiveFree> archive_;
  std::uint64_t archive_bytes_counted_ = 0;

  fs::path path_;
  bool zstd_;
  std::FILE* file_ = nullptr;
  ZSTD_DStream* dstream_ = nullptr;
  std::string in_buffer_;
  ZSTD_inBuffer input_{nullptr, 0, 0};
  bool frame_done_ = true;
};

constexpr std::size_t kReadChunk = 1 << 20;

// "1 GiB", "100 MiB", or bytes: limits as people set them.
std::string FormatLimit(std::uint64_t bytes) {
  if (bytes >= (std::uint64_t{1} << 30) && bytes % (std::uint64_t{1} << 30) == 0) {
    return std::to_string(bytes >> 30) + " GiB";
  }
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + "-byte";
}

// ---- Folder of text files -------------------------------------------------------

class TextFilesReader final : public CorpusReader {
 public:
  TextFilesReader(const fs::path& root, const CorpusOptions& options, WarningSink warn)
      : warn_(std::move(warn)),
        max_document_bytes_(options.max_document_bytes),
        declared_uses_(options.schema.uses) {
    if (fs::is_directory(root)) {
      root_ = root;
      files_ = ListFolderFiles(root, options, warn_, stats_);
    } else {
      root_ = root.parent_path();
      files_.push_back(root);
      std::error_code ec;
      stats_.total_bytes = fs::file_size(root, ec);
    }
  }
  TextFilesReader(const fs::path& root, std::vector<fs::path> files, const CorpusOptions& options,
                  WarningSink warn)
      : warn_(std::move(warn)),
        max_document_bytes_(options.max_document_bytes),
        declared_uses_(options.schema.uses),
        root_(root),
        files_(std::move(files)) {
    for (const fs::path& file : files_) {
      std::error_code ec;
      const std::uint64_t size = fs::file_size(file, ec);
      if (!ec) stats_.total_bytes += size;
    }
  }

  bool Next(SourceDocument& document) override {
    while (true) {
      // Documents already made (a TREC file's, an archive member's, a WARC
      // record's) go first.
      if (!pending_.empty()) {
        document = std::move(pending_.front());
        pending_.pop_front();
        ++stats_.documents;
        // Every document pending came from the file read last.
        if (!source_files_.empty()) ++source_files_.back().doc_count;
        return true;
      }
      if (archive_) {
        if (!NextMember()) archive_.reset();
        continue;
      }
      if (warc_) {
        if (!NextWarcRecord()) warc_.reset();
        continue;
      }
      if (next_file_ >= files_.size()) return false;
      const fs::path& file = files_[next_file_++];
      // Recorded before reading: a file changed meanwhile then looks changed
      // to the next sync, which reads it again.
      try {
        source_files_.push_back(StatSourceFile(file, IdOf(file), true));
        source_files_.back().first_doc = static_cast<DocId>(stats_.documents);
      } catch (const Error&) {
        // Unreadable: ReadFile says so; a file not recorded is read again
        // by the next sync.
      }
      ReadFile(file);
    }
  }

 private:
  // What a document's bytes came in, for the formats line of the summary.
  enum class Origin { kFile, kArchive, kWarc };

  std::string IdOf(const fs::path& path) const { return RelativeSourcePath(path, root_); }

  // A file: an archive (one document per member), a WARC file (one per
  // response record), or one document (text, HTML, PDF; compressed or
  // not), recognized by content first, then by name.
  void ReadFile(const fs::path& path) {
    const std::string id = IdOf(path);
    std::string head;
    try {
      head = ReadHead(path);
    } catch (const Error& e) {
      ++stats_.skipped_unreadable;
      warn_(std::string(e.what()) + " (skipped)");
      return;
    }
    const bool packed =
        LooksCompressedOrArchived(head) || IsCompressedFile(path) || IsArchiveName(path);
    if (packed) {
      try {
        if (auto archive = ArchiveMembers::Open(path)) {
          ++stats_.archives;
          archive_ = std::move(archive);
          archive_path_ = path;
          archive_id_ = id;
          return;
        }
      } catch (const Error& e) {
        ++stats_.skipped_unreadable;
        warn_(std::string(e.what()) + " (skipped)");
        return;
      }
    }
    std::string text;
    std::error_code size_error;
    const bool compressed = IsZstd(path) || packed;
    bool too_large =
        !compressed && fs::file_size(path, size_error) > max_document_bytes_ && !size_error;
    if (!too_large) try {
        auto source = std::make_unique<ByteSource>(path, packed);
        // Checked while reading, not from the size on disk alone: a
        // compressed file or a file still growing can exceed it.
        while (source->Read(text, kReadChunk, stats_.bytes_read)) {
          if (text.size() >= kWarcHead && LooksLikeWarc(text)) break;
          if (text.size() > max_document_bytes_) {
            too_large = true;
            break;
          }
        }
        if (!too_large && LooksLikeWarc(text)) {
          OpenWarc(path, std::move(source), std::move(text));
          return;
        }
      } catch (const Error& e) {
        ++stats_.skipped_unreadable;
        warn_(std::string(e.what()) + " (skipped)");
        return;
      }
    if (too_large) {
      ++stats_.skipped_too_large;
      warn_(path.string() + ": larger than the " + FormatLimit(max_document_bytes_) +
            " document limit (--max-document-size), skipped");
      return;
    }
    AddDocuments(id, path.string(), path, std::move(text), Origin::kFile, {});
  }

  // The first bytes of a file as they are on disk, for magic numbers.
  static std::string ReadHead(const fs::path& path) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) throw IoError(path.string() + ": cannot open: " + std::strerror(errno));
    std::string head(512, '\0');
    head.resize(std::fread(head.data(), 1, head.size(), file));
    const bool failed = std::ferror(file) != 0;
    std::fclose(file);
    if (failed) throw IoError(path.string() + ": read error");
    return head;
  }

  // The next member of the open archive, made into documents; false at
  // its end.
  bool NextMember() {
    ArchiveMembers::Member member;
    if (!archive_->Next(member, max_document_bytes_, stats_.bytes_read)) {
      if (!archive_->error().empty()) {
        ++stats_.skipped_unreadable;
        warn_(archive_path_.string() + ": " + archive_->error() + " (rest of the archive skipped)");
      }
      return false;
    }
    const std::string id = ArchiveMemberId(archive_id_, member.name);
    const std::string where = ArchiveMemberId(archive_path_.string(), member.name);
    if (!member.error.empty()) {
      ++stats_.skipped_members;
      warn_(where + ": " + member.error + " (skipped)");
      return true;
    }
    if (member.too_large) {
      ++stats_.skipped_too_large;
      warn_(where + ": larger than the " + FormatLimit(max_document_bytes_) +
            " document limit (--max-document-size), skipped");
      return true;
    }
    std::string bytes = std::move(member.bytes);
    if (LooksCompressedOrArchived(bytes)) {
      // A compressed file in an archive (a tar of .gz files) is read as the
      // file inside; an archive in an archive is not opened.
      try {
        Decompressed inside = DecompressInMemory(bytes, max_document_bytes_);
        if (inside.too_large) {
          ++stats_.skipped_too_large;
          warn_(where + ": larger than the " + FormatLimit(max_document_bytes_) +
                " document limit (--max-document-size) once decompressed, skipped");
          return true;
        }
        bytes = std::move(inside.bytes);
      } catch (const Error& e) {
        ++stats_.skipped_members;
        warn_(where + ": " + e.what() + " (skipped)");
        return true;
      }
      if (LooksCompressedOrArchived(bytes)) {
        ++stats_.skipped_members;
        warn_(where + ": an archive inside an archive is not opened (skipped)");
        return true;
      }
    }
    AddDocuments(id, where, fs::path(member.name), std::move(bytes), Origin::kArchive, {});
    return true;
  }

  void OpenWarc(const fs::path& path, std::unique_ptr<ByteSource> source, std::string start) {
    ++stats_.warc_files;
    warc_source_ = std::move(source);
    auto first = std::make_shared<std::string>(std::move(start));
    warc_ = std::make_unique<WarcReader>(
        path.string(),
        [this, first](std::string& out) {
          if (!first->empty()) {
            out += *first;
            first->clear();
            first->shrink_to_fit();
            return true;
          }
          return warc_source_->Read(out, kReadChunk, stats_.bytes_read);
        },
        max_document_bytes_);
    warc_path_ = path;
  }

  // The next record of the open WARC file: a response whose payload is
  // HTML or text becomes a document; false at the file's end.
  bool NextWarcRecord() {
    WarcRecord record;
    try {
      if (!warc_->Next(record)) return false;
    } catch (const Error& e) {
      ++stats_.skipped_unreadable;
      warn_(e.what());
      return false;
    }
    if (record.type != "response") return true;
    const std::string where =
        warc_path_.string() + ": record at byte " + std::to_string(record.offset);
    const std::string& id = !record.trec_id.empty() ? record.trec_id : record.target_uri;
    if (id.empty()) {
      ++stats_.skipped_members;
      warn_(where + ": response with neither WARC-TREC-ID nor WARC-Target-URI (skipped)");
      return true;
    }
    if (record.too_large) {
      ++stats_.skipped_too_large;
      warn_(where + " (" + id + "): larger than the " + FormatLimit(max_document_bytes_) +
            " document limit (--max-document-size), skipped");
      return true;
    }
    const std::optional<HttpResponse> response = ParseHttpResponse(record.block);
    if (!response) return true;  // not an HTTP response: no page in it
    const std::string& type = response->content_type;
    TextHint hint;
    if (type.starts_with("text/html") || type.starts_with("application/xhtml")) {
      hint.html = true;
    } else if (type.starts_with("text/plain")) {
      hint.text = true;
    } else if (!type.empty()) {
      return true;  // images, scripts, PDFs on the web: not pages
    }
    const std::size_t charset = type.find("charset=");
    if (charset != std::string::npos) {
      hint.charset = Trim(type.substr(charset + 8, type.find(';', charset) - (charset + 8)));
      std::erase(hint.charset, '"');
    }
    AddDocuments(id, where + " (" + id + ")", fs::path(id), std::string(response->body),
                 Origin::kWarc, hint);
    return true;
  }

  // What a container says about its bytes: HTML or plain text (else the
  // content and name decide), and their charset.
  struct TextHint {
    bool html = false;
    bool text = false;
    std::string charset;
  };

  // Makes a file's (a member's, a record's) bytes into documents on
  // pending_: a PDF's text, an HTML page's, a TREC SGML file's documents,
  // or the text itself. `where` names it in warnings; `name` (a path) helps
  // recognize HTML.
  void AddDocuments(const std::string& id, const std::string& where, const fs::path& name,
                    std::string text, Origin origin, const TextHint& hint) {
    const std::size_t first_pending = pending_.size();
    const std::uint64_t bytes = text.size();
    const char* format = MakeDocuments(id, where, name, std::move(text), origin, hint);
    if (format == nullptr) return;
    // The file's metadata (field_typing.hpp): of the file on disk for a
    // file, of the member or record for one inside an archive or WARC file.
    const SourceFile* file = source_files_.empty() ? nullptr : &source_files_.back();
    const std::string path = origin == Origin::kFile && file != nullptr ? file->path : id;
    for (std::size_t i = first_pending; i < pending_.size(); ++i) {
      std::vector<FieldValue>& fields = pending_[i].fields;
      const auto keyword = [&](std::string_view field, std::string value) {
        if (value.empty() || value.size() > kMaxKeywordBytes) return;
        fields.push_back({std::string(field), FieldType::kKeyword, 0, std::move(value)});
      };
      keyword(kPathField, path);
      keyword(kFolderField, FolderOf(path));
      keyword(kExtensionField, ExtensionOf(name.filename().string()));
      keyword(kFormatField, format);
      fields.push_back({std::string(kSizeField),
                        FieldType::kInteger,
                        static_cast<std::int64_t>(
                            origin == Origin::kFile && file != nullptr ? file->size : bytes),
                        {}});
      if (origin == Origin::kFile && file != nullptr) {
        std::int64_t seconds = file->modified_ns / 1'000'000'000;
        if (file->modified_ns % 1'000'000'000 < 0) --seconds;
        fields.push_back({std::string(kModifiedField), FieldType::kDate, seconds, {}});
      }
      for (FieldValue& value : fields) value.uses = UsesOf(declared_uses_, value.name);
      std::erase_if(fields, [](const FieldValue& value) { return value.uses == 0; });
      std::sort(fields.begin(), fields.end(),
                [](const FieldValue& a, const FieldValue& b) { return a.name < b.name; });
    }
  }

  // AddDocuments' work: the documents on pending_, and the format they
  // were read as (nullptr: none made).
  const char* MakeDocuments(const std::string& id, const std::string& where, const fs::path& name,
                            std::string text, Origin origin, const TextHint& hint) {
    const std::uint64_t bytes = text.size();
    const auto count = [&](FormatTally& format) {
      ++format.documents;
      format.bytes += bytes;
      if (origin == Origin::kArchive) ++stats_.archive_members;
    };
    SourceDocument document;
    document.id = id;
    if (!hint.html && !hint.text && LooksLikePdf(text)) {
      PdfText pdf = ExtractPdfText(text);
      if (!pdf.ok) {
        ++stats_.skipped_pdf;
        warn_(where + ": PDF not read: " + pdf.error + " (skipped)");
        return nullptr;
      }
      NoteRepaired(utf8::Repair(pdf.title), where, warn_);
      NoteRepaired(utf8::Repair(pdf.body), where, warn_);
      document.title = Trim(pdf.title);
      document.body = std::move(pdf.body);
      if (document.title.empty()) {
        SplitTitle(std::move(document.body), document);
      }
      count(stats_.pdf);
      pending_.push_back(std::move(document));
      return "pdf";
    }
    if (text.starts_with(kUtf8Bom)) text.erase(0, kUtf8Bom.size());
    if (std::memchr(text.data(), '\0', text.size()) != nullptr) {
      ++stats_.skipped_binary;
      warn_(where + ": binary file (contains NUL bytes), skipped");
      return nullptr;
    }
    const bool html = hint.html || (!hint.text && IsHtml(name, text));
    if (html) {
      if (text.size() > kMaxHtmlBytes) {
        ++stats_.skipped_too_large;
        warn_(where + ": HTML larger than " + FormatLimit(kMaxHtmlBytes) +
              " is not parsed, skipped");
        return nullptr;
      }
      if (NestsDeeperThan(text, kMaxHtmlDepth)) {
        ++stats_.skipped_too_large;
        warn_(where + ": HTML nested deeper than " + std::to_string(kMaxHtmlDepth) +
              " elements is not parsed, skipped");
        return nullptr;
      }
      std::string charset = hint.charset.empty() ? DeclaredCharset(text) : hint.charset;
      std::transform(charset.begin(), charset.end(), charset.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (!charset.empty() && charset != "utf-8" && charset != "utf8" && charset != "us-ascii" &&
          !ConvertToUtf8(text, charset)) {
        warn_(where + ": unknown charset '" + charset + "', read as UTF-8");
      }
    }
    NoteRepaired(utf8::Repair(text), where, warn_);
    if (!html && origin != Origin::kWarc && LooksLikeTrecSgml(text)) {
      // One document per <DOC>; a file without a good one gives none.
      std::vector<SourceDocument> docs = ParseTrecSgml(text, where, warn_);
      ++stats_.trec_files;
      stats_.trec.documents += docs.size();
      stats_.trec.bytes += bytes;
      if (origin == Origin::kArchive) stats_.archive_members += docs.size();
      for (SourceDocument& d : docs) pending_.push_back(std::move(d));
      return "trec";
    }
    if (html) {
      // Markup out, text in: what the page shows is what is indexed,
      // stored and shown in snippets.
      HtmlText page = ExtractHtmlText(text);
      document.title = std::move(page.title);
      document.body = std::move(page.body);
      count(origin == Origin::kWarc ? stats_.warc : stats_.html);
    } else {
      // A scraped article's leading ` date 2025-02-22` line is its date,
      // not its title.
      if (const auto date = TakeLeadingDateLine(text)) {
        document.fields.push_back({std::string(kDateField), FieldType::kDate, *date, {}});
      }
      SplitTitle(std::move(text), document);
      count(origin == Origin::kWarc ? stats_.warc : stats_.text);
    }
    pending_.push_back(std::move(document));
    return origin == Origin::kWarc ? "warc" : html ? "html" : "text";
  }

  // Enough decompressed bytes to tell a WARC file by its first line.
  static constexpr std::size_t kWarcHead = 16;

  WarningSink warn_;
  std::uint64_t max_document_bytes_;
  // --schema's uses for the metadata fields (field_typing.hpp).
  FieldUsesByName declared_uses_;
  fs::path root_;
  std::vector<fs::path> files_;
  std::size_t next_file_ = 0;
  std::deque<SourceDocument> pending_;
  // The archive being read, member by member.
  std::unique_ptr<ArchiveMembers> archive_;
  fs::path archive_path_;
  std::string archive_id_;
  // The WARC file being read, record by record.
  std::unique_ptr<ByteSource> warc_source_;
  std::unique_ptr<WarcReader> warc_;
  fs::path warc_path_;
};

// ---- JSON Lines ---------------------------------------------------------------

class JsonLinesReader final : public CorpusReader {
 public:
  JsonLinesReader(const fs::path& path, const CorpusOptions& options, WarningSink warn)
      : path_(path),
        options_(options),
        warn_(std::move(warn)),
        source_(path),
        typer_(options.schema) {
    std::error_code ec;
    stats_.total_bytes = fs::file_size(path, ec);
  }

  bool Next(SourceDocument& document) override {
    std::string_view line;
    bool too_long = false;
    while (NextLine(line, too_long)) {
      ++line_number_;
      if (too_long) {
        const std::string what =
            path_.string() + ":" + std::to_string(line_number_) + ": line longer than the " +
            FormatLimit(options_.max_document_bytes) + " document limit (--max-document-size)";
        if (!options_.skip_bad_lines) {
          throw InputError(what + " (use --skip-bad-lines to skip such lines)");
        }
        ++stats_.skipped_lines;
        warn_(what + " (line skipped)");
        continue;
      }
      if (line_number_ == 1 && line.starts_with(kUtf8Bom)) line.remove_prefix(kUtf8Bom.size());
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      const JsonParseResult result = ParseJsonLine(line, members_);
      if (!result.ok) {
        const std::string where = path_.string() + ":" + std::to_string(line_number_) +
                                  ": column " + std::to_string(result.column) + ": ";
        if (!options_.skip_bad_lines) {
          throw InputError(where + result.error + " (use --skip-bad-lines to skip such lines)");
        }
        ++stats_.skipped_lines;
        warn_(where + result.error + " (line skipped)");
        continue;
      }
      if (result.repaired_utf8 > 0) {
        ++stats_.repaired_documents;
        stats_.repaired_sequences += result.repaired_utf8;
      }
      if (!Fill(document)) continue;
      ++stats_.documents;
      return true;
    }
    return false;
  }

 private:
  bool Fill(SourceDocument& document) {
    std::string note;
    const std::string problem = DocumentFromJson(members_, options_, typer_, document, &note);
    if (!note.empty()) warn_(path_.string() + ":" + std::to_string(line_number_) + ": " + note);
    if (problem.empty()) return true;
    const std::string where = path_.string() + ":" + std::to_string(line_number_) + ": ";
    if (!options_.skip_bad_lines) throw InputError(where + problem);
    ++stats_.skipped_lines;
    warn_(where + problem + " (line skipped)");
    return false;
  }

  // The buffer grows to hold the longest line up to the document limit; a
  // longer line is read through without being kept, and reported.
  bool NextLine(std::string_view& line, bool& too_long) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
    too_long = false;
    std::size_t scan_from = 0;
    while (true) {
      const std::size_t newline = buffer_.find('\n', scan_from);
      if (newline != std::string::npos) {
        line = std::string_view(buffer_).substr(0, too_long ? 0 : newline);
        consumed_ = newline + 1;
        return true;
      }
      if (buffer_.size() > options_.max_document_bytes) {
        too_long = true;
        buffer_.clear();
      }
      scan_from = buffer_.size();
      if (!source_.Read(buffer_, kReadChunk, stats_.bytes_read)) {
        if (buffer_.empty() && !too_long) return false;
        line = too_long ? std::string_view() : std::string_view(buffer_);
        consumed_ = buffer_.size();
        return true;
      }
    }
  }

  fs::path path_;
  CorpusOptions options_;
  WarningSink warn_;
  ByteSource source_;
  std::string buffer_;
  std::size_t consumed_ = 0;
  std::uint64_t line_number_ = 0;
  std::vector<JsonMember> members_;
  FieldTyper typer_;
};

}  // namespace

void SplitTitle(std::string text, SourceDocument& document) {
  document.title.clear();
  std::size_t line_start = 0;
  while (line_start < text.size()) {
    std::size_t line_end = text.find('\n', line_start);
    if (line_end == std::string::npos) line_end = text.size();
    std::string line = Trim(std::string_view(text).substr(line_start, line_end - line_start));
    if (!line.empty()) {
      const bool more_follows =
          Trim(std::string_view(text).substr(std::min(line_end, text.size()))).size() > 0;
      if (line.size() <= kMaxTextFileTitleBytes && more_follows) {
        document.title = std::move(line);
        document.body = text.substr(std::min(line_end + 1, text.size()));
        return;
      }
      break;
    }
    line_start = line_end + 1;
  }
  document.body = std::move(text);
}

std::string ReadWholeFile(const fs::path& path) {
  ByteSource source(path);
  std::string text;
  std::uint64_t raw = 0;
  while (source.Read(text, kReadChunk, raw)) {
  }
  return text;
}

// Walks the folder with an explicit stack of folders, one directory listing
// at a time, so that a folder that cannot be read is reported and skipped
// while the rest of the walk goes on. Folder symlinks are not followed, so
// link loops cannot trap the walk; file symlinks are, and one that loops or
// dangles is reported and skipped.
std::vector<fs::path> ListFolderFiles(const fs::path& root, const CorpusOptions& options,
                                      const WarningSink& warn, CorpusStats& stats) {
  std::vector<fs::path> files;
  std::vector<fs::path> folders = {root};
  while (!folders.empty()) {
    const fs::path folder = std::move(folders.back());
    folders.pop_back();
    std::error_code ec;
    fs::directory_iterator it(folder, ec);
    if (ec) {
      if (folder == root) throw InputError(root.string() + ": cannot read folder: " + ec.message());
      ++stats.skipped_unreadable;
      warn(folder.string() + ": cannot read folder: " + ec.message() + " (skipped)");
      continue;
    }
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      const fs::path path = it->path();
      if (!options.include_hidden && path.filename().string().starts_with('.')) continue;
      const fs::file_status link = it->symlink_status(ec);
      if (ec) continue;  // vanished since it was listed
      if (fs::is_directory(link)) {
        // An index kept inside the folder it indexes is not part of the corpus.
        if (!IsIndexFolder(path)) folders.push_back(path);
        continue;
      }
      fs::file_status target = link;
      if (fs::is_symlink(link)) {
        target = it->status(ec);
        if (ec) {
          ++stats.skipped_links;
          warn(path.string() + ": symbolic link " +
               (ec == std::errc::too_many_symbolic_link_levels ? "loop" : "to nothing") + " (" +
               ec.message() + "), skipped");
          ec.clear();
          continue;
        }
      }
      if (!fs::is_regular_file(target)) continue;  // folder links, sockets, FIFOs, devices
      files.push_back(path);
      stats.total_bytes += it->file_size(ec);
    }
    if (ec) {
      ++stats.skipped_unreadable;
      warn(folder.string() + ": error while listing the folder: " + ec.message() +
           " (rest of the folder skipped)");
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string RelativeSourcePath(const fs::path& file, const fs::path& root) {
  // Lexical, not through symbolic links: a link keeps its own name, so
  // that no two files of a folder share a path (fs::relative would give a
  // link its target's).
  std::string relative = file.lexically_relative(root).generic_string();
  if (relative.empty() || relative == ".") relative = file.filename().string();
  return relative;
}

std::uint64_t HashFileContents(const fs::path& file) {
  std::FILE* in = std::fopen(file.c_str(), "rb");
  if (in == nullptr) throw IoError(file.string() + ": cannot open: " + std::strerror(errno));
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  std::vector<char> buffer(1 << 20);
  std::size_t got = 0;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), in)) > 0) {
    XXH3_64bits_update(state, buffer.data(), got);
  }
  const bool failed = std::ferror(in) != 0;
  std::fclose(in);
  const std::uint64_t hash = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  if (failed) throw IoError(file.string() + ": read error");
  return hash;
}

SourceFile StatSourceFile(const fs::path& file, std::string relative_path, bool with_hash) {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) {
    throw IoError(file.string() + ": cannot read its size and time: " + std::strerror(errno));
  }
  SourceFile source;
  source.path = std::move(relative_path);
  source.size = static_cast<std::uint64_t>(info.st_size);
  source.modified_ns = static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 +
                       static_cast<std::int64_t>(info.st_mtim.tv_nsec);
  if (with_hash) source.content_hash = HashFileContents(file);
  return source;
}

std::unique_ptr<CorpusReader> CorpusReader::OpenFiles(const fs::path& root,
                                                      std::vector<fs::path> files,
                                                      const CorpusOptions& options,
                                                      WarningSink warn) {
  if (!warn) warn = [](const std::string&) {};
  return std::make_unique<TextFilesReader>(root, std::move(files), options, std::move(warn));
}

std::unique_ptr<CorpusReader> CorpusReader::Open(const fs::path& path, const CorpusOptions& options,
                                                 WarningSink warn) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    throw InputError(path.string() + ": corpus not found (no such file or folder)");
  }
  if (!warn) warn = [](const std::string&) {};
  CorpusFormat format = options.format;
  if (format == CorpusFormat::kAuto) {
    format = !fs::is_directory(status) && IsJsonLinesName(path) ? CorpusFormat::kJsonLines
                                                                : CorpusFormat::kTextFiles;
  }
  if (format == CorpusFormat::kJsonLines) {
    if (fs::is_directory(status)) {
      throw InputError(path.string() + ": is a folder; JSON Lines input must be a file");
    }
    return std::make_unique<JsonLinesReader>(path, options, std::move(warn));
  }
  if (!fs::is_directory(status) && !fs::is_regular_file(status)) {
    throw InputError(path.string() + ": not a regular file or folder");
  }
  return std::make_unique<TextFilesReader>(path, options, std::move(warn));
}

}  // namespace fathom
