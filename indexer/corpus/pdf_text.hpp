// The text of a PDF, through poppler (poppler-cpp): every page's text in
// reading order, pages separated by a blank line, and the title from the
// document's metadata when it has one.
#pragma once

#include <string>
#include <string_view>

namespace fathom {

struct PdfText {
  bool ok = false;
  std::string error;  // when !ok: "encrypted", "damaged or not a PDF"
  std::string title;
  std::string body;
};

// Never throws on bad input: an encrypted or broken PDF is !ok, with why.
PdfText ExtractPdfText(std::string_view bytes);

inline bool LooksLikePdf(std::string_view head) { return head.starts_with("%PDF-"); }

}  // namespace fathom
