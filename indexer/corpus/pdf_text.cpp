#include "indexer/corpus/pdf_text.hpp"

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>
#include <climits>
#include <memory>
#include <mutex>

namespace fathom {
namespace {

std::string Utf8(const poppler::ustring& text) {
  const poppler::byte_array bytes = text.to_utf8();
  return std::string(bytes.begin(), bytes.end());
}

// Poppler prints what it repairs in damaged files to stderr; the corpus
// reader reports a PDF it cannot read once, itself.
void Quiet(const std::string&, void*) {}

}  // namespace

PdfText ExtractPdfText(std::string_view bytes) {
  static std::once_flag quiet;
  std::call_once(quiet, [] { poppler::set_debug_error_function(&Quiet, nullptr); });
  PdfText out;
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    out.error = "larger than poppler reads (2 GiB)";
    return out;
  }
  std::unique_ptr<poppler::document> document(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (document == nullptr) {
    out.error = "damaged or not a PDF";
    return out;
  }
  if (document->is_locked()) {
    out.error = "encrypted";
    return out;
  }
  out.title = Utf8(document->info_key("Title"));
  const int pages = document->pages();
  for (int i = 0; i < pages; ++i) {
    std::unique_ptr<poppler::page> page(document->create_page(i));
    if (page == nullptr) continue;
    std::string text = Utf8(page->text());
    if (text.empty()) continue;
    if (!out.body.empty()) out.body += "\n\n";
    out.body += text;
  }
  out.ok = true;
  return out;
}

}  // namespace fathom
