// UTF-8 decoding and repair.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace fathom::utf8 {

inline constexpr char32_t kReplacementChar = 0xFFFD;

// Decodes the code point starting at text[pos]. On a malformed or truncated
// sequence returns kReplacementChar and a length of 1, so a caller always
// makes progress. Overlong forms and surrogates count as malformed.
struct Decoded {
  char32_t code_point;
  std::size_t length;  // bytes consumed, >= 1
  bool valid;
};
Decoded DecodeAt(std::string_view text, std::size_t pos) noexcept;

// Appends the UTF-8 encoding of a valid code point.
void Append(std::string& out, char32_t code_point);

bool IsValid(std::string_view text) noexcept;

// Replaces every malformed sequence with U+FFFD. Returns the number of
// replacements made (0 when the text was already valid and left untouched).
std::size_t Repair(std::string& text);

// Largest prefix length <= max_bytes that does not split a code point.
std::size_t TruncationPoint(std::string_view text, std::size_t max_bytes) noexcept;

}  // namespace fathom::utf8
