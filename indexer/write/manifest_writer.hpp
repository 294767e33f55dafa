// Commits changes to an index: deletion files, and the manifest that makes
// new segments and deletions visible in one atomic step.
#pragma once

#include <filesystem>
#include <string>

#include "common/format/index_meta.hpp"
#include "common/format/manifest.hpp"

namespace fathom {

// Writes index_dir/manifest atomically: to a temporary name, synced, renamed
// over the old one, and the folder synced, so a crash leaves the old or the
// new manifest, both whole.
void CommitManifest(const std::filesystem::path& index_dir, const Manifest& manifest);

// Writes index_dir/name (synced) and returns its size and checksum for the
// segment's manifest record.
IndexFileRecord WriteDeletes(const std::filesystem::path& index_dir, const std::string& name,
                             const DeletedDocs& deletes);

}  // namespace fathom
