// Full verification of an index folder, the work behind `fathom-index check`.
//
// Opening an index for search checks headers, footers, sizes and the small
// files' checksums; this reads every byte: the manifest (names, counters),
// then for each segment it lists every file's checksum, every
// structural invariant docs/FORMAT.md states (sorted dictionary, contiguous
// posting data, increasing doc ids, skip and block-max entries equal to what
// the blocks hold, positions, counts equal to meta's, the document store's
// blocks and records) and that the stored text analyzes to the document
// lengths the postings add up to, and last the segment's deletion file
// against the manifest's record. It stops at the first problem.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace fathom {

struct CheckReport {
  bool sound = false;
  // The first problem found: "PATH: offset N: what is wrong" (or, for a
  // checksum, the byte range it covers). Empty when sound.
  std::string problem;
  std::uint64_t segments = 0;
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;  // bytes checksummed
  std::uint64_t terms = 0;  // summed over the segments
  std::uint64_t postings = 0;
  std::uint64_t documents = 0;  // deleted ones included
  std::uint64_t deleted = 0;
};

// Never throws for a damaged index (the damage is the report); throws only
// std::bad_alloc.
CheckReport CheckIndex(const std::filesystem::path& index_dir);

}  // namespace fathom
