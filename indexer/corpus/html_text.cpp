#include "indexer/corpus/html_text.hpp"

#include <gumbo.h>
#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <vector>

#include "common/contract.hpp"

namespace fathom {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Elements whose text nobody reads on the page.
bool IsHidden(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_HEAD:  // its <title> is read on its own
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_MATH:
      return true;
    default:
      return false;
  }
}

// Elements that start and end a line of their own.
bool IsBlock(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_BODY:
    case GUMBO_TAG_BR:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_HGROUP:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_OPTION:
    case GUMBO_TAG_P:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_UL:
      return true;
    default:
      return false;
  }
}

// Text with runs of white space collapsed to one space and lines trimmed,
// as a browser lays it out; Break() ends the current line.
class TextSink {
 public:
  void Append(std::string_view text) {
    for (const char c : text) {
      if (IsSpace(c)) {
        pending_space_ = !out_.empty() && out_.back() != '\n';
      } else {
        if (pending_space_) out_ += ' ';
        pending_space_ = false;
        out_ += c;
      }
    }
  }
  void Break() {
    pending_space_ = false;
    if (!out_.empty() && out_.back() != '\n') out_ += '\n';
  }
  // Ends the current block with a blank line: the analyzer's paragraph
  // break, so that no phrase runs from one block into the next.
  void EndBlock() {
    Break();
    if (!out_.empty() && !out_.ends_with("\n\n")) out_ += '\n';
  }
  // A block boundary for tag, or a line break for <br>.
  void BreakFor(GumboTag tag) {
    if (tag == GUMBO_TAG_BR) {
      Break();
    } else if (IsBlock(tag)) {
      EndBlock();
    }
  }
  std::string Take() {
    while (!out_.empty() && out_.back() == '\n') out_.pop_back();
    return std::move(out_);
  }

 private:
  std::string out_;
  bool pending_space_ = false;
};

std::string CharsetAt(std::string_view lower, std::size_t at) {
  std::size_t start = at;
  while (start < lower.size() &&
         (lower[start] == '"' || lower[start] == '\'' || IsSpace(lower[start]))) {
    ++start;
  }
  std::size_t end = start;
  while (end < lower.size() &&
         (std::isalnum(static_cast<unsigned char>(lower[end])) || lower[end] == '-' ||
          lower[end] == '_' || lower[end] == ':' || lower[end] == '.')) {
    ++end;
  }
  return std::string(lower.substr(start, end - start));
}

// Elements that never hold others, or whose end tag the parser supplies
// when the next one starts: neither nests in practice.
bool DoesNotNest(std::string_view name) {
  static constexpr std::string_view kNames[] = {
      "area",    "base",  "br",     "col",    "embed",    "hr",    "img",   "input", "link",
      "meta",    "param", "source", "track",  "wbr",      "p",     "li",    "dt",    "dd",
      "tr",      "td",    "th",     "option", "optgroup", "thead", "tbody", "tfoot", "colgroup",
      "caption", "rb",    "rt",     "rtc",    "rp",       "html",  "head",  "body"};
  return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

}  // namespace

bool NestsDeeperThan(std::string_view html, std::size_t limit) {
  std::size_t depth = 0;
  std::size_t at = html.find('<');
  while (at != std::string_view::npos && at + 1 < html.size()) {
    if (html.substr(at, 4) == "<!--") {
      const std::size_t end = html.find("-->", at + 4);
      if (end == std::string_view::npos) return false;
      at = html.find('<', end + 3);
      continue;
    }
    const std::size_t close = html.find('>', at + 1);
    if (close == std::string_view::npos) return false;
    const bool end_tag = html[at + 1] == '/';
    std::size_t name_start = at + (end_tag ? 2 : 1);
    std::size_t name_end = name_start;
    while (name_end < close && std::isalnum(static_cast<unsigned char>(html[name_end]))) {
      ++name_end;
    }
    if (name_end > name_start && std::isalpha(static_cast<unsigned char>(html[name_start]))) {
      const std::string name = Lower(html.substr(name_start, name_end - name_start));
      if (end_tag) {
        if (!DoesNotNest(name) && depth > 0) --depth;
      } else if (name == "script" || name == "style" || name == "textarea" || name == "title") {
        // Raw text: no tags inside until its end tag.
        const std::string lower_end = "</" + name;
        std::size_t end = close;
        while (end != std::string_view::npos) {
          end = html.find("</", end);
          if (end == std::string_view::npos) return false;
          if (Lower(html.substr(end, lower_end.size())) == lower_end) break;
          end += 2;
        }
        at = html.find('<', end + 2);
        continue;
      } else if (html[close - 1] != '/' && !DoesNotNest(name) && ++depth > limit) {
        return true;
      }
    }
    at = html.find('<', close + 1);
  }
  return false;
}

bool IsHtml(const std::filesystem::path& path, std::string_view content) {
  const std::string extension = Lower(path.extension().string());
  if (extension == ".html" || extension == ".htm" || extension == ".xhtml" ||
      extension == ".shtml") {
    return true;
  }
  std::size_t at = 0;
  if (content.starts_with("\xEF\xBB\xBF")) at = 3;
  while (at < content.size() && IsSpace(content[at])) ++at;
  std::string head = Lower(content.substr(at, 512));
  if (head.starts_with("<?xml")) {
    // An XHTML document: the XML declaration, then its doctype or root.
    const std::size_t end = head.find("?>");
    if (end == std::string::npos) return false;
    std::size_t next = end + 2;
    while (next < head.size() && IsSpace(head[next])) ++next;
    head.erase(0, next);
  }
  return head.starts_with("<!doctype html") || head.starts_with("<html");
}

std::string DeclaredCharset(std::string_view html) {
  if (html.starts_with("\xEF\xBB\xBF")) return "utf-8";
  const std::string lower = Lower(html.substr(0, 4096));
  for (std::size_t meta = lower.find("<meta"); meta != std::string::npos;
       meta = lower.find("<meta", meta + 5)) {
    const std::size_t end = lower.find('>', meta);
    const std::string_view tag = std::string_view(lower).substr(
        meta, end == std::string::npos ? std::string::npos : end - meta);
    const std::size_t charset = tag.find("charset");
    if (charset == std::string_view::npos) continue;
    std::size_t value = charset + 7;
    while (value < tag.size() && IsSpace(tag[value])) ++value;
    if (value >= tag.size() || tag[value] != '=') continue;
    const std::string name = CharsetAt(tag, value + 1);
    if (!name.empty()) return name;
  }
  return "";
}

bool ConvertToUtf8(std::string& html, const std::string& charset) {
  const iconv_t converter = ::iconv_open("UTF-8", charset.c_str());
  if (converter == reinterpret_cast<iconv_t>(-1)) return false;
  std::string out;
  out.resize(html.size() * 2 + 16);
  char* in_ptr = html.data();
  std::size_t in_left = html.size();
  char* out_ptr = out.data();
  std::size_t out_left = out.size();
  while (in_left > 0) {
    const std::size_t done = ::iconv(converter, &in_ptr, &in_left, &out_ptr, &out_left);
    if (done != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) {
      const std::size_t used = out.size() - out_left;
      out.resize(out.size() * 2);
      out_ptr = out.data() + used;
      out_left = out.size() - used;
    } else {
      // An invalid or truncated sequence: drop a byte and go on.
      ++in_ptr;
      --in_left;
    }
  }
  ::iconv_close(converter);
  out.resize(out.size() - out_left);
  html = std::move(out);
  return true;
}

HtmlText ExtractHtmlText(std::string_view html) {
  FATHOM_REQUIRE(html.size() <= kMaxHtmlBytes, "HTML within kMaxHtmlBytes");
  FATHOM_REQUIRE(!NestsDeeperThan(html, kMaxHtmlDepth), "HTML within kMaxHtmlDepth");
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 100;  // errors are not reported; keeping them costs memory
  GumboOutput* output = gumbo_parse_with_options(&options, html.data(), html.size());
  HtmlText result;
  TextSink body, title, h1;
  bool have_h1 = false;
  // An explicit stack, not recursion: nesting depth is the document's to
  // choose, and a hostile one nests a million elements deep.
  struct Frame {
    const GumboNode* node;
    unsigned next_child;
    TextSink* h1;  // also receiving text: inside the first <h1>
  };
  std::vector<Frame> stack;
  // The first <title>'s text (one RCDATA node) is the title; later ones,
  // like <svg><title>, are not page text.
  const auto read_title = [&](const GumboNode* node) {
    if (!result.title.empty()) return;
    const GumboVector& children = node->v.element.children;
    for (unsigned i = 0; i < children.length; ++i) {
      const auto* child = static_cast<const GumboNode*>(children.data[i]);
      if (child->type == GUMBO_NODE_TEXT || child->type == GUMBO_NODE_WHITESPACE) {
        title.Append(child->v.text.text);
      }
    }
    result.title = title.Take();
  };
  // Handles a node: text goes out, elements worth reading are pushed.
  const auto enter = [&](const GumboNode* node, TextSink* in_h1) {
    switch (node->type) {
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_CDATA:
      case GUMBO_NODE_WHITESPACE:
        body.Append(node->v.text.text);
        if (in_h1 != nullptr) in_h1->Append(node->v.text.text);
        return;
      case GUMBO_NODE_DOCUMENT:
        stack.push_back({node, 0, nullptr});
        return;
      case GUMBO_NODE_ELEMENT:
        break;
      default:  // comments; templates are hidden
        return;
    }
    const GumboTag tag = node->v.element.tag;
    if (tag == GUMBO_TAG_TITLE) {
      read_title(node);
      return;
    }
    if (tag == GUMBO_TAG_HEAD) {
      // The head holds the title; the rest of it is not page text.
      const GumboVector& children = node->v.element.children;
      for (unsigned i = 0; i < children.length; ++i) {
        const auto* child = static_cast<const GumboNode*>(children.data[i]);
        if (child->type == GUMBO_NODE_ELEMENT && child->v.element.tag == GUMBO_TAG_TITLE) {
          read_title(child);
        }
      }
      return;
    }
    if (IsHidden(tag)) return;
    body.BreakFor(tag);
    if (tag == GUMBO_TAG_H1 && !have_h1) {
      have_h1 = true;
      in_h1 = &h1;
    }
    stack.push_back({node, 0, in_h1});
  };
  enter(output->document, nullptr);
  while (!stack.empty()) {
    Frame& frame = stack.back();
    const GumboNode* node = frame.node;
    const GumboVector& children =
        node->type == GUMBO_NODE_DOCUMENT ? node->v.document.children : node->v.element.children;
    if (frame.next_child < children.length) {
      const auto* child = static_cast<const GumboNode*>(children.data[frame.next_child++]);
      enter(child, frame.h1);
      continue;
    }
    if (node->type != GUMBO_NODE_DOCUMENT) body.BreakFor(node->v.element.tag);
    stack.pop_back();
  }
  gumbo_destroy_output(&options, output);
  result.body = body.Take();
  if (result.title.empty()) result.title = h1.Take();
  // A title is one line.
  std::replace(result.title.begin(), result.title.end(), '\n', ' ');
  return result;
}

}  // namespace fathom
