// A read-only memory mapping of a whole file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace fathom {

// How a file's bytes are reached once it is open.
enum class Residency {
  // A shared mapping of the page cache: pages are mapped as they are first
  // read, a page fault each 64 KiB or so (13.6 us apiece on the virtual
  // machine bench/README.md measures on), and each 4 KiB page takes a TLB
  // entry.
  kMapped,
  // No page faults after opening. A file up to 16 MiB is read whole into
  // memory the kernel is asked to back with transparent huge pages (2 MiB),
  // a 512th of the TLB entries (where the kernel offers no huge pages, it
  // is mapped instead); a larger one is mapped with every page at once,
  // asking the kernel for huge pages first, so that what it reads in now
  // (pages not cached yet) comes in 2 MiB folios: on that VM, the first
  // touch of a page in such a folio costs far less (bench/README.md, "Lists
  // in 2 MiB folios"); the index writer drops these lists from the page
  // cache for that (FileWriter::DropFromCacheWhenFinished). What the
  // searcher does with the dictionary and the lengths, read at random, and
  // the posting and position lists (bench/README.md, "Preloading the lists
  // queries read"). A file over a quarter of the memory available is only
  // mapped.
  kPreloaded,
};

class MmapFile {
 public:
  MmapFile() = default;
  // Maps (or, with kPreloaded, reads) the file; throws IoError naming the
  // path when it cannot.
  explicit MmapFile(const std::filesystem::path& path, Residency residency = Residency::kMapped);
  ~MmapFile();
  MmapFile(MmapFile&& other) noexcept;
  MmapFile& operator=(MmapFile&& other) noexcept;
  MmapFile(const MmapFile&) = delete;
  MmapFile& operator=(const MmapFile&) = delete;

  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

  // Hints that the whole file will be needed soon (small, hot files).
  void WillNeed() const;
  // Gives back the pages of [begin, end) that a one-pass reader is done
  // with: they stay in the page cache, but no longer count as this
  // process's resident memory (what --memory bounds). Nothing for a
  // preloaded file, whose memory is its only copy.
  void DropPages(std::size_t begin, std::size_t end) const;
  // Whether the file was read into memory (kPreloaded, copied).
  bool preloaded() const { return copied_; }
  // Whether this machine's kernel offers transparent huge pages, without
  // which kPreloaded maps even its small files.
  static bool HugePagesOffered();
  // kPreloaded copies files up to this size and maps larger ones whole. A
  // copy needs fresh memory, and on the virtual machine bench/README.md
  // measures on, fresh memory a second or more after the last process freed
  // it costs start-up again: copying the wiki index's 150 MB of hot files took
  // start-up from about 120 ms back to back to about 350 ms after a pause,
  // more than the copy saved its queries. The small files (dictionary,
  // lengths), which queries read at random, are copied; the posting and
  // position lists, read in runs, are mapped with every page at once.
  static constexpr std::size_t kLargestCopied = std::size_t{16} << 20;

 private:
  void Release() noexcept;
  // kPreloaded's copy: false (nothing changed) where it falls back.
  bool Preload(int fd);
  // kPreloaded's mapping of a larger file, every page mapped and read in
  // 2 MiB folios where not cached yet: false (nothing changed) where the
  // kernel offers neither.
  bool MapInHugeFolios(int fd);
  // A file cached already keeps the folios it was read into: a read without
  // MapInHugeFolios's advice (a copy, `fathom-index check`), or a page cache
  // that dropped parts of it under memory pressure, leaves 2 MiB ranges in
  // small folios, each 4 KiB page a dear first touch again (bench/README.md,
  // "Keeping the lists in 2 MiB folios"). This drops those ranges from the
  // page cache and reads them in again, found with PAGEMAP_SCAN (Linux 6.7;
  // nothing where the kernel lacks it). Where none of the file is in 2 MiB
  // folios, perhaps the file system never reads files so: it tries the
  // first 2 MiB alone first.
  void ReadAgainInHugeFolios(int fd);

  std::filesystem::path path_;
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  // The address range reserved around a preloaded file, to align it to a
  // huge page: its anonymous copy, or its mapping (reserved_ is 0 for a
  // file mapped where the kernel chose).
  void* reserved_base_ = nullptr;
  std::size_t reserved_ = 0;
  bool copied_ = false;
};

}  // namespace fathom
