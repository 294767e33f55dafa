// Page checksums: how the large files of a segment (postings, positions,
// store) are trusted without reading them whole when an index is opened.
//
// The writer records a checksum per format::kPageSize bytes of each such
// file in the segment's `checksums` file, which readers verify whole when
// they open the segment (it is small: 8 bytes per 4 KiB). A CheckedFile then
// verifies each page the first time anything asks for bytes in it, and
// remembers it for the life of the mapping, so a page costs one hash per
// process however many queries read it. Every reader asks before it reads:
// no answer, snippet or stored document comes from a byte that no verified
// checksum covers (docs/FORMAT.md, "checksums").
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/format/format.hpp"
#include "common/read/mmap_file.hpp"

namespace fathom {

// One file's page checksums, as the `checksums` file records them.
struct PageChecksums {
  std::string name;                 // the file, in the segment folder
  std::uint64_t size = 0;           // its size in bytes
  std::vector<std::uint64_t> sums;  // format::PageCount(size) checksums
};

// The `checksums` payload for these files.
std::string SerializePageChecksums(const std::vector<PageChecksums>& files);
// Parses a validated `checksums` payload; throws CorruptIndexError naming
// path when its structure is wrong.
std::vector<PageChecksums> ParsePageChecksums(const std::filesystem::path& path,
                                              const std::uint8_t* data, std::size_t size);
// The entry of the file named `name`, or null where the list has none.
PageChecksums* FindPageChecksums(std::vector<PageChecksums>& files, std::string_view name);
// The checksum of each page of a whole file image (what the writer records).
std::vector<std::uint64_t> ComputePageChecksums(const std::uint8_t* data, std::size_t size);

// A mapped file whose pages are verified on first use. Thread-safe: threads
// may verify the same page at once, and agree.
class CheckedFile {
 public:
  CheckedFile() = default;
  // REQUIRES: sums.size() == format::PageCount(file.size()).
  CheckedFile(MmapFile file, std::vector<std::uint64_t> sums);
  // A file its reader verified whole (against its footer's checksum), as
  // an index written before its pages had checksums: every page counts as
  // verified.
  static CheckedFile VerifiedWhole(MmapFile file);
  CheckedFile(CheckedFile&&) noexcept = default;
  CheckedFile& operator=(CheckedFile&&) noexcept = default;

  // Verifies every page that holds a byte of [begin, end) and was not
  // verified before; throws CorruptIndexError naming the file and the page
  // when one does not match its checksum. Call before reading those bytes.
  // REQUIRES: begin <= end <= size().
  void Verify(std::uint64_t begin, std::uint64_t end) const {
    if (begin >= end) return;
    const std::uint64_t first = begin >> format::kPageSizeLog2;
    const std::uint64_t last = (end - 1) >> format::kPageSizeLog2;
    for (std::uint64_t word = first >> 6; word <= last >> 6; ++word) {
      const std::uint64_t mask = PageMask(word, first, last);
      if ((verified_[word].load(std::memory_order_relaxed) & mask) != mask) {
        VerifyPages(word, mask);
      }
    }
  }

  const MmapFile& mapped() const { return file_; }
  const std::uint8_t* data() const { return file_.data(); }
  std::size_t size() const { return file_.size(); }
  const std::filesystem::path& path() const { return file_.path(); }

 private:
  // The bits of word `word` that stand for pages first..last.
  static std::uint64_t PageMask(std::uint64_t word, std::uint64_t first, std::uint64_t last) {
    const std::uint64_t low = word == first >> 6 ? first & 63 : 0;
    const std::uint64_t high = word == last >> 6 ? last & 63 : 63;
    const std::uint64_t upto = high == 63 ? ~std::uint64_t{0} : (std::uint64_t{2} << high) - 1;
    return upto & ~((std::uint64_t{1} << low) - 1);
  }
  void VerifyPages(std::uint64_t word, std::uint64_t mask) const;

  MmapFile file_;
  std::vector<std::uint64_t> sums_;
  // One bit per page: verified already. Relaxed order suffices: the pages
  // never change, and a thread that misses another's bit verifies again.
  std::unique_ptr<std::atomic<std::uint64_t>[]> verified_;
};

}  // namespace fathom
