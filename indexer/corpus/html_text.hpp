// The text of an HTML or XHTML document, as a person reads it: parsed by
// gumbo (Google's HTML5 parser, Debian libgumbo-dev), which decodes entities
// and repairs markup as browsers do. Script, style, template, noscript,
// comments and the head (except the title) are dropped; a block element
// ends a paragraph (a blank line, which the analyzer's positions honour, so
// no phrase runs from one block into the next) and <br> ends a line.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace fathom {

// HTML larger than this is not parsed (gumbo's tree takes several times the
// input's size): such a file is skipped with a warning and counted.
inline constexpr std::size_t kMaxHtmlBytes = std::size_t{64} << 20;

// Deeper nesting is not parsed either: gumbo's time and memory grow with
// the square of the depth (10,000 nested elements: 13 s and 3 GB here), and
// real pages stay far below this (browsers cap theirs at a few hundred).
inline constexpr std::size_t kMaxHtmlDepth = 1000;

// Whether elements nest deeper than `depth`, by a linear scan of the tags
// (void elements, elements whose end tag may be left out, and the contents
// of script, style, textarea and title do not nest). An estimate for the
// guard above, never used to read the text.
bool NestsDeeperThan(std::string_view html, std::size_t depth);

struct HtmlText {
  std::string title;  // <title>, or else the first <h1>; one line
  std::string body;   // the visible text: lines joined by '\n', blocks by a blank line
};

// Whether a file is HTML: by name (.html, .htm, .xhtml, .shtml) or by
// content (its first non-blank bytes are a doctype or an <html> tag,
// possibly after an XML declaration), whatever its name.
bool IsHtml(const std::filesystem::path& path, std::string_view content);

// The charset the document declares: a UTF-8 byte order mark, or <meta
// charset=...> / <meta http-equiv="Content-Type" content="...; charset=...">
// within its first 4 KiB. Lowercase; empty when nothing is declared.
std::string DeclaredCharset(std::string_view html);

// Converts `html` from `charset` to UTF-8 in place (iconv). Returns false,
// leaving it unchanged, when iconv does not know the charset. Bytes that do
// not convert are dropped (then counted by the caller's UTF-8 repair).
bool ConvertToUtf8(std::string& html, const std::string& charset);

// REQUIRES: html.size() <= kMaxHtmlBytes and !NestsDeeperThan(html,
// kMaxHtmlDepth). Never fails: any bytes give some
// text (possibly empty). The result may hold invalid UTF-8 if the input did.
HtmlText ExtractHtmlText(std::string_view html);

}  // namespace fathom
