// Writes the term dictionary, posting and position files, document lengths
// and external ids of an in-memory inverted index (layout: docs/FORMAT.md).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "indexer/file_writer.hpp"
#include "indexer/inverted_index.hpp"

namespace fathom {

// REQUIRES: external_ids.size() == index.document_count().
std::vector<IndexFileRecord> WriteSegment(const InvertedIndex& index,
                                          const std::vector<std::string>& external_ids,
                                          const std::filesystem::path& dir);

// Encodes one posting list (skip table, impact records, blocks) into out.
// positions is the term's concatenated per-posting position varints; the
// skip entries' positions_offset point into it.
void EncodePostings(const std::vector<DocId>& docs, const std::vector<std::uint32_t>& frequencies,
                    std::string_view positions, const std::vector<std::uint32_t>& lengths,
                    std::string& out);

}  // namespace fathom
