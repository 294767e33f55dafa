// Fuzzes the TREC SGML splitter: any bytes give documents with a non-empty,
// trimmed id and warnings naming the file, never a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "indexer/corpus/trec_sgml.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto docs = fathom::ParseTrecSgml(text, "fuzz.sgml", [](const std::string& w) {
    if (!w.starts_with("fuzz.sgml: byte ")) std::abort();
  });
  for (const auto& doc : docs) {
    if (doc.id.empty() || doc.id.front() == ' ' || doc.id.back() == ' ') std::abort();
    if (doc.id.size() + doc.title.size() + doc.body.size() > 3 * size + 16) std::abort();
  }
  return 0;
}
