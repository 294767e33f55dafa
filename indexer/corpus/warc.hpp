// WARC files (ISO 28500: WARC/1.0 and 1.1, as ClueWeb and Common Crawl
// keep web pages), read one record at a time, so that a file of any size
// costs one record's memory. Decompression (.warc.gz: one gzip member per
// record) is the byte source's job, not this reader's.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace fathom {

struct WarcRecord {
  std::string type;          // WARC-Type: response, request, warcinfo, metadata...
  std::string trec_id;       // WARC-TREC-ID (ClueWeb), or empty
  std::string target_uri;    // WARC-Target-URI, or empty
  std::string block;         // the record's content block (for a response: HTTP headers and body)
  std::uint64_t offset = 0;  // where the record starts in the (uncompressed) file
  bool too_large = false;    // its block is over the limit: not kept
};

class WarcReader {
 public:
  // read_more appends the next bytes of the file to its argument; false at
  // the end. Blocks over max_block_bytes are skipped (too_large).
  WarcReader(std::string name, std::function<bool(std::string&)> read_more,
             std::uint64_t max_block_bytes);
  // The next record, or false at the end. Throws InputError naming the file
  // and the byte offset when what follows is not a WARC record: there is
  // no telling where the next one starts.
  bool Next(WarcRecord& record);

 private:
  bool Fill(std::size_t bytes);  // at least this many bytes buffered after pos_ (or the end)
  void Consume(std::size_t bytes);

  std::string name_;
  std::function<bool(std::string&)> read_more_;
  std::uint64_t max_block_bytes_;
  std::string buffer_;
  std::size_t pos_ = 0;         // next unread byte of buffer_
  std::uint64_t consumed_ = 0;  // bytes of the file before buffer_[pos_]
  bool at_end_ = false;
};

// Whether the (uncompressed) start of a file is a WARC record's.
inline bool LooksLikeWarc(std::string_view head) {
  return head.starts_with("WARC/1.0\r\n") || head.starts_with("WARC/1.1\r\n") ||
         head.starts_with("WARC/1.0\n") || head.starts_with("WARC/1.1\n");
}

// An HTTP response (a response record's block): its Content-Type header
// (lower case, parameters kept) and its body; nothing when the block does
// not start with an HTTP status line and headers.
struct HttpResponse {
  int status = 0;
  std::string content_type;
  std::string_view body;
};
std::optional<HttpResponse> ParseHttpResponse(std::string_view block);

}  // namespace fathom
