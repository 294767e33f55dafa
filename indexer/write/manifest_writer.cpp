#include "indexer/write/manifest_writer.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/error.hpp"
#include "common/format/format.hpp"
#include "indexer/write/file_writer.hpp"

namespace fathom {
namespace fs = std::filesystem;

void CommitManifest(const fs::path& index_dir, const Manifest& manifest) {
  const std::string temp_name = std::string(".") + format::kManifestFile.file_name + ".tmp";
  {
    FileWriter file(index_dir, temp_name, format::kManifestFile);
    file.Append(SerializeManifest(manifest));
    file.Finish();
  }
  const fs::path temp = index_dir / temp_name;
  const fs::path target = index_dir / format::kManifestFile.file_name;
  if (std::rename(temp.c_str(), target.c_str()) != 0) {
    throw IoError(target.string() + ": cannot replace the manifest: " + std::strerror(errno));
  }
  SyncDirectory(index_dir);
}

IndexFileRecord WriteDeletes(const fs::path& index_dir, const std::string& name,
                             const DeletedDocs& deletes) {
  FileWriter file(index_dir, name, format::kDeletesFile);
  file.Append(SerializeDeletes(deletes));
  return file.Finish();
}

}  // namespace fathom
