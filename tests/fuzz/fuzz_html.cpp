// Fuzzes the HTML path of the corpus reader on arbitrary bytes: detection,
// the declared charset and its conversion, the nesting guard and gumbo's
// extraction. The title must be one line; a charset the input declares is
// tried with iconv, as the reader does.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "indexer/corpus/html_text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fathom;
  std::string html(reinterpret_cast<const char*>(data), size);
  (void)IsHtml("page", html);
  const std::string charset = DeclaredCharset(html);
  if (!charset.empty() && charset != "utf-8") (void)ConvertToUtf8(html, charset);
  if (html.size() > kMaxHtmlBytes || NestsDeeperThan(html, kMaxHtmlDepth)) return 0;
  const HtmlText text = ExtractHtmlText(html);
  if (text.title.find('\n') != std::string::npos) std::abort();
  return 0;
}
