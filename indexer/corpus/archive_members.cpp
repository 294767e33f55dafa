#include "indexer/corpus/archive_members.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <array>

#include "common/error.hpp"

namespace fathom {
namespace {

struct ArchiveFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveFree>;

constexpr std::size_t kBlock = 1 << 16;

// The formats whose entries are files. Others libarchive recognizes (mtree
// manifests, shar scripts, "empty") are text to index, and WARC files are
// read by warc.hpp, which keeps the record headers libarchive drops.
bool IsArchiveFormat(int format) {
  switch (format & ARCHIVE_FORMAT_BASE_MASK) {
    case ARCHIVE_FORMAT_TAR:
    case ARCHIVE_FORMAT_ZIP:
    case ARCHIVE_FORMAT_7ZIP:
    case ARCHIVE_FORMAT_CPIO:
    case ARCHIVE_FORMAT_AR:
    case ARCHIVE_FORMAT_ISO9660:
    case ARCHIVE_FORMAT_RAR:
    case ARCHIVE_FORMAT_RAR_V5:
    case ARCHIVE_FORMAT_CAB:
    case ARCHIVE_FORMAT_LHA:
    case ARCHIVE_FORMAT_XAR:
      return true;
    default:
      return false;
  }
}

std::string ErrorOf(archive* a, const char* fallback) {
  const char* why = archive_error_string(a);
  return why != nullptr ? why : fallback;
}

}  // namespace

struct ArchiveMembers::State {
  ArchivePtr reader;
  archive_entry* entry = nullptr;  // read by Open, not yet handed out
  std::uint64_t counted = 0;       // raw bytes already reported
  bool done = false;
};

ArchiveMembers::ArchiveMembers(std::unique_ptr<State> state) : state_(std::move(state)) {}
ArchiveMembers::~ArchiveMembers() = default;

std::unique_ptr<ArchiveMembers> ArchiveMembers::Open(const std::filesystem::path& path) {
  auto state = std::make_unique<State>();
  state->reader.reset(archive_read_new());
  if (state->reader == nullptr) throw IoError("libarchive: cannot allocate a reader");
  archive* a = state->reader.get();
  archive_read_support_filter_all(a);
  archive_read_support_format_all(a);
  if (archive_read_open_filename(a, path.c_str(), kBlock) != ARCHIVE_OK) {
    // Not an archive (libarchive found no format), or unreadable: the
    // caller reads the file as a single one and reports what it finds.
    return nullptr;
  }
  const int first = archive_read_next_header(a, &state->entry);
  if (first == ARCHIVE_EOF) {
    // An archive with nothing in it is still an archive, when it says so.
    if (!IsArchiveFormat(archive_format(a))) return nullptr;
    state->done = true;
    state->entry = nullptr;
  } else if (first < ARCHIVE_WARN || !IsArchiveFormat(archive_format(a))) {
    return nullptr;
  }
  return std::unique_ptr<ArchiveMembers>(new ArchiveMembers(std::move(state)));
}

bool ArchiveMembers::Next(Member& member, std::uint64_t max_bytes, std::uint64_t& raw_bytes) {
  State& s = *state_;
  archive* a = s.reader.get();
  const auto count_raw = [&] {
    const la_int64_t consumed = archive_filter_bytes(a, -1);
    if (consumed > 0 && static_cast<std::uint64_t>(consumed) > s.counted) {
      raw_bytes += static_cast<std::uint64_t>(consumed) - s.counted;
      s.counted = static_cast<std::uint64_t>(consumed);
    }
  };
  while (!s.done) {
    archive_entry* entry = s.entry;
    s.entry = nullptr;
    if (entry == nullptr) {
      const int r = archive_read_next_header(a, &entry);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) {
        error_ = ErrorOf(a, "damaged archive");
        break;
      }
    }
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    member = Member{};
    const char* name = archive_entry_pathname_utf8(entry);
    if (name == nullptr) name = archive_entry_pathname(entry);
    member.name = name != nullptr && *name != '\0' ? name : "(unnamed)";
    if (archive_entry_is_encrypted(entry)) {
      member.error = "encrypted";
      count_raw();
      return true;
    }
    if (archive_entry_size_is_set(entry) &&
        static_cast<std::uint64_t>(archive_entry_size(entry)) > max_bytes) {
      member.too_large = true;
      count_raw();
      return true;
    }
    std::array<char, kBlock> buffer;
    while (true) {
      const la_ssize_t got = archive_read_data(a, buffer.data(), buffer.size());
      if (got == 0) break;
      if (got < 0) {
        member.error = ErrorOf(a, "damaged data");
        member.bytes.clear();
        if (got == ARCHIVE_FATAL) {
          s.done = true;
          error_ = member.error;
        }
        break;
      }
      if (member.bytes.size() + static_cast<std::size_t>(got) > max_bytes) {
        // The size in the header lied, or there was none: the cap holds.
        member.too_large = true;
        member.bytes.clear();
        member.bytes.shrink_to_fit();
        break;
      }
      member.bytes.append(buffer.data(), static_cast<std::size_t>(got));
    }
    count_raw();
    return true;
  }
  s.done = true;
  count_raw();
  return false;
}

Decompressed DecompressInMemory(std::string_view data, std::uint64_t max_bytes) {
  Decompressed out;
  ArchivePtr reader(archive_read_new());
  if (reader == nullptr) throw IoError("libarchive: cannot allocate a reader");
  archive* a = reader.get();
  archive_read_support_filter_all(a);
  archive_read_support_format_raw(a);
  archive_entry* entry = nullptr;
  if (archive_read_open_memory(a, data.data(), data.size()) != ARCHIVE_OK ||
      archive_read_next_header(a, &entry) != ARCHIVE_OK ||
      archive_filter_code(a, 0) == ARCHIVE_FILTER_NONE) {
    out.bytes = std::string(data);
    return out;
  }
  out.compressed = true;
  std::array<char, kBlock> buffer;
  while (true) {
    const la_ssize_t got = archive_read_data(a, buffer.data(), buffer.size());
    if (got == 0) break;
    if (got < 0) throw InputError("damaged compressed data: " + ErrorOf(a, "unknown error"));
    if (out.bytes.size() + static_cast<std::size_t>(got) > max_bytes) {
      out.too_large = true;
      out.bytes.clear();
      break;
    }
    out.bytes.append(buffer.data(), static_cast<std::size_t>(got));
  }
  return out;
}

bool LooksCompressedOrArchived(std::string_view head) {
  static constexpr std::string_view kMagics[] = {
      "\x1F\x8B",  // gzip
      "BZh",       // bzip2
      {"\xFD"
       "7zXZ\x00",
       6},                   // xz
      "\x28\xB5\x2F\xFD",    // zstd
      "\x04\x22\x4D\x18",    // lz4
      "PK\x03\x04",          // zip
      "PK\x05\x06",          // empty zip
      "7z\xBC\xAF\x27\x1C",  // 7z
      "Rar!\x1A\x07",        // rar
      "!<arch>\n",           // ar
      "070707",
      "070701",
      "070702",  // cpio
      "xar!",    // xar
      "MSCF",    // cab
  };
  for (const std::string_view magic : kMagics) {
    if (head.starts_with(magic)) return true;
  }
  // tar: "ustar" at byte 257.
  return head.size() >= 262 && head.substr(257, 5) == "ustar";
}

}  // namespace fathom
