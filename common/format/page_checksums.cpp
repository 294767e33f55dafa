#include "common/format/page_checksums.hpp"

#include <algorithm>
#include <cassert>

#include "common/error.hpp"

namespace fathom {

std::string SerializePageChecksums(const std::vector<PageChecksums>& files) {
  std::string out;
  format::Put<std::uint32_t>(out, format::kPageSizeLog2);
  format::Put<std::uint32_t>(out, static_cast<std::uint32_t>(files.size()));
  for (const PageChecksums& file : files) {
    assert(file.sums.size() == format::PageCount(file.size));
    format::Put<std::uint32_t>(out, static_cast<std::uint32_t>(file.name.size()));
    out += file.name;
    format::Put<std::uint64_t>(out, file.size);
    for (const std::uint64_t sum : file.sums) format::Put<std::uint64_t>(out, sum);
  }
  return out;
}

std::vector<PageChecksums> ParsePageChecksums(const std::filesystem::path& path,
                                              const std::uint8_t* data, std::size_t size) {
  const auto corrupt = [&](const std::string& what) {
    throw CorruptIndexError(path.string() + ": " + what);
  };
  const std::uint8_t* at = data;
  const std::uint8_t* end = data + size;
  const auto need = [&](std::uint64_t bytes) {
    if (static_cast<std::uint64_t>(end - at) < bytes) corrupt("truncated");
  };
  need(8);
  if (format::Get<std::uint32_t>(at) != format::kPageSizeLog2) {
    corrupt("page size is 2^" + std::to_string(format::Get<std::uint32_t>(at)) + ", expected 2^" +
            std::to_string(format::kPageSizeLog2));
  }
  const auto count = format::Get<std::uint32_t>(at + 4);
  at += 8;
  std::vector<PageChecksums> files;
  for (std::uint32_t i = 0; i < count; ++i) {
    PageChecksums file;
    need(4);
    const auto name_length = format::Get<std::uint32_t>(at);
    at += 4;
    need(std::uint64_t{name_length} + 8);
    file.name.assign(reinterpret_cast<const char*>(at), name_length);
    at += name_length;
    file.size = format::Get<std::uint64_t>(at);
    at += 8;
    const std::uint64_t pages = format::PageCount(file.size);
    if (pages > static_cast<std::uint64_t>(end - at) / 8) corrupt("truncated");
    file.sums.resize(pages);
    for (std::uint64_t& sum : file.sums) {
      sum = format::Get<std::uint64_t>(at);
      at += 8;
    }
    files.push_back(std::move(file));
  }
  if (at != end) corrupt("bytes after the last file's checksums");
  return files;
}

PageChecksums* FindPageChecksums(std::vector<PageChecksums>& files, std::string_view name) {
  const auto it = std::find_if(files.begin(), files.end(),
                               [&](const PageChecksums& c) { return c.name == name; });
  return it == files.end() ? nullptr : &*it;
}

std::vector<std::uint64_t> ComputePageChecksums(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint64_t> sums(format::PageCount(size));
  for (std::uint64_t page = 0; page < sums.size(); ++page) {
    const std::uint64_t begin = page << format::kPageSizeLog2;
    sums[page] =
        format::Checksum(data + begin, std::min<std::uint64_t>(format::kPageSize, size - begin));
  }
  return sums;
}

CheckedFile::CheckedFile(MmapFile file, std::vector<std::uint64_t> sums)
    : file_(std::move(file)),
      sums_(std::move(sums)),
      verified_(std::make_unique<std::atomic<std::uint64_t>[]>((sums_.size() + 63) / 64)) {
  assert(sums_.size() == format::PageCount(file_.size()));
}

CheckedFile CheckedFile::VerifiedWhole(MmapFile file) {
  const std::uint64_t pages = format::PageCount(file.size());
  CheckedFile checked;
  checked.verified_ = std::make_unique<std::atomic<std::uint64_t>[]>((pages + 63) / 64);
  for (std::uint64_t word = 0; word < (pages + 63) / 64; ++word) {
    checked.verified_[word].store(~std::uint64_t{0}, std::memory_order_relaxed);
  }
  checked.file_ = std::move(file);
  return checked;
}

void CheckedFile::VerifyPages(std::uint64_t word, std::uint64_t mask) const {
  const std::uint64_t done = verified_[word].load(std::memory_order_relaxed);
  for (std::uint64_t bits = mask & ~done; bits != 0; bits &= bits - 1) {
    const std::uint64_t page = word * 64 + static_cast<std::uint64_t>(__builtin_ctzll(bits));
    const std::uint64_t begin = page << format::kPageSizeLog2;
    const std::uint64_t length = std::min<std::uint64_t>(format::kPageSize, file_.size() - begin);
    if (format::Checksum(file_.data() + begin, length) != sums_[page]) {
      throw CorruptIndexError(file_.path().string() + ": bytes " + std::to_string(begin) + " to " +
                              std::to_string(begin + length) + " (page " + std::to_string(page) +
                              ") do not match their checksum: the file is damaged (fathom-index "
                              "check tells more; rebuild the index)");
    }
    verified_[word].fetch_or(std::uint64_t{1} << (page & 63), std::memory_order_relaxed);
  }
}

}  // namespace fathom
