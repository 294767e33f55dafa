// Fuzzes the JSON Lines record parser: any bytes give members or an error
// with a column inside the line (or just past it), never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "common/analysis/utf8.hpp"
#include "indexer/corpus/json_line.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  static std::vector<fathom::JsonMember> members;
  const fathom::JsonParseResult result = fathom::ParseJsonLine(line, members);
  if (!result.ok) {
    if (result.column == 0 || result.column > size + 1 || !members.empty()) std::abort();
    return 0;
  }
  for (const auto& member : members) {
    // Text handed to the indexer is always valid UTF-8.
    if (!fathom::utf8::IsValid(member.name) || !fathom::utf8::IsValid(member.value)) std::abort();
  }
  return 0;
}
