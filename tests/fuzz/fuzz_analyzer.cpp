// Fuzzes the analyzer on arbitrary bytes (it must accept invalid UTF-8):
// tokens lie inside the text, in order, with increasing positions, and terms
// are valid UTF-8 of at most kMaxTermBytes. The first byte picks settings.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/analysis/analyzer.hpp"
#include "common/analysis/utf8.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fathom;
  if (size == 0) return 0;
  static Analyzer english(AnalysisSettings{"english", DefaultStopWords("english")});
  static Analyzer plain(AnalysisSettings{"none", {}});
  static Analyzer russian(AnalysisSettings{"russian", {}});
  Analyzer& analyzer = data[0] % 3 == 0 ? english : data[0] % 3 == 1 ? plain : russian;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::uint32_t first = data[0] >= 128 ? 1000 : 0;
  analyzer.Reset(text, first);
  Token token;
  std::uint32_t previous_position = 0;
  std::uint32_t previous_end = 0;
  bool any = false;
  while (analyzer.Next(token)) {
    if (token.term.empty() || token.term.size() > kMaxTermBytes || !utf8::IsValid(token.term) ||
        token.begin > token.end || token.end > text.size() || token.position < first ||
        (any && token.position <= previous_position) || token.begin < previous_end) {
      std::abort();
    }
    previous_position = token.position;
    previous_end = token.end;
    any = true;
  }
  return 0;
}
