// Documents inside containers: archive members (zip, tar.gz, 7z; compressed
// members; nested archives, oversized and encrypted members skipped), WARC
// records (.warc and .warc.gz, by content, ids from WARC-TREC-ID or the
// target URI, truncation reported), and PDFs (text and metadata title;
// damaged ones skipped). Every fixture is made here: archives with
// libarchive's writer, the PDF by hand.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "indexer/corpus/archive_members.hpp"
#include "indexer/corpus/corpus_reader.hpp"
#include "indexer/corpus/pdf_text.hpp"
#include "indexer/corpus/warc.hpp"
#include "tests/test_support.hpp"

namespace fathom {
namespace {

using testing::CommandResult;
using testing::Quote;
using testing::ReadFile;
using testing::RunCommand;
using testing::TempDir;
using testing::WriteFile;

struct Entry {
  std::string name;
  std::string bytes;
};

// An archive in the given format (and compression filter), made by libarchive.
std::string MakeArchive(const std::vector<Entry>& entries, int (*set_format)(archive*),
                        int (*add_filter)(archive*) = nullptr, const char* passphrase = nullptr) {
  archive* a = archive_write_new();
  set_format(a);
  if (add_filter != nullptr) add_filter(a);
  if (passphrase != nullptr) {
    archive_write_set_passphrase(a, passphrase);
    archive_write_set_options(a, "zip:encryption=zipcrypt");
  }
  std::string out(1 << 22, '\0');
  std::size_t used = 0;
  archive_write_open_memory(a, out.data(), out.size(), &used);
  for (const Entry& e : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    archive_entry_set_size(entry, static_cast<la_int64_t>(e.bytes.size()));
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_write_header(a, entry);
    archive_write_data(a, e.bytes.data(), e.bytes.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
  out.resize(used);
  return out;
}

std::string Gzip(const std::string& bytes) {
  archive* a = archive_write_new();
  archive_write_set_format_raw(a);
  archive_write_add_filter_gzip(a);
  std::string out(bytes.size() + 4096, '\0');
  std::size_t used = 0;
  archive_write_open_memory(a, out.data(), out.size(), &used);
  archive_entry* entry = archive_entry_new();
  archive_entry_set_filetype(entry, AE_IFREG);
  archive_write_header(a, entry);
  archive_write_data(a, bytes.data(), bytes.size());
  archive_entry_free(entry);
  archive_write_close(a);
  archive_write_free(a);
  out.resize(used);
  return out;
}

struct Read {
  std::map<std::string, SourceDocument> docs;
  std::vector<std::string> warnings;
  CorpusStats stats;
};

// The documents by id (each id once).
Read ReadFolder(const std::filesystem::path& folder, CorpusOptions options = {}) {
  testing::CorpusRead corpus = testing::ReadCorpus(folder, options);
  Read read;
  for (SourceDocument& doc : corpus.docs) {
    EXPECT_EQ(read.docs.count(doc.id), 0u) << "two documents with id " << doc.id;
    read.docs[doc.id] = std::move(doc);
  }
  read.warnings = std::move(corpus.warnings);
  read.stats = corpus.stats;
  return read;
}

bool AnyContains(const std::vector<std::string>& lines, const std::string& part) {
  for (const auto& line : lines) {
    if (line.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(Archives, EveryMemberIsADocumentNamedArchiveBangMember) {
  TempDir dir;
  const std::vector<Entry> members = {
      {"notes/a.txt", "Alpha notes\nthe first member talks about lighthouses\n"},
      {"page.html",
       "<html><title>Member page</title><body><script>hidden()</script>"
       "<p>visible keeper text</p></body></html>"},
      {"log.txt.gz", Gzip("Gzipped log\nrotated entries inside a tar\n")},
  };
  WriteFile(dir / "c" / "bundle.zip", MakeArchive(members, archive_write_set_format_zip));
  WriteFile(
      dir / "c" / "bundle.tar.gz",
      MakeArchive(members, archive_write_set_format_pax_restricted, archive_write_add_filter_gzip));
  WriteFile(dir / "c" / "bundle.7z", MakeArchive(members, archive_write_set_format_7zip));
  // Recognized by content, whatever the name says.
  WriteFile(dir / "c" / "no-extension",
            MakeArchive({{"x.txt", "Hidden archive\nfound by its magic number\n"}},
                        archive_write_set_format_zip));
  const Read read = ReadFolder(dir / "c");
  for (const std::string archive : {"bundle.zip", "bundle.tar.gz", "bundle.7z"}) {
    const auto& docs = read.docs;
    ASSERT_EQ(docs.count(archive + "!notes/a.txt"), 1u) << archive;
    EXPECT_EQ(docs.at(archive + "!notes/a.txt").title, "Alpha notes");
    EXPECT_EQ(docs.at(archive + "!page.html").title, "Member page");
    EXPECT_EQ(docs.at(archive + "!page.html").body, "visible keeper text");
    EXPECT_EQ(docs.at(archive + "!log.txt.gz").title, "Gzipped log");
  }
  EXPECT_EQ(read.docs.at("no-extension!x.txt").title, "Hidden archive");
  EXPECT_EQ(read.docs.size(), 10u);
  EXPECT_EQ(read.stats.archives, 4u);
  EXPECT_EQ(read.stats.archive_members, 10u);
  EXPECT_EQ(read.stats.html.documents, 3u);
  EXPECT_EQ(read.stats.text.documents, 7u);
  EXPECT_TRUE(read.warnings.empty()) << read.warnings[0];
}

TEST(Archives, NestedOversizedEncryptedAndDamagedMembersAreSkippedAndCounted) {
  TempDir dir;
  const std::string inner = MakeArchive({{"deep.txt", "deep"}}, archive_write_set_format_zip);
  const std::string bomb = Gzip(std::string(5000, 'a'));  // 5,000 bytes from a few dozen
  WriteFile(dir / "c" / "outer.tar", MakeArchive({{"inner.zip", inner},
                                                  {"big.txt", std::string(3000, 'b')},
                                                  {"bomb.txt.gz", bomb},
                                                  {"fine.txt", "Fine member\nkept\n"}},
                                                 archive_write_set_format_pax_restricted));
  const std::string locked = MakeArchive({{"secret.txt", "Secret\nnot for the index\n"}},
                                         archive_write_set_format_zip, nullptr, "password");
  WriteFile(dir / "c" / "locked.zip", locked);
  std::string cut = MakeArchive({{"one.txt", "One\nfirst\n"}, {"two.txt", std::string(1500, 't')}},
                                archive_write_set_format_pax_restricted);
  WriteFile(dir / "c" / "cut.tar", cut.substr(0, 1536 + 1000));  // inside two.txt's data
  CorpusOptions options;
  options.max_document_bytes = 2000;
  const Read read = ReadFolder(dir / "c", options);
  EXPECT_EQ(read.docs.count("outer.tar!fine.txt"), 1u);
  EXPECT_EQ(read.docs.count("cut.tar!one.txt"), 1u);
  EXPECT_EQ(read.docs.count("outer.tar!inner.zip"), 0u);
  EXPECT_EQ(read.docs.count("locked.zip!secret.txt"), 0u);
  EXPECT_TRUE(AnyContains(read.warnings, "outer.tar!inner.zip: an archive inside an archive"));
  EXPECT_TRUE(AnyContains(read.warnings, "outer.tar!big.txt: larger than the 2000-byte"));
  EXPECT_TRUE(AnyContains(read.warnings, "outer.tar!bomb.txt.gz: larger than the 2000-byte"));
  EXPECT_TRUE(AnyContains(read.warnings, "locked.zip!secret.txt: "));
  EXPECT_TRUE(AnyContains(read.warnings, "cut.tar"));
  EXPECT_EQ(read.stats.skipped_too_large, 2u);
  EXPECT_GE(read.stats.skipped_members, 2u);  // the nested archive, the encrypted member
}

std::string WarcRecordText(const std::string& type, const std::vector<std::string>& headers,
                           const std::string& block) {
  std::string record = "WARC/1.0\r\nWARC-Type: " + type + "\r\n";
  for (const auto& header : headers) record += header + "\r\n";
  record += "Content-Length: " + std::to_string(block.size()) + "\r\n\r\n" + block + "\r\n\r\n";
  return record;
}

std::vector<std::string> WarcRecords() {
  const std::string html_page =
      "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n"
      "<html><head><title>Crawled page</title></head><body><p>tide tables online</p></body></html>";
  const std::string text_page =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nPlain page\nmoon phases listed\n";
  return {
      WarcRecordText("warcinfo", {"WARC-Record-ID: <urn:uuid:1>"}, "software: test\r\n"),
      WarcRecordText("request", {"WARC-Target-URI: http://example.org/a"},
                     "GET /a HTTP/1.1\r\n\r\n"),
      WarcRecordText("response",
                     {"WARC-Target-URI: http://example.org/a", "WARC-TREC-ID: clueweb-0001"},
                     html_page),
      WarcRecordText("response", {"WARC-Target-URI: http://example.org/b.txt"}, text_page),
      WarcRecordText("response", {"WARC-Target-URI: http://example.org/c.png"},
                     "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG"),
      WarcRecordText("response", {}, text_page),  // no id: skipped, said
  };
}

TEST(Warc, ResponsesWithPagesAreDocumentsInPlainAndGzippedFiles) {
  TempDir dir;
  std::string plain, gzipped;
  for (const std::string& record : WarcRecords()) {
    plain += record;
    gzipped += Gzip(record);  // one gzip member per record, as crawlers write them
  }
  WriteFile(dir / "a" / "crawl.warc", plain);
  WriteFile(dir / "b" / "crawl.warc.gz", gzipped);
  WriteFile(dir / "c" / "crawl-by-content", plain);
  for (const auto& folder : {"a", "b", "c"}) {
    const Read read = ReadFolder(dir / folder);
    ASSERT_EQ(read.docs.size(), 2u) << folder;
    EXPECT_EQ(read.docs.at("clueweb-0001").title, "Crawled page");
    EXPECT_EQ(read.docs.at("clueweb-0001").body, "tide tables online");
    EXPECT_EQ(read.docs.at("http://example.org/b.txt").title, "Plain page");
    EXPECT_EQ(read.stats.warc_files, 1u);
    EXPECT_EQ(read.stats.warc.documents, 2u);
    EXPECT_EQ(read.stats.skipped_members, 1u);
    EXPECT_TRUE(AnyContains(read.warnings, "neither WARC-TREC-ID nor WARC-Target-URI"));
  }
}

TEST(Warc, ATruncatedFileKeepsItsEarlierRecordsAndSaysWhere) {
  TempDir dir;
  std::string plain;
  for (const std::string& record : WarcRecords()) plain += record;
  const std::size_t cut = plain.find("Plain page");
  WriteFile(dir / "c" / "cut.warc", plain.substr(0, cut));
  WriteFile(dir / "c" / "garbage.warc", "WARC/1.0\r\nWARC-Type: response\r\n\r\nno length");
  const Read read = ReadFolder(dir / "c");
  EXPECT_EQ(read.docs.size(), 1u);
  EXPECT_EQ(read.docs.count("clueweb-0001"), 1u);
  EXPECT_TRUE(AnyContains(read.warnings, "cut.warc: byte "));
  EXPECT_TRUE(AnyContains(read.warnings, "file ends inside a record"));
  EXPECT_TRUE(AnyContains(read.warnings, "garbage.warc: byte 0: WARC record without a valid"));
}

TEST(Warc, HttpResponsesAreSplitIntoTypeAndBody) {
  const auto response =
      ParseHttpResponse("HTTP/1.1 404 Not Found\r\nContent-TYPE:  Text/HTML \r\n\r\nbody");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->content_type, "text/html");
  EXPECT_EQ(response->body, "body");
  EXPECT_FALSE(ParseHttpResponse("GET / HTTP/1.1\r\n\r\n").has_value());
  EXPECT_FALSE(ParseHttpResponse("HTTP/1.1 200 OK\r\nno end of headers").has_value());
}

// A minimal PDF 1.4: one page showing `text` in Helvetica, and an Info
// dictionary with `title` (none when empty); the cross-reference table's
// offsets are computed, as a PDF writer does.
std::string MakePdf(const std::string& text, const std::string& title) {
  const std::string stream = "BT /F1 12 Tf 72 720 Td (" + text + ") Tj ET";
  std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
      "/Resources << /Font << /F1 5 0 R >> >> >>",
      "<< /Length " + std::to_string(stream.size()) + " >>\nstream\n" + stream + "\nendstream",
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  };
  if (!title.empty()) objects.push_back("<< /Title (" + title + ") >>");
  std::string pdf = "%PDF-1.4\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const std::size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (const std::size_t offset : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", offset);
    pdf += line;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R" +
         (title.empty() ? "" : " /Info 6 0 R") + " >>\nstartxref\n" + std::to_string(xref) +
         "\n%%EOF\n";
  return pdf;
}

TEST(Pdf, TextOfEveryPageAndTheMetadataTitle) {
  const PdfText pdf = ExtractPdfText(MakePdf("Harbour pilots guide ships", "Pilot Handbook"));
  ASSERT_TRUE(pdf.ok) << pdf.error;
  EXPECT_EQ(pdf.title, "Pilot Handbook");
  EXPECT_NE(pdf.body.find("Harbour pilots guide ships"), std::string::npos) << pdf.body;
  EXPECT_FALSE(ExtractPdfText("%PDF-1.4\nnot really a pdf at all").ok);
}

TEST(Pdf, FilesAreDocumentsAndBrokenOnesAreSkippedAndCounted) {
  TempDir dir;
  WriteFile(dir / "c" / "handbook.pdf", MakePdf("Harbour pilots guide ships", "Pilot Handbook"));
  WriteFile(dir / "c" / "untitled", MakePdf("Untitled pages say little", ""));  // by content
  WriteFile(dir / "c" / "broken.pdf", "%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\ngarbage");
  const Read read = ReadFolder(dir / "c");
  ASSERT_EQ(read.docs.count("handbook.pdf"), 1u);
  EXPECT_EQ(read.docs.at("handbook.pdf").title, "Pilot Handbook");
  EXPECT_NE(read.docs.at("handbook.pdf").body.find("Harbour pilots"), std::string::npos);
  ASSERT_EQ(read.docs.count("untitled"), 1u);
  EXPECT_NE(read.docs.at("untitled").body.find("Untitled pages"), std::string::npos);
  EXPECT_EQ(read.docs.count("broken.pdf"), 0u);
  EXPECT_EQ(read.stats.pdf.documents, 2u);
  EXPECT_EQ(read.stats.skipped_pdf, 1u);
  EXPECT_TRUE(AnyContains(read.warnings, "broken.pdf: PDF not read: "));
}

// Encrypted PDFs, made from the hand-written one by qpdf (Debian `qpdf`, a
// test package in .ci/deps): one that needs a password to open is skipped
// with a warning and counted; one encrypted only against changes (an empty
// user password, as many published PDFs are) opens and is read.
TEST(Pdf, EncryptedPdfsAreSkippedUnlessTheyOpenWithoutAPassword) {
  TempDir dir;
  WriteFile(dir / "plain.pdf", MakePdf("Lighthouse keepers log the weather", "Keeper Log"));
  const auto encrypt = [&](const std::string& user_password, const std::string& name) {
    const CommandResult made =
        RunCommand("qpdf --encrypt '" + user_password + "' owner-secret 256 -- " +
                   Quote(dir / "plain.pdf") + " " + Quote(dir / "c" / name));
    ASSERT_EQ(made.exit_code, 0) << "qpdf (Debian package qpdf) is needed: " << made.err;
  };
  std::filesystem::create_directories(dir / "c");
  encrypt("user-secret", "locked.pdf");
  encrypt("", "restricted.pdf");
  ASSERT_NE(ReadFile(dir / "c" / "locked.pdf").find("/Encrypt"), std::string::npos);
  const Read read = ReadFolder(dir / "c");
  EXPECT_EQ(read.docs.count("locked.pdf"), 0u);
  EXPECT_EQ(read.stats.skipped_pdf, 1u);
  EXPECT_TRUE(AnyContains(read.warnings, "locked.pdf: PDF not read: encrypted"));
  ASSERT_EQ(read.docs.count("restricted.pdf"), 1u);
  EXPECT_EQ(read.docs.at("restricted.pdf").title, "Keeper Log");
  EXPECT_NE(read.docs.at("restricted.pdf").body.find("Lighthouse keepers"), std::string::npos);
}

}  // namespace
}  // namespace fathom
