// An index's files as tests and fuzz targets edit them: deleting documents
// by global id, the names of every file, and resealing damaged files so
// that no checksum sees the damage.
#pragma once

#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/format/format.hpp"
#include "common/format/index_meta.hpp"
#include "common/format/manifest.hpp"
#include "common/format/page_checksums.hpp"
#include "common/read/index_snapshot.hpp"
#include "indexer/write/index_editor.hpp"

namespace fathom::testing {

// Deletes documents by global id, through fathom-index's own deletion
// (indexer/write/index_editor.hpp: new deletion files, one manifest commit, old
// files removed), which takes external ids: the test corpora's are unique.
// Returns the new manifest.
inline Manifest DeleteByGlobalId(const std::filesystem::path& index,
                                 const std::vector<DocId>& global_ids) {
  std::vector<std::string> ids;
  {
    const IndexSnapshot snapshot(index);
    for (const DocId doc : global_ids) ids.emplace_back(snapshot.external_id(doc));
  }
  DeleteDocuments(index, ids);
  return ReadManifest(index);
}

// Every file of the index, as paths relative to its folder: the manifest,
// then per segment its files and its deletion file.
inline std::vector<std::string> IndexFileNames(const std::filesystem::path& index) {
  std::vector<std::string> names = {format::kManifestFile.file_name};
  for (const SegmentRecord& record : ReadManifest(index).segments) {
    names.push_back(record.name + "/" + format::kMetaFile.file_name);
    for (const auto& kind : format::kDataFiles) names.push_back(record.name + "/" + kind.file_name);
    if (!record.deletes_name.empty()) names.push_back(record.deletes_name);
  }
  return names;
}

namespace internal {

inline void SealFooter(std::string& bytes) {
  if (bytes.size() < format::kHeaderSize + format::kFooterSize) return;
  const std::uint64_t checksum = format::Checksum(bytes.data(), bytes.size() - format::kFooterSize);
  std::memcpy(bytes.data() + bytes.size() - 8, &checksum, 8);
}

inline std::uint64_t FooterChecksum(const std::string& bytes) {
  std::uint64_t checksum = 0;
  if (bytes.size() >= 8) std::memcpy(&checksum, bytes.data() + bytes.size() - 8, 8);
  return checksum;
}

// The payload of a sealed file, parsed; throws CorruptIndexError.
template <typename Parse>
auto ParseSealed(const std::string& bytes, Parse parse) {
  if (bytes.size() < format::kHeaderSize + format::kFooterSize) {
    throw CorruptIndexError("too short");
  }
  const format::Payload payload =
      format::PayloadOf(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  return parse("damaged", payload.data, payload.size);
}

// bytes with its payload replaced, header and footer kept, resealed.
inline void ReplacePayload(std::string& bytes, const std::string& payload) {
  std::string rebuilt(bytes.data(), format::kHeaderSize);
  rebuilt += payload;
  rebuilt.append(bytes.data() + bytes.size() - format::kFooterSize, format::kFooterSize);
  SealFooter(rebuilt);
  bytes = std::move(rebuilt);
}

}  // namespace internal

// Reseals damaged files (relative names, as IndexFileNames gives them):
// recomputes their footer checksums and updates the records of them, a
// segment file's size and checksum in its meta, a meta or deletion file's
// checksum in the manifest, a large file's page checksums in its segment's
// `checksums`, resealing those in turn. The damage stays, but
// no checksum sees it: only the structural checks can. Records of files
// that were not damaged are left as they are (a damaged record stays
// damaged), and a meta or manifest too damaged to parse is only resealed.
inline void ResealIndexFiles(std::map<std::string, std::string>& files,
                             const std::set<std::string>& damaged_files) {
  using namespace internal;
  const std::string meta_name = format::kMetaFile.file_name;
  std::set<std::string> damaged = damaged_files;
  std::set<std::string> changed;
  for (const std::string& name : damaged) {
    SealFooter(files.at(name));
    changed.insert(name);
  }
  // The page checksums of damaged large files, in their segment's
  // `checksums`, which is then resealed with them.
  for (auto& [name, bytes] : files) {
    const auto slash = name.find('/');
    if (slash == std::string::npos || name.substr(slash + 1) != format::kChecksumsFile.file_name) {
      continue;
    }
    const std::string segment = name.substr(0, slash + 1);
    try {
      std::vector<PageChecksums> listed = ParseSealed(bytes, ParsePageChecksums);
      bool updated = false;
      for (PageChecksums& file : listed) {
        const auto it = files.find(segment + file.name);
        if (it == files.end() || !damaged.contains(it->first)) continue;
        const auto* data = reinterpret_cast<const std::uint8_t*>(it->second.data());
        file.size = it->second.size();
        file.sums = ComputePageChecksums(data, it->second.size());
        updated = true;
      }
      if (!updated) continue;
      ReplacePayload(bytes, SerializePageChecksums(listed));
      damaged.insert(name);
      changed.insert(name);
    } catch (const Error&) {
    }
  }
  for (auto& [name, bytes] : files) {
    const auto slash = name.find('/');
    if (slash == std::string::npos || name.substr(slash + 1) != meta_name) continue;
    const std::string segment = name.substr(0, slash + 1);
    try {
      IndexMeta meta = ParseSealed(bytes, ParseMeta);
      bool updated = false;
      for (auto& record : meta.files) {
        const std::string file = segment + record.name;
        if (!damaged.contains(file)) continue;
        record.size = files.at(file).size();
        record.checksum = FooterChecksum(files.at(file));
        updated = true;
      }
      if (!updated) continue;
      ReplacePayload(bytes, SerializeMeta(meta));
      changed.insert(name);
    } catch (const Error&) {
    }
  }
  std::string& manifest_bytes = files.at(format::kManifestFile.file_name);
  try {
    Manifest manifest = ParseSealed(manifest_bytes, ParseManifest);
    bool updated = false;
    for (SegmentRecord& record : manifest.segments) {
      const std::string meta = record.name + "/" + meta_name;
      if (changed.contains(meta)) {
        record.meta_checksum = FooterChecksum(files.at(meta));
        updated = true;
      }
      if (changed.contains(record.deletes_name)) {
        record.deletes_checksum = FooterChecksum(files.at(record.deletes_name));
        updated = true;
      }
    }
    if (updated) ReplacePayload(manifest_bytes, SerializeManifest(manifest));
  } catch (const Error&) {
  }
}

}  // namespace fathom::testing
