// Writing JSON strings: the one escaping routine behind every JSON Fathom
// writes (search results, benchmark reports, generated corpora).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace fathom {

// Appends text as the contents of a JSON string (without the quotes):
// quote, backslash and control characters escaped; UTF-8 passed through.
inline void AppendJsonEscaped(std::string_view text, std::string& out) {
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
}

inline std::string JsonEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  AppendJsonEscaped(text, out);
  return out;
}

}  // namespace fathom
