#include "indexer/corpus/warc.hpp"

#include <algorithm>
#include <charconv>

#include "common/error.hpp"

namespace fathom {
namespace {

// Record headers longer than this are not WARC (real ones are a few KB).
constexpr std::size_t kMaxHeaderBytes = 1 << 20;

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view TrimSpace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// The end of a header block (the blank line), and where what follows
// starts; npos when not found.
std::pair<std::size_t, std::size_t> HeaderEnd(std::string_view text) {
  const std::size_t crlf = text.find("\r\n\r\n");
  const std::size_t lf = text.find("\n\n");
  if (crlf != std::string_view::npos && (lf == std::string_view::npos || crlf < lf)) {
    return {crlf, crlf + 4};
  }
  if (lf != std::string_view::npos) return {lf, lf + 2};
  return {std::string_view::npos, std::string_view::npos};
}

// Calls take(name in lower case, value) for each "Name: value" line after
// the first line of a header block.
template <typename Take>
void ForEachHeader(std::string_view block, Take take) {
  std::size_t line_start = block.find('\n');
  while (line_start != std::string_view::npos && line_start + 1 < block.size()) {
    const std::size_t begin = line_start + 1;
    const std::size_t end = block.find('\n', begin);
    const std::string_view line =
        block.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      take(Lower(TrimSpace(line.substr(0, colon))), TrimSpace(line.substr(colon + 1)));
    }
    line_start = end;
  }
}

}  // namespace

WarcReader::WarcReader(std::string name, std::function<bool(std::string&)> read_more,
                       std::uint64_t max_block_bytes)
    : name_(std::move(name)), read_more_(std::move(read_more)), max_block_bytes_(max_block_bytes) {}

bool WarcReader::Fill(std::size_t bytes) {
  while (buffer_.size() - pos_ < bytes) {
    if (at_end_) return false;
    if (pos_ > 0 && pos_ >= buffer_.size() / 2) {
      buffer_.erase(0, pos_);
      pos_ = 0;
    }
    if (!read_more_(buffer_)) at_end_ = true;
  }
  return true;
}

void WarcReader::Consume(std::size_t bytes) {
  pos_ += bytes;
  consumed_ += bytes;
}

bool WarcReader::Next(WarcRecord& record) {
  // Blank lines between records (each ends with CRLF CRLF) are skipped.
  while (true) {
    if (!Fill(1)) return false;
    const char c = buffer_[pos_];
    if (c != '\r' && c != '\n') break;
    Consume(1);
  }
  const auto fail = [&](const std::string& what) {
    throw InputError(name_ + ": byte " + std::to_string(consumed_) + ": " + what +
                     " (the rest of the file is skipped)");
  };
  // The header block, up to its blank line.
  std::size_t header_end = std::string::npos, block_start = 0;
  for (std::size_t want = 4096;; want *= 2) {
    const bool more = Fill(want);
    const std::string_view view = std::string_view(buffer_).substr(pos_);
    std::tie(header_end, block_start) =
        HeaderEnd(view.substr(0, std::min(view.size(), kMaxHeaderBytes)));
    if (header_end != std::string::npos) break;
    if (!more || want > kMaxHeaderBytes) fail("not a WARC record header");
  }
  const std::string_view header = std::string_view(buffer_).substr(pos_, header_end);
  if (!LooksLikeWarc(std::string_view(buffer_).substr(pos_, header_end + 2))) {
    fail("not a WARC record (expected WARC/1.0 or WARC/1.1)");
  }
  record = WarcRecord{};
  record.offset = consumed_;
  std::optional<std::uint64_t> length;
  ForEachHeader(header, [&](const std::string& name, std::string_view value) {
    if (name == "warc-type") record.type = std::string(value);
    if (name == "warc-trec-id") record.trec_id = std::string(value);
    if (name == "warc-target-uri") record.target_uri = std::string(value);
    if (name == "content-length") {
      std::uint64_t n = 0;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (error == std::errc() && end == value.data() + value.size()) length = n;
    }
  });
  if (!length) fail("WARC record without a valid Content-Length");
  Consume(block_start);
  if (*length > max_block_bytes_) {
    record.too_large = true;
    // Read through without keeping it.
    std::uint64_t left = *length;
    while (left > 0) {
      if (!Fill(1)) fail("file ends inside a record");
      const std::size_t take =
          static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer_.size() - pos_));
      Consume(take);
      left -= take;
    }
    return true;
  }
  if (!Fill(static_cast<std::size_t>(*length))) fail("file ends inside a record");
  record.block = buffer_.substr(pos_, static_cast<std::size_t>(*length));
  Consume(static_cast<std::size_t>(*length));
  return true;
}

std::optional<HttpResponse> ParseHttpResponse(std::string_view block) {
  if (!block.starts_with("HTTP/")) return std::nullopt;
  const auto [end, body_start] = HeaderEnd(block);
  if (end == std::string_view::npos) return std::nullopt;
  HttpResponse response;
  const std::string_view head = block.substr(0, end);
  const std::size_t space = head.find(' ');
  if (space != std::string_view::npos) {
    const std::string_view code = head.substr(space + 1, 3);
    std::from_chars(code.data(), code.data() + code.size(), response.status);
  }
  ForEachHeader(head, [&](const std::string& name, std::string_view value) {
    if (name == "content-type") response.content_type = Lower(value);
  });
  response.body = block.substr(body_start);
  return response;
}

}  // namespace fathom
