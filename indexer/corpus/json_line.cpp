// ParseJsonLine on simdjson's On-Demand API. simdjson does the parsing: it finds the tokens,
// checks the structure, unescapes strings and validates numbers, literals and UTF-8. What is ours
// is glue: turning the record's members into JsonMembers, telling which byte an error is at and
// in words (simdjson gives a code and the token it stopped at), the depth limit, and the repairs
// simdjson refuses to make (invalid UTF-8 and lone surrogate escapes become U+FFFD).
//
// A line is parsed once as it is. Only when simdjson refuses it for something a repair or a
// closer look can explain (its first pass failed, or a string did not unescape) is it parsed a
// second time, from a copy with invalid UTF-8, lone surrogates and control characters in strings
// replaced and an unclosed last string closed; errors found in the copy are mapped back to the
// line's own columns.
#include "indexer/corpus/json_line.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/analysis/utf8.hpp"

namespace fathom {
namespace {

namespace od = simdjson::ondemand;

constexpr std::size_t kNone = std::string_view::npos;
// Depth of the record object itself; its members' containers are one deeper.
constexpr std::size_t kRecordDepth = 1;
// simdjson keeps about 7 bytes per byte of the longest line it has parsed (structural indexes
// and a string buffer); after a longer line than this a thread's parser gives that memory back.
constexpr std::size_t kKeptCapacity = std::size_t{16} << 20;
// U+FFFD as UTF-8, and as the \u escape that replaces a lone surrogate (same length: columns
// after it do not move).
constexpr std::string_view kReplacementUtf8 = "\xEF\xBF\xBD";
constexpr std::string_view kReplacementEscape = "\\uFFFD";

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsStructural(char c) {
  return c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The 4 hex digits at text[pos], or -1.
long Hex4At(std::string_view text, std::size_t pos) {
  if (pos + 4 > text.size()) return -1;
  long value = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const int digit = HexValue(text[pos + i]);
    if (digit < 0) return -1;
    value = (value << 4) | digit;
  }
  return value;
}

bool IsHighSurrogate(long unit) { return unit >= 0xD800 && unit <= 0xDBFF; }
bool IsLowSurrogate(long unit) { return unit >= 0xDC00 && unit <= 0xDFFF; }

// The bytes simdjson parses: the line or its repaired copy, then SIMDJSON_PADDING spaces. Spaces,
// not zeros: simdjson reads the byte after a number or literal, which for the last token of the
// line is the first padding byte.
struct Input {
  std::string bytes;     // text and padding
  std::size_t size = 0;  // without the padding
  std::size_t line = 0;  // size of the line itself
  // Repaired copies only: offsets in `bytes` of each U+FFFD substitution, ascending, and of
  // those that widened one invalid byte to 3.
  std::vector<std::size_t> repairs;
  std::vector<std::size_t> widened;
  // Found while copying, as offsets in the line: the first control character inside a string and
  // the opening quote of a string still open at the end of the line.
  std::size_t first_control = kNone;
  std::size_t unclosed_quote = kNone;

  void Pad() {
    size = bytes.size();
    bytes.append(simdjson::SIMDJSON_PADDING, ' ');
  }

  void Load(std::string_view text) {
    bytes.assign(text);
    line = text.size();
    repairs.clear();
    widened.clear();
    first_control = kNone;
    unclosed_quote = kNone;
    Pad();
  }

  // The repaired copy described at the top of this file.
  void LoadRepaired(std::string_view text);

  // The line's offset for an offset in `bytes`; past the line's end is its end.
  std::size_t LineOffset(std::size_t at) const {
    const auto after = std::upper_bound(widened.begin(), widened.end(), at);
    const std::size_t before = static_cast<std::size_t>(after - widened.begin());
    std::size_t offset;
    if (before == 0) {
      offset = at;
    } else if (at < widened[before - 1] + kReplacementUtf8.size()) {
      offset = widened[before - 1] - 2 * (before - 1);  // inside a U+FFFD: its invalid byte
    } else {
      offset = at - 2 * before;
    }
    return std::min(offset, line);
  }

  std::size_t RepairsIn(std::size_t from, std::size_t to) const {
    if (repairs.empty()) return 0;
    return static_cast<std::size_t>(std::lower_bound(repairs.begin(), repairs.end(), to) -
                                    std::lower_bound(repairs.begin(), repairs.end(), from));
  }
};

void Input::LoadRepaired(std::string_view text) {
  bytes.clear();
  bytes.reserve(text.size() + text.size() / 8 + simdjson::SIMDJSON_PADDING + 2);
  line = text.size();
  repairs.clear();
  widened.clear();
  first_control = kNone;
  unclosed_quote = kNone;
  // Strings are told apart as simdjson's first pass does: a quote opens or closes one unless
  // an odd run of backslashes comes before it.
  bool in_string = false;
  bool escaped = false;
  std::size_t quote = kNone;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      const utf8::Decoded decoded = utf8::DecodeAt(text, i);
      if (decoded.valid) {
        bytes.append(text.substr(i, decoded.length));
        i += decoded.length;
      } else {
        repairs.push_back(bytes.size());
        widened.push_back(bytes.size());
        bytes.append(kReplacementUtf8);
        ++i;
      }
      escaped = false;
      continue;
    }
    const bool control = in_string && static_cast<unsigned char>(c) < 0x20;
    if (control && first_control == kNone) first_control = i;
    if (escaped) {
      escaped = false;
    } else if (c == '\\') {
      const long unit =
          in_string && i + 1 < text.size() && text[i + 1] == 'u' ? Hex4At(text, i + 2) : -1;
      if (unit >= 0) {
        std::size_t length = 6;
        if (IsHighSurrogate(unit) && text.substr(i + 6, 2) == "\\u" &&
            IsLowSurrogate(Hex4At(text, i + 8))) {
          length = 12;  // a pair: simdjson decodes it
        } else if (IsHighSurrogate(unit) || IsLowSurrogate(unit)) {
          repairs.push_back(bytes.size());
          bytes.append(kReplacementEscape);
          i += 6;
          continue;
        }
        bytes.append(text.substr(i, length));
        i += length;
        continue;
      }
      escaped = true;
    } else if (c == '"') {
      in_string = !in_string;
      if (in_string) quote = i;
    }
    bytes.push_back(control ? ' ' : c);
    ++i;
  }
  if (in_string) {
    unclosed_quote = quote;
    // A pending backslash escapes one more backslash, so the quote after it closes the string.
    bytes.append(escaped ? "\\\"" : "\"");
  }
  Pad();
}

// Where a value sits decides what may follow it.
enum class Container { kObject, kArray };

const char* AfterValue(Container in) {
  return in == Container::kObject ? "expected ',' or '}' after member value"
                                  : "expected ',' or ']' after array element";
}

struct Failure {
  std::size_t at = 0;  // offset in Input::bytes
  std::string what;
  bool expected = false;  // "expected ..." errors say so when the line ended there instead
};

// Walks the document simdjson iterates: the record's members into `members`, and every nested
// value visited so that simdjson validates it (On-Demand checks only what is read). Recursion is
// bounded by kMaxJsonDepth.
class Walker {
 public:
  Walker(const Input& input, od::document& document, std::vector<JsonMember>& members)
      : input_(input), base_(input.bytes.data()), document_(document), members_(members) {}

  // True when the record is valid. False with failure() set, or with retry() when simdjson
  // refused a string that a repaired copy may explain (a lone surrogate, in the line as is).
  bool Record();

  const Failure& failure() const { return failure_; }
  bool retry() const { return retry_; }
  std::size_t member_count() const { return member_count_; }
  std::size_t repaired() const { return repaired_; }

 private:
  std::size_t Offset(const char* p) const { return static_cast<std::size_t>(p - base_); }

  // The token simdjson stopped at: after an error, the offending one; the end of the input once
  // it has read every token.
  std::size_t Here() {
    const char* at = nullptr;
    if (document_.current_location().get(at) != simdjson::SUCCESS) return input_.size;
    return std::min(Offset(at), input_.size);
  }

  // The last byte of the token before `at` (there always is one: the record's '{').
  std::size_t PreviousToken(std::size_t at) const {
    while (at > 0 && IsJsonSpace(base_[at - 1])) --at;
    return at == 0 ? 0 : at - 1;
  }

  bool Fail(std::size_t at, std::string what, bool expected = false) {
    failure_ = {at, std::move(what), expected};
    return false;
  }
  bool Expected(std::size_t at, const char* what) { return Fail(at, what, true); }

  JsonMember& NextMember() {
    if (member_count_ == members_.size()) members_.emplace_back();
    JsonMember& member = members_[member_count_++];
    member.name.clear();
    member.value.clear();
    member.is_text = false;
    member.kind = JsonKind::kNull;
    return member;
  }

  bool FieldError(std::size_t at, std::size_t value_end);
  bool ElementError(std::size_t at, std::size_t value_end);
  bool StringError(std::size_t quote);
  std::size_t OpeningQuote(std::size_t close) const;
  bool CheckEscapes(std::size_t quote);
  bool NumberError(std::size_t at, Container in);
  bool LiteralError(std::size_t at, Container in);

  bool MemberValue(JsonMember& member, od::value& value);
  bool TextArray(JsonMember& member, od::value& value);
  bool Scalar(od::value& value, od::json_type type, std::string_view token, Container in,
              std::string* out);
  bool Nested(od::value& value, od::json_type type, std::size_t depth, std::size_t at);
  bool Value(od::value& value, std::size_t depth, Container in, std::size_t& value_end);

  const Input& input_;
  const char* base_;
  od::document& document_;
  std::vector<JsonMember>& members_;
  std::size_t member_count_ = 0;
  std::size_t repaired_ = 0;
  bool retry_ = false;
  Failure failure_;
};

// An object's next member could not be read: simdjson stopped at `at`, the token where a
// ',' or '}', a member name or a ':' belonged; the token before it tells which.
bool Walker::FieldError(std::size_t at, std::size_t value_end) {
  if (at == value_end) return Expected(at, AfterValue(Container::kObject));
  const std::size_t previous = PreviousToken(at);
  if (base_[previous] == ',' && at < input_.size && base_[at] == '}') {
    return Fail(previous, "trailing comma before '}'");
  }
  if (base_[previous] == '{' || base_[previous] == ',') {
    return Expected(at, "expected member name string");
  }
  // simdjson checks the ':' before the name is unescaped: a bad escape in the name comes first.
  if (base_[previous] == '"') {
    const std::size_t quote = OpeningQuote(previous);
    if (quote != kNone && !CheckEscapes(quote)) return false;
  }
  return Expected(at, "expected ':' after member name");
}

bool Walker::ElementError(std::size_t at, std::size_t value_end) {
  if (at == value_end) return Expected(at, AfterValue(Container::kArray));
  const std::size_t previous = PreviousToken(at);
  if (base_[previous] == ',' && at < input_.size && base_[at] == ']') {
    return Fail(previous, "trailing comma before ']'");
  }
  return Expected(at, "expected a value");
}

// simdjson refused to unescape the string whose opening quote is at `quote`.
bool Walker::StringError(std::size_t quote) {
  if (!CheckEscapes(quote)) return false;
  return Fail(quote, "invalid string");  // not expected: simdjson refused what we cannot see
}

// The opening quote of the string whose closing quote is at `close`: the nearest quote before it
// that no odd run of backslashes escapes.
std::size_t Walker::OpeningQuote(std::size_t close) const {
  for (std::size_t i = close; i-- > 0;) {
    if (base_[i] != '"') continue;
    std::size_t backslashes = 0;
    while (backslashes < i && base_[i - 1 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return i;
  }
  return kNone;
}

// Finds the first bad escape of the string opening at `quote` and fails there (or asks for a
// retry at a lone surrogate); true when there is none. The string has a closing quote (simdjson's
// first pass checked), so the scan stays inside it.
bool Walker::CheckEscapes(std::size_t quote) {
  const std::string_view text(base_, input_.size);
  for (std::size_t i = quote + 1; i < input_.size && text[i] != '"'; ++i) {
    if (text[i] != '\\') continue;
    const char escape = text[i + 1];
    if (escape == 'u') {
      const long unit = Hex4At(text, i + 2);
      if (unit < 0) return Fail(i, "invalid \\u escape; expected 4 hex digits");
      if (IsHighSurrogate(unit) || IsLowSurrogate(unit)) {
        // A pair is skipped whole; a lone half is repaired in a second pass.
        if (IsHighSurrogate(unit) && text.substr(i + 6, 2) == "\\u" &&
            IsLowSurrogate(Hex4At(text, i + 8))) {
          i += 11;
          continue;
        }
        retry_ = true;
        return false;
      }
      i += 5;
    } else if (std::string_view("\"\\/bfnrt").find(escape) != std::string_view::npos) {
      ++i;
    } else {
      return Fail(i, "invalid escape sequence in string");
    }
  }
  return true;
}

// simdjson refused the number at `at`. Finds the first byte that breaks JSON's number grammar;
// a number that follows it but is out of a double's range (1e400) is accepted as written.
bool Walker::NumberError(std::size_t at, Container in) {
  std::size_t i = at;
  if (base_[i] == '-') {
    ++i;
    if (!IsDigit(base_[i])) return Expected(i, "expected digit after '-'");
  }
  if (base_[i] == '0') {
    ++i;
    if (IsDigit(base_[i])) return Fail(i, "leading zero in number");
  } else {
    while (IsDigit(base_[i])) ++i;
  }
  if (base_[i] == '.') {
    ++i;
    if (!IsDigit(base_[i])) return Expected(i, "expected digit after '.' in number");
    while (IsDigit(base_[i])) ++i;
  }
  if (base_[i] == 'e' || base_[i] == 'E') {
    ++i;
    if (base_[i] == '+' || base_[i] == '-') ++i;
    if (!IsDigit(base_[i])) return Expected(i, "expected digit in number exponent");
    while (IsDigit(base_[i])) ++i;
  }
  if (i < input_.size && !IsJsonSpace(base_[i]) && !IsStructural(base_[i])) {
    return Expected(i, AfterValue(in));
  }
  return true;
}

bool Walker::LiteralError(std::size_t at, Container in) {
  const std::string_view literal = base_[at] == 't' ? "true" : base_[at] == 'f' ? "false" : "null";
  // The padding after the line makes reading a literal's length past `at` safe.
  if (std::string_view(base_ + at, literal.size()) == literal) {
    return Expected(at + literal.size(), AfterValue(in));  // e.g. "truex"
  }
  return Fail(at, "invalid literal; expected true, false or null");
}

bool Walker::Record() {
  od::value root;
  od::object record;
  if (document_.get_value().get(root) != simdjson::SUCCESS ||
      root.get_object().get(record) != simdjson::SUCCESS) {
    return Fail(Here(), "expected '{' at start of record");
  }
  std::size_t value_end = kNone;
  for (auto result : record) {
    od::field field;
    if (std::move(result).get(field) != simdjson::SUCCESS) return FieldError(Here(), value_end);
    JsonMember& member = NextMember();
    od::value& value = field.value();
    const std::size_t key_quote = Offset(field.key().raw()) - 1;
    const std::size_t value_start = Offset(value.raw_json_token().data());
    std::string_view name;
    if (field.unescaped_key().get(name) != simdjson::SUCCESS) return StringError(key_quote);
    member.name.assign(name);
    repaired_ += input_.RepairsIn(key_quote, value_start);
    if (!MemberValue(member, value)) return false;
    value_end = member.kind == JsonKind::kObject || member.kind == JsonKind::kArray
                    ? Here()
                    : value_start + value.raw_json_token().size();
  }
  const std::size_t after = Here();
  if (after < input_.size) return Fail(after, "unexpected characters after record");
  return true;
}

bool Walker::MemberValue(JsonMember& member, od::value& value) {
  od::json_type type;
  if (value.type().get(type) != simdjson::SUCCESS) return Expected(Here(), "expected a value");
  const std::string_view token = value.raw_json_token();
  switch (type) {
    case od::json_type::object:
      member.kind = JsonKind::kObject;
      return Nested(value, type, kRecordDepth + 1, Offset(token.data()));
    case od::json_type::array:
      member.kind = JsonKind::kArray;
      return TextArray(member, value);
    case od::json_type::string:
      member.kind = JsonKind::kString;
      repaired_ += input_.RepairsIn(Offset(token.data()), Offset(token.data()) + token.size());
      break;
    case od::json_type::number:
      member.kind = JsonKind::kNumber;
      break;
    case od::json_type::boolean:
      member.kind = JsonKind::kBoolean;
      break;
    case od::json_type::null:
      member.kind = JsonKind::kNull;
      break;
  }
  member.is_text = type != od::json_type::null;
  return Scalar(value, type, token, Container::kObject, &member.value);
}

// A member array of scalars becomes searchable text (e.g. a list of tags); anything structured
// inside it makes the whole member opaque, though it is still validated.
bool Walker::TextArray(JsonMember& member, od::value& value) {
  od::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS)
    return Expected(Here(), "expected a value");
  bool is_text = true;
  bool first_text = true;
  std::size_t repairs = 0;
  std::size_t value_end = kNone;
  for (auto result : array) {
    od::value element;
    od::json_type type;
    if (std::move(result).get(element) != simdjson::SUCCESS ||
        element.type().get(type) != simdjson::SUCCESS) {
      return ElementError(Here(), value_end);
    }
    const std::string_view token = element.raw_json_token();
    if (type == od::json_type::object || type == od::json_type::array) {
      is_text = false;
      member.value.clear();
      if (!Nested(element, type, kRecordDepth + 2, Offset(token.data()))) return false;
      value_end = Here();
      continue;
    }
    std::string* out = nullptr;
    if (is_text && type != od::json_type::null) {
      if (!first_text) member.value.push_back('\n');
      first_text = false;
      out = &member.value;
      if (type == od::json_type::string) {
        repairs += input_.RepairsIn(Offset(token.data()), Offset(token.data()) + token.size());
      }
    }
    if (!Scalar(element, type, token, Container::kArray, out)) return false;
    value_end = Offset(token.data()) + token.size();
  }
  member.is_text = is_text;
  if (is_text) repaired_ += repairs;
  return true;
}

// Validates a scalar and appends its text to `out` when given: a string unescaped, a number or
// literal as written (numbers are tokens to the index: converting would only lose precision and
// the author's spelling), nothing for null. `token` is simdjson's raw token: the value as
// written and the whitespace after it.
bool Walker::Scalar(od::value& value, od::json_type type, std::string_view token, Container in,
                    std::string* out) {
  const std::size_t at = Offset(token.data());
  switch (type) {
    case od::json_type::string: {
      std::string_view text;
      if (value.get_string().get(text) != simdjson::SUCCESS) return StringError(at);
      if (out != nullptr) out->append(text);
      return true;
    }
    case od::json_type::number: {
      double ignored;
      if (value.get_double().get(ignored) != simdjson::SUCCESS && !NumberError(at, in)) {
        return false;
      }
      while (!token.empty() && IsJsonSpace(token.back())) token.remove_suffix(1);
      if (out != nullptr) out->append(token);
      return true;
    }
    case od::json_type::boolean: {
      bool truth;
      if (value.get_bool().get(truth) != simdjson::SUCCESS) return LiteralError(at, in);
      if (out != nullptr) out->append(truth ? "true" : "false");
      return true;
    }
    case od::json_type::null: {
      bool is_null = false;
      if (value.is_null().get(is_null) != simdjson::SUCCESS || !is_null) {
        return LiteralError(at, in);
      }
      return true;
    }
    default:
      return Expected(at, "expected a value");
  }
}

// Validates the object or array `value` at `depth` (it starts at `at`) and everything in it.
bool Walker::Nested(od::value& value, od::json_type type, std::size_t depth, std::size_t at) {
  if (depth > kMaxJsonDepth) {
    return Fail(at, "nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  std::size_t value_end = kNone;
  if (type == od::json_type::object) {
    od::object object;
    if (value.get_object().get(object) != simdjson::SUCCESS) return Fail(at, "invalid object");
    for (auto result : object) {
      od::field field;
      if (std::move(result).get(field) != simdjson::SUCCESS) return FieldError(Here(), value_end);
      const std::size_t key_quote = Offset(field.key().raw()) - 1;  // before the key is consumed
      std::string_view ignored;
      if (field.unescaped_key().get(ignored) != simdjson::SUCCESS) return StringError(key_quote);
      if (!Value(field.value(), depth + 1, Container::kObject, value_end)) return false;
    }
    return true;
  }
  od::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS) return Fail(at, "invalid array");
  for (auto result : array) {
    od::value element;
    if (std::move(result).get(element) != simdjson::SUCCESS) {
      return ElementError(Here(), value_end);
    }
    if (!Value(element, depth + 1, Container::kArray, value_end)) return false;
  }
  return true;
}

// Validates any value inside a nested container; `depth` is its own if it is one.
bool Walker::Value(od::value& value, std::size_t depth, Container in, std::size_t& value_end) {
  od::json_type type;
  if (value.type().get(type) != simdjson::SUCCESS) {
    return in == Container::kObject ? Expected(Here(), "expected a value")
                                    : ElementError(Here(), value_end);
  }
  const std::string_view token = value.raw_json_token();
  if (type == od::json_type::object || type == od::json_type::array) {
    if (!Nested(value, type, depth, Offset(token.data()))) return false;
    value_end = Here();
    return true;
  }
  if (!Scalar(value, type, token, in, nullptr)) return false;
  value_end = Offset(token.data()) + token.size();
  return true;
}

// One per thread: simdjson's parser is costly to create and keeps its buffers between lines, and
// so does the padded copy of the line.
class LineParser {
 public:
  JsonParseResult Parse(std::string_view line, std::vector<JsonMember>& members);

 private:
  enum class Outcome { kOk, kFailed, kRetry };
  Outcome Walk(const Input& input, std::vector<JsonMember>& members, JsonParseResult& result);
  void Report(const Input& input, std::size_t at, std::string what, bool expected,
              JsonParseResult& result) const;

  od::parser parser_;
  Input input_;
  simdjson::error_code first_pass_ = simdjson::SUCCESS;
};

void LineParser::Report(const Input& input, std::size_t at, std::string what, bool expected,
                        JsonParseResult& result) const {
  const std::size_t offset = input.LineOffset(at);
  result.ok = false;
  result.column = offset + 1;
  result.error =
      expected && offset >= input.line ? "unexpected end of line; " + what : std::move(what);
}

LineParser::Outcome LineParser::Walk(const Input& input, std::vector<JsonMember>& members,
                                     JsonParseResult& result) {
  od::document document;
  first_pass_ = parser_.iterate(input.bytes.data(), input.size, input.bytes.size()).get(document);
  if (first_pass_ != simdjson::SUCCESS) return Outcome::kRetry;
  Walker walker(input, document, members);
  if (walker.Record()) {
    members.resize(walker.member_count());
    result.ok = true;
    result.column = 0;
    result.error.clear();
    result.repaired_utf8 = walker.repaired();
    return Outcome::kOk;
  }
  if (walker.retry()) return Outcome::kRetry;
  const Failure& failure = walker.failure();
  Report(input, failure.at, failure.what, failure.expected, result);
  return Outcome::kFailed;
}

JsonParseResult LineParser::Parse(std::string_view line, std::vector<JsonMember>& members) {
  JsonParseResult result;
  std::size_t start = 0;
  while (start < line.size() && IsJsonSpace(line[start])) ++start;
  Outcome outcome = Outcome::kFailed;
  if (start == line.size() || line[start] != '{') {
    result.column = start + 1;
    result.error = "expected '{' at start of record";
  } else {
    input_.Load(line);
    outcome = Walk(input_, members, result);
    if (outcome == Outcome::kRetry) {
      input_.LoadRepaired(line);
      outcome = Walk(input_, members, result);
      // Of the errors in the line, the first in reading order is reported, as a reader meets
      // them: a control character where it stands, an unclosed string at the end of the line
      // (at its opening quote), or what simdjson found in the repaired copy.
      const std::size_t control = input_.first_control;
      const std::size_t quote = input_.unclosed_quote;
      const std::size_t parsed_at =
          outcome == Outcome::kFailed ? std::min(result.column - 1, line.size()) : kNone;
      if (control != kNone && control < parsed_at) {
        result.column = control + 1;
        result.error = "control character in string; it must be escaped";
        outcome = Outcome::kFailed;
      } else if (quote != kNone && (parsed_at == kNone || parsed_at == line.size())) {
        result.column = quote + 1;
        result.error = "unterminated string";
        outcome = Outcome::kFailed;
      } else if (outcome == Outcome::kRetry) {
        // simdjson refused even the repaired copy, for a reason it gives no place for.
        result.column = start + 1;
        result.error = std::string("invalid record: ") + simdjson::error_message(first_pass_);
        outcome = Outcome::kFailed;
      }
    }
  }
  if (outcome != Outcome::kOk) {
    // Partial members would look like a valid record to a careless caller.
    members.clear();
    result.ok = false;
    result.repaired_utf8 = 0;
  }
  if (parser_.capacity() > kKeptCapacity) {
    parser_ = od::parser();
    input_ = Input();
  }
  return result;
}

}  // namespace

JsonParseResult ParseJsonLine(std::string_view line, std::vector<JsonMember>& members) {
  thread_local LineParser parser;
  return parser.Parse(line, members);
}

}  // namespace fathom
