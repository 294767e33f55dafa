#include "bench/output_file.hpp"

#include <cerrno>
#include <cstring>

#include "common/error.hpp"

namespace fathom::bench {

OutputFile::OutputFile(const std::string& path)
    : path_(path.empty() || path == "-" ? "stdout" : path),
      file_(path.empty() || path == "-" ? stdout : std::fopen(path.c_str(), "wb")),
      owned_(file_ != stdout) {
  if (file_ == nullptr) throw IoError(path + ": cannot create: " + std::strerror(errno));
}

OutputFile::~OutputFile() {
  if (owned_ && file_ != nullptr) std::fclose(file_);
}

void OutputFile::Write(std::string_view data) {
  if (std::fwrite(data.data(), 1, data.size(), file_) != data.size()) {
    throw IoError(path_ + ": write failed: " + std::strerror(errno));
  }
}

void OutputFile::Close() {
  if (file_ == nullptr) return;
  const bool failed = owned_ ? std::fclose(file_) != 0 : std::fflush(file_) != 0;
  file_ = owned_ ? nullptr : file_;
  if (failed) throw IoError(path_ + ": write failed: " + std::strerror(errno));
}

}  // namespace fathom::bench
