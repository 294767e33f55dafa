#include "indexer/corpus/json_line.hpp"

#include <bitset>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/analysis/utf8.hpp"

namespace fathom {
namespace {

// Depth of the record object itself; its members' containers are one deeper.
constexpr std::size_t kRecordDepth = 1;

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsHighSurrogate(char32_t cp) { return cp >= 0xD800 && cp <= 0xDBFF; }
bool IsLowSurrogate(char32_t cp) { return cp >= 0xDC00 && cp <= 0xDFFF; }

enum class ScalarKind { kString, kNumber, kTrue, kFalse, kNull };

class Parser {
 public:
  Parser(std::string_view line, std::vector<JsonMember>& members)
      : line_(line), members_(members) {}

  JsonParseResult Run() {
    if (ParseRecord()) {
      members_.resize(member_count_);
      result_.ok = true;
      result_.column = 0;
    } else {
      // Partial members would look like a valid record to a careless caller.
      members_.clear();
      result_.repaired_utf8 = 0;
    }
    return std::move(result_);
  }

 private:
  bool AtEnd() const { return pos_ >= line_.size(); }
  char Peek() const { return AtEnd() ? '\0' : line_[pos_]; }

  void SkipSpace() {
    while (!AtEnd() && IsJsonSpace(line_[pos_])) ++pos_;
  }

  bool Fail(std::size_t pos, std::string message) {
    result_.ok = false;
    result_.column = pos + 1;
    result_.error = std::move(message);
    return false;
  }

  // A truncated line is the most common malformed record, so it gets its own wording.
  bool Expected(const char* what) {
    if (AtEnd()) return Fail(pos_, std::string("unexpected end of line; ") + what);
    return Fail(pos_, what);
  }

  JsonMember& NextMember() {
    if (member_count_ == members_.size()) members_.emplace_back();
    JsonMember& member = members_[member_count_++];
    member.name.clear();
    member.value.clear();
    member.is_text = false;
    member.kind = JsonKind::kNull;
    return member;
  }

  bool ParseRecord() {
    SkipSpace();
    if (Peek() != '{') return Fail(pos_, "expected '{' at start of record");
    ++pos_;
    SkipSpace();
    if (Peek() == '}') {
      ++pos_;
    } else {
      while (true) {
        SkipSpace();
        if (Peek() != '"') return Expected("expected member name string");
        JsonMember& member = NextMember();
        if (!ParseString(&member.name, &result_.repaired_utf8)) return false;
        SkipSpace();
        if (Peek() != ':') return Expected("expected ':' after member name");
        ++pos_;
        SkipSpace();
        if (!ParseMemberValue(member)) return false;
        SkipSpace();
        if (Peek() == '}') {
          ++pos_;
          break;
        }
        if (Peek() != ',') return Expected("expected ',' or '}' after member value");
        const std::size_t comma = pos_++;
        SkipSpace();
        if (Peek() == '}') return Fail(comma, "trailing comma before '}'");
      }
    }
    SkipSpace();
    if (!AtEnd()) return Fail(pos_, "unexpected characters after record");
    return true;
  }

  bool ParseMemberValue(JsonMember& member) {
    const char c = Peek();
    if (c == '{' || c == '[') {
      if (c == '[') {
        member.kind = JsonKind::kArray;
        return ParseMemberArray(member);
      }
      member.kind = JsonKind::kObject;
      member.is_text = false;
      return SkipContainer(kRecordDepth + 1);
    }
    ScalarKind kind;
    if (!ParseScalar(&member.value, &result_.repaired_utf8, &kind)) return false;
    member.is_text = kind != ScalarKind::kNull;
    member.kind = kind == ScalarKind::kString   ? JsonKind::kString
                  : kind == ScalarKind::kNumber ? JsonKind::kNumber
                  : kind == ScalarKind::kNull   ? JsonKind::kNull
                                                : JsonKind::kBoolean;
    return true;
  }

  // A member array of scalars becomes searchable text (e.g. a list of tags); anything structured
  // inside it makes the whole member opaque.
  bool ParseMemberArray(JsonMember& member) {
    constexpr std::size_t kDepth = kRecordDepth + 1;
    ++pos_;
    bool is_text = true;
    bool first_text = true;
    std::size_t repairs = 0;
    SkipSpace();
    if (Peek() == ']') {
      ++pos_;
      member.is_text = true;
      return true;
    }
    while (true) {
      SkipSpace();
      const char c = Peek();
      if (c == '{' || c == '[') {
        is_text = false;
        member.value.clear();
        if (!SkipContainer(kDepth + 1)) return false;
      } else if (is_text) {
        const std::size_t mark = member.value.size();
        if (!first_text) member.value.push_back('\n');
        ScalarKind kind;
        if (!ParseScalar(&member.value, &repairs, &kind)) return false;
        if (kind == ScalarKind::kNull) {
          member.value.resize(mark);
        } else {
          first_text = false;
        }
      } else {
        ScalarKind kind;
        if (!ParseScalar(nullptr, nullptr, &kind)) return false;
      }
      SkipSpace();
      if (Peek() == ']') {
        ++pos_;
        break;
      }
      if (Peek() != ',') return Expected("expected ',' or ']' after array element");
      const std::size_t comma = pos_++;
      SkipSpace();
      if (Peek() == ']') return Fail(comma, "trailing comma before ']'");
    }
    member.is_text = is_text;
    if (is_text) result_.repaired_utf8 += repairs;
    return true;
  }

  // Validates and skips the object or array at pos_, which sits at `depth`. Iterative with an
  // explicit stack of container kinds so hostile input like 100000 '[' cannot overflow the stack.
  bool SkipContainer(std::size_t depth) {
    enum class State { kAfterOpen, kAfterComma, kValue, kAfterValue };
    std::bitset<kMaxJsonDepth + 1> is_object;
    const std::size_t base = depth;
    State state = State::kValue;
    std::size_t comma = 0;
    --depth;  // The kValue state below opens the container at `base`.
    while (true) {
      SkipSpace();
      if (state == State::kAfterOpen || state == State::kAfterComma) {
        const char closer = is_object[depth] ? '}' : ']';
        if (Peek() == closer) {
          if (state == State::kAfterComma) {
            return Fail(comma, std::string("trailing comma before '") + closer + "'");
          }
          state = State::kAfterValue;
          continue;  // kAfterValue consumes the closer.
        }
        if (is_object[depth]) {
          if (Peek() != '"') return Expected("expected member name string");
          if (!ParseString(nullptr, nullptr)) return false;
          SkipSpace();
          if (Peek() != ':') return Expected("expected ':' after member name");
          ++pos_;
          SkipSpace();
        }
        state = State::kValue;
      }
      if (state == State::kValue) {
        const char c = Peek();
        if (c == '{' || c == '[') {
          if (depth + 1 > kMaxJsonDepth) {
            return Fail(pos_, "nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels");
          }
          ++depth;
          is_object[depth] = c == '{';
          ++pos_;
          state = State::kAfterOpen;
          continue;
        }
        ScalarKind kind;
        if (!ParseScalar(nullptr, nullptr, &kind)) return false;
        state = State::kAfterValue;
        continue;
      }
      // kAfterValue
      const bool in_object = is_object[depth];
      const char closer = in_object ? '}' : ']';
      if (Peek() == closer) {
        ++pos_;
        if (depth == base) return true;
        --depth;
        continue;
      }
      if (Peek() != ',') {
        return Expected(in_object ? "expected ',' or '}' after member value"
                                  : "expected ',' or ']' after array element");
      }
      comma = pos_++;
      state = State::kAfterComma;
    }
  }

  // With a null `out` the scalar is validated and skipped without being decoded.
  bool ParseScalar(std::string* out, std::size_t* repairs, ScalarKind* kind) {
    const char c = Peek();
    if (c == '"') {
      *kind = ScalarKind::kString;
      return ParseString(out, repairs);
    }
    if (c == '-' || IsDigit(c)) {
      *kind = ScalarKind::kNumber;
      return ParseNumber(out);
    }
    if (c == 't') {
      *kind = ScalarKind::kTrue;
      return ParseLiteral("true", out);
    }
    if (c == 'f') {
      *kind = ScalarKind::kFalse;
      return ParseLiteral("false", out);
    }
    if (c == 'n') {
      *kind = ScalarKind::kNull;
      return ParseLiteral("null", nullptr);
    }
    return Expected("expected a value");
  }

  bool ParseLiteral(std::string_view literal, std::string* out) {
    if (line_.substr(pos_, literal.size()) != literal) {
      return Fail(pos_, "invalid literal; expected true, false or null");
    }
    if (out != nullptr) out->append(literal);
    pos_ += literal.size();
    return true;
  }

  // Kept as literal text: the index treats numbers as tokens, so converting would only lose
  // precision and the author's spelling.
  bool ParseNumber(std::string* out) {
    const std::size_t start = pos_;
    if (Peek() == '-') ++pos_;
    if (!IsDigit(Peek())) return Expected("expected digit after '-'");
    if (Peek() == '0') {
      ++pos_;
      if (IsDigit(Peek())) return Fail(pos_, "leading zero in number");
    } else {
      while (IsDigit(Peek())) ++pos_;
    }
    if (Peek() == '.') {
      ++pos_;
      if (!IsDigit(Peek())) return Expected("expected digit after '.' in number");
      while (IsDigit(Peek())) ++pos_;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      ++pos_;
      if (Peek() == '+' || Peek() == '-') ++pos_;
      if (!IsDigit(Peek())) return Expected("expected digit in number exponent");
      while (IsDigit(Peek())) ++pos_;
    }
    if (out != nullptr) out->append(line_.substr(start, pos_ - start));
    return true;
  }

  // Reads 4 hex digits at `pos`, or returns -1.
  long Hex4At(std::size_t pos) const {
    if (pos + 4 > line_.size()) return -1;
    long value = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      const int digit = HexValue(line_[pos + i]);
      if (digit < 0) return -1;
      value = (value << 4) | digit;
    }
    return value;
  }

  // Appends the decoded string to `out` (when non-null), counting U+FFFD substitutions in
  // `repairs`. Unescaped runs are appended whole so a multi-megabyte value costs one pass.
  bool ParseString(std::string* out, std::size_t* repairs) {
    const std::size_t open = pos_++;
    std::size_t run_start = pos_;
    const auto flush = [&] {
      if (out != nullptr) out->append(line_.substr(run_start, pos_ - run_start));
    };
    const auto replace = [&] {
      if (out != nullptr) {
        utf8::Append(*out, utf8::kReplacementChar);
        ++*repairs;
      }
    };
    while (true) {
      if (AtEnd()) return Fail(open, "unterminated string");
      const auto byte = static_cast<unsigned char>(line_[pos_]);
      if (byte == '"') {
        flush();
        ++pos_;
        return true;
      }
      if (byte == '\\') {
        flush();
        if (!ParseEscape(out, open, replace)) return false;
        run_start = pos_;
        continue;
      }
      if (byte < 0x20) {
        return Fail(pos_, "control character in string; it must be escaped");
      }
      if (byte < 0x80 || out == nullptr) {
        ++pos_;
        continue;
      }
      const utf8::Decoded decoded = utf8::DecodeAt(line_, pos_);
      if (decoded.valid) {
        pos_ += decoded.length;
        continue;
      }
      flush();
      replace();
      pos_ += decoded.length;
      run_start = pos_;
    }
  }

  // Handles the escape at pos_ (a backslash) and advances past it.
  template <typename Replace>
  bool ParseEscape(std::string* out, std::size_t open, const Replace& replace) {
    const std::size_t backslash = pos_;
    if (backslash + 1 >= line_.size()) return Fail(open, "unterminated string");
    char simple = 0;
    switch (line_[backslash + 1]) {
      case '"':
        simple = '"';
        break;
      case '\\':
        simple = '\\';
        break;
      case '/':
        simple = '/';
        break;
      case 'b':
        simple = '\b';
        break;
      case 'f':
        simple = '\f';
        break;
      case 'n':
        simple = '\n';
        break;
      case 'r':
        simple = '\r';
        break;
      case 't':
        simple = '\t';
        break;
      case 'u':
        break;
      default:
        return Fail(backslash, "invalid escape sequence in string");
    }
    if (simple != 0) {
      if (out != nullptr) out->push_back(simple);
      pos_ += 2;
      return true;
    }
    const long unit = Hex4At(backslash + 2);
    if (unit < 0) return Fail(backslash, "invalid \\u escape; expected 4 hex digits");
    pos_ += 6;
    char32_t code_point = static_cast<char32_t>(unit);
    if (IsHighSurrogate(code_point)) {
      // Only an immediately following low surrogate completes the pair; anything else leaves
      // the high half unpaired and is decoded on its own.
      const long low = (pos_ + 1 < line_.size() && line_[pos_] == '\\' && line_[pos_ + 1] == 'u')
                           ? Hex4At(pos_ + 2)
                           : -1;
      if (low >= 0 && IsLowSurrogate(static_cast<char32_t>(low))) {
        code_point =
            0x10000 + ((code_point - 0xD800) << 10) + (static_cast<char32_t>(low) - 0xDC00);
        pos_ += 6;
      } else {
        replace();
        return true;
      }
    } else if (IsLowSurrogate(code_point)) {
      replace();
      return true;
    }
    if (out != nullptr) utf8::Append(*out, code_point);
    return true;
  }

  std::string_view line_;
  std::vector<JsonMember>& members_;
  std::size_t member_count_ = 0;
  std::size_t pos_ = 0;
  JsonParseResult result_;
};

}  // namespace

JsonParseResult ParseJsonLine(std::string_view line, std::vector<JsonMember>& members) {
  return Parser(line, members).Run();
}

}  // namespace fathom
