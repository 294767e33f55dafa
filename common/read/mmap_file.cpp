#include "common/read/mmap_file.hpp"
#include <algorithm>
#include <array>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.hpp"

namespace fathom {

namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

// Closes a file descriptor when the scope ends, thrown out of or not.
struct ClosedOnExit {
  int fd;
  ~ClosedOnExit() { ::close(fd); }
};

// An address range for a preloaded file of `size` bytes whose start is on
// a huge-page boundary: the kernel backs only aligned 2 MiB ranges with
// huge pages and maps only aligned 2 MiB folios whole. The range holds
// the file rounded up to whole huge pages, plus one to align its start.
struct HugeAlignedRange {
  void* base = nullptr;  // MAP_FAILED when none could be reserved
  std::size_t reserved = 0;
  std::uint8_t* start = nullptr;
  std::size_t rounded = 0;  // the size from start, whole huge pages
};

HugeAlignedRange ReserveHugeAligned(std::size_t size, int protection) {
  HugeAlignedRange range;
  range.rounded = (size + kHugePage - 1) / kHugePage * kHugePage;
  range.reserved = range.rounded + kHugePage;
  range.base = ::mmap(nullptr, range.reserved, protection, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  range.start = reinterpret_cast<std::uint8_t*>(
      (reinterpret_cast<std::uintptr_t>(range.base) + kHugePage - 1) / kHugePage * kHugePage);
  return range;
}

// MemAvailable from /proc/meminfo in bytes; 0 when unknown.
std::uint64_t MemoryAvailable() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::uint64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib * 1024;
  }
  return 0;
}

// PAGEMAP_SCAN (Linux 6.7), declared here: older kernel headers lack it.
struct PageMapScan {
  std::uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
  std::uint64_t category_inverted, category_mask, category_anyof_mask, return_mask;
};
struct PageRegion {
  std::uint64_t start, end, categories;
};
constexpr unsigned long kPageMapScan = _IOWR('f', 16, PageMapScan);
constexpr std::uint64_t kPageIsHuge = std::uint64_t{1} << 6;  // mapped by a 2 MiB entry
// MADV_POPULATE_READ (Linux 5.14), absent from older headers.
constexpr int kPopulateRead = 22;

// The offsets of the 2 MiB ranges of [start, start + length) that are not
// mapped by a 2 MiB page-table entry (their pages cached in smaller
// folios), merged; nullopt where the kernel cannot tell. `start` and
// `length` are whole huge pages.
std::optional<std::vector<std::pair<std::size_t, std::size_t>>> RangesNotInHugePages(
    const std::uint8_t* start, std::size_t length) {
  const int pagemap = ::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  if (pagemap < 0) return std::nullopt;
  const ClosedOnExit closer{pagemap};
  const auto base = reinterpret_cast<std::uintptr_t>(start);
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  std::array<PageRegion, 64> found{};
  PageMapScan scan{};
  scan.size = sizeof scan;
  scan.start = base;
  scan.end = base + length;
  scan.vec = reinterpret_cast<std::uintptr_t>(found.data());
  scan.vec_len = found.size();
  scan.category_inverted = kPageIsHuge;  // the pages that are not huge
  scan.category_mask = kPageIsHuge;
  scan.return_mask = kPageIsHuge;
  while (scan.start < scan.end) {
    const int count = ::ioctl(pagemap, kPageMapScan, &scan);
    if (count < 0) return std::nullopt;
    for (int i = 0; i < count; ++i) {
      const std::size_t begin = (found[i].start - base) / kHugePage * kHugePage;
      const std::size_t end =
          std::min(length, (found[i].end - base + kHugePage - 1) / kHugePage * kHugePage);
      if (!ranges.empty() && begin <= ranges.back().second) {
        ranges.back().second = std::max(ranges.back().second, end);
      } else {
        ranges.emplace_back(begin, end);
      }
    }
    if (scan.walk_end <= scan.start) break;  // no progress: stop rather than spin
    scan.start = scan.walk_end;
  }
  return ranges;
}

}  // namespace

// madvise(MADV_HUGEPAGE) can give anonymous memory huge pages where the
// kernel's mode is "always" or "madvise", not "never" (or absent).
bool MmapFile::HugePagesOffered() {
  static const bool offered = [] {
    std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string modes;
    std::getline(in, modes);
    return modes.find("[always]") != std::string::npos ||
           modes.find("[madvise]") != std::string::npos;
  }();
  return offered;
}

MmapFile::MmapFile(const std::filesystem::path& path, Residency residency) : path_(path) {
  // O_NONBLOCK: a FIFO put in place of an index file must not hang the open
  // (it is then refused as not a regular file); no effect on regular files.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw IoError(path.string() + ": cannot open: " + std::strerror(errno));
  const ClosedOnExit closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    throw IoError(path.string() + ": cannot stat: " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) throw IoError(path.string() + ": not a regular file");
  size_ = static_cast<std::size_t>(st.st_size);
  // kPreloaded holds only what fits in a quarter of the memory available.
  const bool preload =
      residency == Residency::kPreloaded && size_ > 0 && size_ <= MemoryAvailable() / 4;
  if (preload && HugePagesOffered()) {
    if (size_ <= kLargestCopied && Preload(fd)) return;
    if (MapInHugeFolios(fd)) return;
  }
  if (size_ > 0) {
    // A preloaded file not copied: every page mapped now, in one call.
    void* mapped =
        ::mmap(nullptr, size_, PROT_READ, MAP_SHARED | (preload ? MAP_POPULATE : 0), fd, 0);
    if (mapped == MAP_FAILED) {
      throw IoError(path.string() + ": cannot map: " + std::strerror(errno));
    }
    data_ = static_cast<const std::uint8_t*>(mapped);
  }
}

bool MmapFile::Preload(int fd) {
  const auto [base, reserved, start, rounded] = ReserveHugeAligned(size_, PROT_READ | PROT_WRITE);
  if (base == MAP_FAILED) return false;  // the mapping of the file may still fit
  ::madvise(start, rounded, MADV_HUGEPAGE);
  std::size_t done = 0;
  while (done < size_) {
    const ssize_t got = ::pread(fd, start + done, size_ - done, static_cast<off_t>(done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      const std::string why = got < 0 ? std::strerror(errno) : "the file shrank while read";
      ::munmap(base, reserved);
      throw IoError(path_.string() + ": cannot read: " + why);
    }
    done += static_cast<std::size_t>(got);
  }
  // Read-only from here, as a file mapping is: a stray write faults.
  ::mprotect(start, rounded, PROT_READ);
  data_ = start;
  reserved_base_ = base;
  reserved_ = reserved;
  copied_ = true;
  return true;
}

bool MmapFile::MapInHugeFolios(int fd) {
  // The file is mapped over the aligned start of the reservation, which is
  // released with it.
  const auto [base, reserved, start, rounded] = ReserveHugeAligned(size_, PROT_NONE);
  if (base == MAP_FAILED) return false;
  // Advised before any page is read in: pages not in the page cache yet
  // are then read in 2 MiB folios. MADV_POPULATE_READ (Linux 5.14) maps
  // every page as MAP_POPULATE would have; where the kernel lacks either,
  // the plain populated mapping is used instead.
  if (::mmap(start, size_, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED ||
      ::madvise(start, size_, MADV_HUGEPAGE) != 0 || ::madvise(start, size_, kPopulateRead) != 0) {
    ::munmap(base, reserved);
    return false;
  }
  data_ = start;
  reserved_base_ = base;
  reserved_ = reserved;
  copied_ = false;
  ReadAgainInHugeFolios(fd);
  return true;
}

void MmapFile::ReadAgainInHugeFolios(int fd) {
  // Only whole 2 MiB of the file can be held in a 2 MiB folio.
  const std::size_t whole = size_ / kHugePage * kHugePage;
  if (whole == 0) return;
  auto* const start = const_cast<std::uint8_t*>(data_);
  auto small = RangesNotInHugePages(start, whole);
  if (!small || small->empty()) return;
  // Unmaps [begin, end) here, drops it from the page cache (pages that other
  // processes map stay) and maps it again through this mapping's advice.
  // Advice only: where a call fails, what is mapped stays right.
  const auto read_again = [&](std::size_t begin, std::size_t end) {
    ::madvise(start + begin, end - begin, MADV_DONTNEED);
    ::posix_fadvise(fd, static_cast<off_t>(begin), static_cast<off_t>(end - begin),
                    POSIX_FADV_DONTNEED);
    ::madvise(start + begin, end - begin, kPopulateRead);
  };
  if (small->size() == 1 && small->front() == std::pair<std::size_t, std::size_t>{0, whole}) {
    // None of it is: perhaps this file system reads no file into 2 MiB
    // folios. Try the first 2 MiB before the rest, so that there every
    // process pays only that.
    read_again(0, kHugePage);
    small = RangesNotInHugePages(start, whole);
    if (!small || small->empty() || small->front().first == 0) return;
  }
  for (const auto& [begin, end] : *small) read_again(begin, end);
}

MmapFile::~MmapFile() { Release(); }

MmapFile::MmapFile(MmapFile&& other) noexcept
    : path_(std::move(other.path_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      reserved_base_(std::exchange(other.reserved_base_, nullptr)),
      reserved_(std::exchange(other.reserved_, 0)),
      copied_(std::exchange(other.copied_, false)) {}

MmapFile& MmapFile::operator=(MmapFile&& other) noexcept {
  if (this != &other) {
    Release();
    path_ = std::move(other.path_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    reserved_base_ = std::exchange(other.reserved_base_, nullptr);
    reserved_ = std::exchange(other.reserved_, 0);
    copied_ = std::exchange(other.copied_, false);
  }
  return *this;
}

void MmapFile::WillNeed() const {
  if (data_ != nullptr) {
    ::madvise(const_cast<std::uint8_t*>(data_), size_, MADV_WILLNEED);
  }
}

void MmapFile::DropPages(std::size_t begin, std::size_t end) const {
  static const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  begin = (begin + page - 1) / page * page;  // whole pages inside the range only
  end = std::min(end, size_) / page * page;
  if (data_ != nullptr && !preloaded() && begin < end) {
    ::madvise(const_cast<std::uint8_t*>(data_) + begin, end - begin, MADV_DONTNEED);
  }
}

void MmapFile::Release() noexcept {
  if (reserved_ != 0) {
    ::munmap(reserved_base_, reserved_);
  } else if (data_ != nullptr) {
    ::munmap(const_cast<std::uint8_t*>(data_), size_);
  }
  data_ = nullptr;
  size_ = 0;
  reserved_base_ = nullptr;
  reserved_ = 0;
  copied_ = false;
}

}  // namespace fathom
