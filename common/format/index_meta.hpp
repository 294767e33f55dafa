// The index's meta file: collection statistics, analysis settings, and the
// size and checksum of every other file. It is written last, so an index
// whose meta file is present and valid was completely written.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/analysis/analyzer.hpp"

namespace fathom {

struct IndexFileRecord {
  std::string name;
  std::uint64_t size;
  std::uint64_t checksum;
};

// BM25's average document length, of a segment or of a whole collection:
// computed one way everywhere, so that equal counts give equal bits.
inline double AverageLength(std::uint64_t total_length, std::uint64_t document_count) {
  return document_count == 0
             ? 0.0
             : static_cast<double>(total_length) / static_cast<double>(document_count);
}

struct IndexMeta {
  std::uint64_t document_count = 0;
  std::uint64_t total_length = 0;  // sum of document lengths, in terms
  std::uint64_t term_count = 0;
  std::uint64_t posting_count = 0;
  std::uint64_t created_unix_seconds = 0;
  std::string fathom_version;
  AnalysisSettings analysis;
  std::vector<IndexFileRecord> files;

  double average_length() const { return AverageLength(total_length, document_count); }
  const IndexFileRecord* FindFile(const std::string& name) const;
};

// True when dir holds a Fathom index: its meta file starts with Fathom's
// magic and tag. Cheap (reads 8 bytes); says nothing of the index's health.
bool IsIndexFolder(const std::filesystem::path& dir);

// The payload of the meta file (between header and footer).
std::string SerializeMeta(const IndexMeta& meta);
// Parses a validated meta payload; throws CorruptIndexError naming path.
IndexMeta ParseMeta(const std::filesystem::path& path, const std::uint8_t* data, std::size_t size);

}  // namespace fathom
