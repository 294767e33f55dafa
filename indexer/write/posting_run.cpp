#include "indexer/write/posting_run.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/analysis/fields.hpp"
#include "common/error.hpp"
#include "common/format/codec.hpp"

namespace fathom {
namespace {

constexpr std::size_t kIoBytes = 1 << 20;

void WriteAll(int fd, const std::string& bytes, const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw IoError(path.string() + ": write failed: " + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

std::uint64_t WriteRun(const InvertedIndex& index, const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw IoError(path.string() + ": cannot create: " + std::strerror(errno));
  std::uint64_t size = 0;
  try {
    std::string out;
    out.reserve(kIoBytes + 4096);
    const auto flush = [&] {
      WriteAll(fd, out, path);
      size += out.size();
      out.clear();
    };
    for (const auto& [term, postings] : index.SortedTerms()) {
      codec::PutVarint(term.size(), out);
      out.append(term);
      codec::PutVarint(postings->docs.size(), out);
      DocId previous = 0;
      std::size_t positions_at = 0;
      const auto* positions = reinterpret_cast<const std::uint8_t*>(postings->positions.data());
      const auto* positions_end = positions + postings->positions.size();
      for (std::size_t i = 0; i < postings->docs.size(); ++i) {
        const std::uint32_t frequency = postings->frequencies[i];
        const std::uint8_t* next =
            codec::SkipVarints(positions + positions_at, positions_end, frequency);
        const auto bytes = static_cast<std::size_t>(next - (positions + positions_at));
        codec::PutVarint(postings->docs[i] - previous, out);
        codec::PutVarint(frequency, out);
        codec::PutVarint(bytes, out);
        out.append(postings->positions, positions_at, bytes);
        positions_at += bytes;
        previous = postings->docs[i];
        if (out.size() >= kIoBytes) flush();
      }
    }
    codec::PutVarint(0, out);
    flush();
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0) throw IoError(path.string() + ": close failed: " + std::strerror(errno));
  return size;
}

RunReader::RunReader(const std::filesystem::path& path) : path_(path), buffer_(kIoBytes) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw IoError(path.string() + ": cannot open: " + std::strerror(errno));
  // Read once, front to back: tell the kernel to read ahead and not to keep
  // the pages (they are not counted as ours, but they crowd the page cache).
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
}

RunReader::~RunReader() {
  if (fd_ >= 0) ::close(fd_);
}

void RunReader::Corrupt(const char* what) const {
  throw IoError(path_.string() + ": temporary run file damaged (" + what + ")");
}

void RunReader::Fill(std::size_t n) {
  if (end_ - pos_ >= n || eof_) return;
  std::memmove(buffer_.data(), buffer_.data() + pos_, end_ - pos_);
  end_ -= pos_;
  pos_ = 0;
  if (buffer_.size() < n) buffer_.resize(n);
  while (end_ < buffer_.size() && !eof_) {
    const ssize_t got = ::read(fd_, buffer_.data() + end_, buffer_.size() - end_);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw IoError(path_.string() + ": read failed: " + std::strerror(errno));
    if (got == 0) eof_ = true;
    end_ += static_cast<std::size_t>(got);
    if (end_ - pos_ >= n) break;
  }
}

std::uint64_t RunReader::ReadVarint() {
  Fill(10);
  std::uint64_t value = 0;
  for (unsigned shift = 0; shift < 64; shift += 7) {
    if (pos_ == end_) Corrupt("ends inside a number");
    const auto byte = static_cast<std::uint8_t>(buffer_[pos_++]);
    value |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
    if (byte < 0x80) return value;
  }
  Corrupt("number too long");
}

bool RunReader::NextTerm() {
  while (remaining_ > 0) {  // the caller may skip the rest of a term
    SourcePosting unused;
    NextPosting(unused);
  }
  const std::uint64_t length = ReadVarint();
  if (length == 0) return false;
  if (length > kMaxIndexedTermBytes) Corrupt("term too long");
  Fill(length);
  if (end_ - pos_ < length) Corrupt("ends inside a term");
  term_.assign(buffer_.data() + pos_, length);
  pos_ += length;
  remaining_ = ReadVarint();
  previous_doc_ = 0;
  return true;
}

bool RunReader::NextPosting(SourcePosting& posting) {
  if (remaining_ == 0) return false;
  --remaining_;
  posting.doc = static_cast<DocId>(previous_doc_ + ReadVarint());
  previous_doc_ = posting.doc;
  posting.frequency = static_cast<std::uint32_t>(ReadVarint());
  const std::uint64_t bytes = ReadVarint();
  Fill(bytes);
  if (end_ - pos_ < bytes) Corrupt("ends inside positions");
  posting.positions = std::string_view(buffer_.data() + pos_, bytes);
  pos_ += bytes;
  return true;
}

bool MemoryPostingSource::NextTerm() {
  if (term_ == terms_.size()) return false;
  ++term_;
  posting_ = 0;
  positions_at_ = 0;
  return true;
}

bool MemoryPostingSource::NextPosting(SourcePosting& posting) {
  const InvertedIndex::TermPostings& postings = *terms_[term_ - 1].second;
  if (posting_ == postings.docs.size()) return false;
  posting.doc = postings.docs[posting_];
  posting.frequency = postings.frequencies[posting_];
  const auto* begin = reinterpret_cast<const std::uint8_t*>(postings.positions.data());
  const std::uint8_t* at = begin + positions_at_;
  const std::uint8_t* next =
      codec::SkipVarints(at, begin + postings.positions.size(), posting.frequency);
  posting.positions = std::string_view(postings.positions.data() + positions_at_,
                                       static_cast<std::size_t>(next - at));
  positions_at_ = static_cast<std::size_t>(next - begin);
  ++posting_;
  return true;
}

}  // namespace fathom
