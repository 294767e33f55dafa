// Reading and writing the small structured payloads (meta, manifest): every
// read is checked against the payload's size, and every count against what
// the rest of the payload can hold, so a damaged file fails with its name
// and offset instead of sizing an allocation or reading past its end.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "common/error.hpp"
#include "common/format/format.hpp"

namespace fathom {

inline void PutString(std::string& out, const std::string& s) {
  format::Put<std::uint32_t>(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

class PayloadParser {
 public:
  // Sanity cap for counts read from disk, before any allocation uses them.
  static constexpr std::uint32_t kMaxListEntries = 1 << 20;

  PayloadParser(const std::filesystem::path& path, const std::uint8_t* data, std::size_t size)
      : path_(path), data_(data), size_(size) {}

  template <typename T>
  T Read() {
    Need(sizeof(T));
    const T value = format::Get<T>(data_ + pos_);
    pos_ += sizeof(T);
    return value;
  }
  std::string ReadString() {
    const auto length = Read<std::uint32_t>();
    Need(length);
    std::string s(reinterpret_cast<const char*>(data_ + pos_), length);
    pos_ += length;
    return s;
  }
  // A count of records that are at least min_record_bytes each: it cannot
  // exceed what the rest of the file holds, so it never sizes an allocation
  // beyond the file's own size.
  std::uint32_t ReadCount(std::size_t min_record_bytes) {
    const auto count = Read<std::uint32_t>();
    if (count > kMaxListEntries || count > (size_ - pos_) / min_record_bytes) {
      Fail("implausible list length " + std::to_string(count));
    }
    return count;
  }
  void ExpectEnd() {
    if (pos_ != size_) Fail("unexpected bytes after the last field");
  }
  [[noreturn]] void Fail(const std::string& what) {
    throw CorruptIndexError(path_.string() + ": " + what + " at payload offset " +
                            std::to_string(pos_));
  }

 private:
  void Need(std::size_t n) {
    if (n > size_ - pos_) Fail("field runs past the end of the file");
  }
  const std::filesystem::path& path_;
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

}  // namespace fathom
