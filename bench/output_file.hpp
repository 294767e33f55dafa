// Output of the generators: a file, or stdout.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace fathom::bench {

// Where generated text goes: a file, or stdout for "" and "-". Buffered by
// the caller; Write() throws fathom::IoError when the disk refuses.
class OutputFile {
 public:
  explicit OutputFile(const std::string& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void Write(std::string_view data);
  // Flushes and checks for a late write error (a full disk shows up here).
  void Close();

 private:
  std::string path_;
  std::FILE* file_;
  bool owned_;
};

}  // namespace fathom::bench
