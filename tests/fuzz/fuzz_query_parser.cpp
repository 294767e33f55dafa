// Fuzzes query parsing and evaluation: any query text is parsed by the
// searcher's query language and answered over a small index; a syntax error
// is a fathom::Error, never a crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/analysis/analyzer.hpp"
#include "common/error.hpp"
#include "searcher/searcher.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fathom;
  static fuzz::FuzzIndex index;
  static Searcher searcher(index.index());
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    SearchOptions options;
    options.k = 5;
    const SearchResult result = searcher.Search(text, options);
    for (const Hit& hit : result.hits) (void)searcher.snapshot().external_id(hit.doc);
  } catch (const Error&) {
  }
  return 0;
}
