// Parser for one JSON Lines record: a single JSON object per line, parsed by simdjson (its
// On-Demand API) with our glue for columns, messages, the depth limit and UTF-8 repair.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fathom {

// What a member's value was in the JSON text.
enum class JsonKind : std::uint8_t { kNull, kString, kNumber, kBoolean, kArray, kObject };

// One top-level member of a JSON Lines record, with its value as text.
struct JsonMember {
  JsonKind kind = JsonKind::kNull;
  std::string name;
  std::string value;  // string: unescaped UTF-8; number/true/false: their literal text; null:
                      // empty; array whose elements are all strings/numbers: elements joined with
                      // "\n"; object or array containing objects/arrays: empty and is_text ==
                      // false. In a text array, true/false join as their literal text and null
                      // elements are left out, matching how the same values read as whole members.
  bool is_text = false;  // false for null, objects and nested arrays (a caller treats these as
                         // absent)
};

struct JsonParseResult {
  bool ok = false;
  // 1-based byte column of the error when !ok: the offending byte, line.size() + 1 when the line
  // ends too early, or the opening quote of an unterminated string.
  std::size_t column = 0;
  std::string error;  // e.g. "expected ':' after member name" (no file/line: the caller adds them)
  // Invalid UTF-8 sequences replaced by U+FFFD inside strings. Only text the caller receives is
  // counted: strings inside skipped objects and nested arrays are validated but not decoded.
  std::size_t repaired_utf8 = 0;
};

// Parses one line holding a single JSON object (RFC 8259). Replaces `members` with the object's
// top-level members in order. Leading/trailing whitespace allowed; anything else after the object
// is an error. Never throws on bad input; never recurses deeper than kMaxJsonDepth (nesting
// deeper than that is an error, not a crash); never allocates more than O(line size). When a
// line has several errors, the first in reading order is reported.
//
// Thread-safe: each thread keeps its own simdjson parser and padded copy of the line, reused
// across lines (a parser that grew past 16 MiB for a long line is released after it).
//
// On error `members` is left empty. The strings of existing elements are reused, so a caller that
// keeps one vector across lines avoids an allocation per member per line.
inline constexpr std::size_t kMaxJsonDepth = 512;
JsonParseResult ParseJsonLine(std::string_view line, std::vector<JsonMember>& members);

}  // namespace fathom
