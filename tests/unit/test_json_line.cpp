#include "indexer/corpus/json_line.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace fathom {
namespace {

// U+FFFD as UTF-8.
const std::string kFffd = "\xEF\xBF\xBD";

struct Parsed {
  JsonParseResult result;
  std::vector<JsonMember> members;
};

Parsed Parse(std::string_view line) {
  Parsed parsed;
  parsed.result = ParseJsonLine(line, parsed.members);
  return parsed;
}

// Parses a record expected to hold exactly one member and returns it.
JsonMember ParseSingle(std::string_view line, std::size_t expected_repairs = 0) {
  Parsed parsed = Parse(line);
  EXPECT_TRUE(parsed.result.ok) << parsed.result.error << " at column " << parsed.result.column;
  EXPECT_EQ(parsed.result.repaired_utf8, expected_repairs);
  EXPECT_EQ(parsed.members.size(), 1u);
  if (parsed.members.size() != 1) return {};
  return parsed.members[0];
}

void ExpectError(std::string_view line, std::size_t column, std::string_view error) {
  SCOPED_TRACE(std::string(line.substr(0, 80)));
  std::vector<JsonMember> members(3);  // Stale contents must not survive a failed parse.
  const JsonParseResult result = ParseJsonLine(line, members);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(result.column, column);
  EXPECT_EQ(result.error, error);
  EXPECT_TRUE(members.empty());
}

TEST(JsonLineTest, TypicalRecord) {
  const Parsed parsed = Parse(
      R"({"id": "doc-1", "title": "Hello, world", "views": 42, "score": -1.5e+3, "draft": true,)"
      R"( "hidden": false, "author": null, "meta": {"lang": "en"}, "tags": ["a", "b"]})");
  ASSERT_TRUE(parsed.result.ok) << parsed.result.error;
  EXPECT_EQ(parsed.result.repaired_utf8, 0u);
  struct Expected {
    const char* name;
    const char* value;
    bool is_text;
  };
  const std::vector<Expected> expected = {
      {"id", "doc-1", true},   {"title", "Hello, world", true},
      {"views", "42", true},   {"score", "-1.5e+3", true},
      {"draft", "true", true}, {"hidden", "false", true},
      {"author", "", false},   {"meta", "", false},
      {"tags", "a\nb", true},
  };
  ASSERT_EQ(parsed.members.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(expected[i].name);
    EXPECT_EQ(parsed.members[i].name, expected[i].name);
    EXPECT_EQ(parsed.members[i].value, expected[i].value);
    EXPECT_EQ(parsed.members[i].is_text, expected[i].is_text);
  }
}

TEST(JsonLineTest, EmptyObjectAndSurroundingWhitespace) {
  for (const std::string_view line : {"{}", "  {}  ", "\t{ \r\n }\r", "{}\r"}) {
    const Parsed parsed = Parse(line);
    EXPECT_TRUE(parsed.result.ok) << line;
    EXPECT_TRUE(parsed.members.empty());
  }
  const Parsed parsed = Parse(" \t{ \"a\" \t:\r\n\"b\" , \"c\":[ 1 , 2 ] }\t ");
  ASSERT_TRUE(parsed.result.ok) << parsed.result.error;
  ASSERT_EQ(parsed.members.size(), 2u);
  EXPECT_EQ(parsed.members[0].value, "b");
  EXPECT_EQ(parsed.members[1].value, "1\n2");
}

TEST(JsonLineTest, EveryEscape) {
  const JsonMember member =
      ParseSingle(R"({"s":"q\" b\\ s\/ \b\f\n\r\t A=\u0041 e=\u00e9 E=\u20AC z=\uFFFF"})");
  EXPECT_EQ(member.name, "s");
  EXPECT_EQ(member.value, "q\" b\\ s/ \b\f\n\r\t A=A e=\xC3\xA9 E=\xE2\x82\xAC z=\xEF\xBF\xBF");
  EXPECT_TRUE(member.is_text);
}

TEST(JsonLineTest, EscapedNulIsKept) {
  const JsonMember member = ParseSingle(R"({"s":"a\u0000b"})");
  EXPECT_EQ(member.value, std::string("a\0b", 3));
}

TEST(JsonLineTest, EscapesInMemberNames) {
  const JsonMember member = ParseSingle(R"({"a\"b\u00e9":"v"})");
  EXPECT_EQ(member.name, "a\"b\xC3\xA9");
}

TEST(JsonLineTest, SurrogatePairs) {
  EXPECT_EQ(ParseSingle(R"({"s":"\uD83D\uDE00"})").value, "\xF0\x9F\x98\x80");
  EXPECT_EQ(ParseSingle(R"({"s":"x\ud834\udd1ey"})").value, "x\xF0\x9D\x84\x9Ey");
  // Highest code point.
  EXPECT_EQ(ParseSingle(R"({"s":"\uDBFF\uDFFF"})").value, "\xF4\x8F\xBF\xBF");
}

TEST(JsonLineTest, LoneSurrogatesBecomeReplacementChar) {
  EXPECT_EQ(ParseSingle(R"({"s":"\uD83D"})", 1).value, kFffd);
  EXPECT_EQ(ParseSingle(R"({"s":"a\uD83Db"})", 1).value, "a" + kFffd + "b");
  EXPECT_EQ(ParseSingle(R"({"s":"\uDE00"})", 1).value, kFffd);
  EXPECT_EQ(ParseSingle(R"({"s":"\uDE00\uD83D"})", 2).value, kFffd + kFffd);
  // The second high surrogate still pairs with the low one after it.
  EXPECT_EQ(ParseSingle(R"({"s":"\uD83D\uD83D\uDE00"})", 1).value, kFffd + "\xF0\x9F\x98\x80");
  // A high surrogate followed by a non-surrogate escape: both decode on their own.
  EXPECT_EQ(ParseSingle(R"({"s":"\uD83D\u0041"})", 1).value, kFffd + "A");
  EXPECT_EQ(ParseSingle(R"({"s":"\uD83D\n"})", 1).value, kFffd + "\n");
}

TEST(JsonLineTest, ValidRawUtf8PassesThrough) {
  const std::string text = "h\xC3\xA9llo \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80 \x7F";
  EXPECT_EQ(ParseSingle("{\"s\":\"" + text + "\"}").value, text);
}

TEST(JsonLineTest, InvalidUtf8IsRepairedAndCounted) {
  // Stray byte, truncated 2-byte sequence before '(' and a lone continuation byte.
  EXPECT_EQ(ParseSingle("{\"s\":\"a\xFF"
                        "b\xC3(\x80\"}",
                        3)
                .value,
            "a" + kFffd + "b" + kFffd + "(" + kFffd);
  // Each byte of an overlong NUL and of a UTF-8-encoded surrogate is replaced on its own.
  EXPECT_EQ(ParseSingle("{\"s\":\"\xC0\x80\"}", 2).value, kFffd + kFffd);
  EXPECT_EQ(ParseSingle("{\"s\":\"\xED\xA0\x80\"}", 3).value, kFffd + kFffd + kFffd);
  // A 3-byte sequence cut short by the closing quote.
  EXPECT_EQ(ParseSingle("{\"s\":\"\xE2\x82\"}", 2).value, kFffd + kFffd);
}

TEST(JsonLineTest, RepairCountCoversNamesAndAllKeptMembers) {
  const Parsed parsed = Parse("{\"n\xFE\":\"\xFF\",\"t\":[\"\xFF\",\"ok\"],\"x\":1}");
  ASSERT_TRUE(parsed.result.ok) << parsed.result.error;
  EXPECT_EQ(parsed.result.repaired_utf8, 3u);
  ASSERT_EQ(parsed.members.size(), 3u);
  EXPECT_EQ(parsed.members[0].name, "n" + kFffd);
  EXPECT_EQ(parsed.members[1].value, kFffd + "\nok");
}

TEST(JsonLineTest, RepairsInSkippedValuesAreNotCounted) {
  const Parsed parsed = Parse("{\"o\":{\"k\":\"\xFF\"},\"a\":[\"\xFF\",{}],\"s\":\"\xFF\"}");
  ASSERT_TRUE(parsed.result.ok) << parsed.result.error;
  EXPECT_EQ(parsed.result.repaired_utf8, 1u);
  ASSERT_EQ(parsed.members.size(), 3u);
  EXPECT_FALSE(parsed.members[0].is_text);
  EXPECT_FALSE(parsed.members[1].is_text);
  EXPECT_EQ(parsed.members[1].value, "");
  EXPECT_EQ(parsed.members[2].value, kFffd);
}

TEST(JsonLineTest, ArraysOfScalarsAreJoined) {
  EXPECT_EQ(ParseSingle(R"({"t":["red","green blue","x\ny"]})").value, "red\ngreen blue\nx\ny");
  EXPECT_EQ(ParseSingle(R"({"t":[1,"two",-3.5e2]})").value, "1\ntwo\n-3.5e2");
  EXPECT_EQ(ParseSingle(R"({"t":["only"]})").value, "only");
  const JsonMember empty = ParseSingle(R"({"t":[]})");
  EXPECT_EQ(empty.value, "");
  EXPECT_TRUE(empty.is_text);
  EXPECT_EQ(ParseSingle(R"({"t":[ ]})").value, "");
}

TEST(JsonLineTest, ArrayBooleansJoinAndNullsAreDropped) {
  EXPECT_EQ(ParseSingle(R"({"t":[null,true,null,"x",false,null]})").value, "true\nx\nfalse");
  const JsonMember all_null = ParseSingle(R"({"t":[null,null]})");
  EXPECT_EQ(all_null.value, "");
  EXPECT_TRUE(all_null.is_text);
}

TEST(JsonLineTest, ArraysWithContainersAreNotText) {
  for (const std::string_view line :
       {R"({"t":["a",{"b":1},"c"]})", R"({"t":[["a"]]})", R"({"t":[{}]})", R"({"t":["a",[]]})"}) {
    const JsonMember member = ParseSingle(line);
    EXPECT_EQ(member.name, "t");
    EXPECT_EQ(member.value, "");
    EXPECT_FALSE(member.is_text) << line;
  }
}

TEST(JsonLineTest, NestedObjectsAreSkipped) {
  const Parsed parsed =
      Parse(R"({"a":{"b":{"c":[1,2,{"d":"e}]"}],"f":null},"g":"}"},"z":"last","y":{}})");
  ASSERT_TRUE(parsed.result.ok) << parsed.result.error;
  ASSERT_EQ(parsed.members.size(), 3u);
  EXPECT_EQ(parsed.members[0].name, "a");
  EXPECT_EQ(parsed.members[0].value, "");
  EXPECT_FALSE(parsed.members[0].is_text);
  EXPECT_EQ(parsed.members[1].name, "z");
  EXPECT_EQ(parsed.members[1].value, "last");
  EXPECT_TRUE(parsed.members[1].is_text);
  EXPECT_EQ(parsed.members[2].name, "y");
  EXPECT_FALSE(parsed.members[2].is_text);
}

TEST(JsonLineTest, DuplicateNamesAreKeptInOrder) {
  const Parsed parsed = Parse(R"({"a":"1","b":"2","a":"3"})");
  ASSERT_TRUE(parsed.result.ok);
  ASSERT_EQ(parsed.members.size(), 3u);
  EXPECT_EQ(parsed.members[0].name, "a");
  EXPECT_EQ(parsed.members[0].value, "1");
  EXPECT_EQ(parsed.members[2].name, "a");
  EXPECT_EQ(parsed.members[2].value, "3");
}

TEST(JsonLineTest, ValidNumbersKeepTheirLiteralText) {
  for (const std::string_view number : {"0", "-0", "0.5", "-0.0", "10", "1E10", "1e-7", "2E+2",
                                        "-12.34e+56", "123456789012345678901234567890"}) {
    EXPECT_EQ(ParseSingle("{\"n\":" + std::string(number) + "}").value, number);
  }
}

TEST(JsonLineTest, MembersVectorIsReplaced) {
  std::vector<JsonMember> members;
  ASSERT_TRUE(ParseJsonLine(R"({"a":"1","b":[{}],"c":"3"})", members).ok);
  ASSERT_EQ(members.size(), 3u);
  ASSERT_TRUE(ParseJsonLine(R"({"x":["y"]})", members).ok);
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0].name, "x");
  EXPECT_EQ(members[0].value, "y");
  EXPECT_TRUE(members[0].is_text);
  ASSERT_TRUE(ParseJsonLine(R"({"a":"1","b":null})", members).ok);
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(members[1].value, "");
  EXPECT_FALSE(members[1].is_text);
  ASSERT_FALSE(ParseJsonLine(R"({"a":"1",)", members).ok);
  EXPECT_TRUE(members.empty());
}

TEST(JsonLineTest, TopLevelMustBeAnObject) {
  ExpectError("", 1, "expected '{' at start of record");
  ExpectError("   ", 4, "expected '{' at start of record");
  ExpectError("[1]", 1, "expected '{' at start of record");
  ExpectError("\"x\"", 1, "expected '{' at start of record");
  ExpectError("  42", 3, "expected '{' at start of record");
  ExpectError("null", 1, "expected '{' at start of record");
  ExpectError("\xEF\xBB\xBF{}", 1, "expected '{' at start of record");  // A BOM is not whitespace.
}

TEST(JsonLineTest, TruncatedLines) {
  ExpectError("{", 2, "unexpected end of line; expected member name string");
  ExpectError(R"({"a")", 5, "unexpected end of line; expected ':' after member name");
  ExpectError(R"({"a":)", 6, "unexpected end of line; expected a value");
  ExpectError(R"({"a":"b")", 9, "unexpected end of line; expected ',' or '}' after member value");
  ExpectError(R"({"a":"b",)", 10, "unexpected end of line; expected member name string");
  ExpectError(R"({"a":[1,2)", 10,
              "unexpected end of line; expected ',' or ']' after array element");
  ExpectError(R"({"a":{"b":[1,{)", 15, "unexpected end of line; expected member name string");
  ExpectError(R"({"a":{"b":1)", 12,
              "unexpected end of line; expected ',' or '}' after member value");
  ExpectError(R"({"a":12)", 8, "unexpected end of line; expected ',' or '}' after member value");
  ExpectError(R"({"a":tr)", 6, "invalid literal; expected true, false or null");
}

TEST(JsonLineTest, MissingColonOrComma) {
  ExpectError(R"({"a" 1})", 6, "expected ':' after member name");
  ExpectError(R"({"a"})", 5, "expected ':' after member name");
  ExpectError(R"({"o":{"a" 1}})", 11, "expected ':' after member name");
  ExpectError(R"({"a":1 "b":2})", 8, "expected ',' or '}' after member value");
  ExpectError(R"({"a":[1 2]})", 9, "expected ',' or ']' after array element");
  ExpectError(R"({"a":{"b":1 "c":2}})", 13, "expected ',' or '}' after member value");
  ExpectError(R"({"a":{"b":[1 2]}})", 14, "expected ',' or ']' after array element");
  ExpectError(R"({"a":[1})", 8, "expected ',' or ']' after array element");
  ExpectError(R"({"a":{"b":1]})", 12, "expected ',' or '}' after member value");
}

TEST(JsonLineTest, TrailingCommas) {
  ExpectError(R"({"a":1,})", 7, "trailing comma before '}'");
  ExpectError(R"({"a":1 , })", 8, "trailing comma before '}'");
  ExpectError(R"({"a":[1,2,]})", 10, "trailing comma before ']'");
  ExpectError(R"({"a":{"b":1,}})", 12, "trailing comma before '}'");
  ExpectError(R"({"a":[[1,]]})", 9, "trailing comma before ']'");
  ExpectError(R"({"a":[,1]})", 7, "expected a value");
  ExpectError(R"({,"a":1})", 2, "expected member name string");
}

TEST(JsonLineTest, TrailingGarbage) {
  ExpectError(R"({"a":1} x)", 9, "unexpected characters after record");
  ExpectError(R"({"a":1}{"b":2})", 8, "unexpected characters after record");
  ExpectError(R"({}})", 3, "unexpected characters after record");
  ExpectError(std::string_view("{}\0", 3), 3, "unexpected characters after record");
}

TEST(JsonLineTest, BadNumbers) {
  ExpectError(R"({"n":01})", 7, "leading zero in number");
  ExpectError(R"({"n":-01})", 8, "leading zero in number");
  ExpectError(R"({"n":1.})", 8, "expected digit after '.' in number");
  ExpectError(R"({"n":1.e5})", 8, "expected digit after '.' in number");
  ExpectError(R"({"n":+1})", 6, "expected a value");
  ExpectError(R"({"n":.5})", 6, "expected a value");
  ExpectError(R"({"n":-})", 7, "expected digit after '-'");
  ExpectError(R"({"n":-a})", 7, "expected digit after '-'");
  ExpectError(R"({"n":1e})", 8, "expected digit in number exponent");
  ExpectError(R"({"n":1E+})", 9, "expected digit in number exponent");
  ExpectError(R"({"n":1x})", 7, "expected ',' or '}' after member value");
  ExpectError(R"({"n":0x1F})", 7, "expected ',' or '}' after member value");
  ExpectError(R"({"n":[1,02]})", 10, "leading zero in number");
  ExpectError(R"({"o":{"n":1.}})", 13, "expected digit after '.' in number");
  ExpectError(R"({"n":NaN})", 6, "expected a value");
  ExpectError(R"({"n":Infinity})", 6, "expected a value");
}

TEST(JsonLineTest, BadLiterals) {
  ExpectError(R"({"a":tru})", 6, "invalid literal; expected true, false or null");
  ExpectError(R"({"a":nul})", 6, "invalid literal; expected true, false or null");
  ExpectError(R"({"a":falsy})", 6, "invalid literal; expected true, false or null");
  ExpectError(R"({"a":True})", 6, "expected a value");
  ExpectError(R"({"a":truex})", 10, "expected ',' or '}' after member value");
  ExpectError(R"({"a":'x'})", 6, "expected a value");
  ExpectError(R"({a:1})", 2, "expected member name string");
  ExpectError(R"({1:2})", 2, "expected member name string");
}

TEST(JsonLineTest, ControlCharactersInStrings) {
  ExpectError("{\"a\":\"b\tc\"}", 8, "control character in string; it must be escaped");
  ExpectError("{\"a\":\"b\nc\"}", 8, "control character in string; it must be escaped");
  ExpectError(std::string_view("{\"a\":\"b\0c\"}", 11), 8,
              "control character in string; it must be escaped");
  ExpectError("{\"a\x1F\":1}", 4, "control character in string; it must be escaped");
  ExpectError("{\"o\":{\"k\":\"\x01\"}}", 12, "control character in string; it must be escaped");
  ExpectError("{\"t\":[\"x\",{},\"\x01\"]}", 15, "control character in string; it must be escaped");
}

TEST(JsonLineTest, UnterminatedStrings) {
  ExpectError(R"({"a":"bcd)", 6, "unterminated string");
  ExpectError(R"({"ab)", 2, "unterminated string");
  ExpectError(R"({"a":"b\)", 6, "unterminated string");
  ExpectError(R"({"a":"b\"})", 6, "unterminated string");
  ExpectError(R"({"a":"\u12)", 7, "invalid \\u escape; expected 4 hex digits");
  ExpectError(R"({"o":{"k":"v)", 11, "unterminated string");
  ExpectError(R"({"t":["x)", 7, "unterminated string");
}

TEST(JsonLineTest, BadEscapes) {
  ExpectError(R"({"a":"\x41"})", 7, "invalid escape sequence in string");
  ExpectError(R"({"a":"ok\'"})", 9, "invalid escape sequence in string");
  ExpectError(R"({"a":"\U0041"})", 7, "invalid escape sequence in string");
  ExpectError(R"({"a":"\u12G4"})", 7, "invalid \\u escape; expected 4 hex digits");
  ExpectError(R"({"a":"\u12"})", 7, "invalid \\u escape; expected 4 hex digits");
  ExpectError(R"({"a":"\uD83D\uZZZZ"})", 13, "invalid \\u escape; expected 4 hex digits");
  ExpectError(R"({"o":{"k":"\q"}})", 12, "invalid escape sequence in string");
}

TEST(JsonLineTest, TheFirstErrorInReadingOrderIsReported) {
  // simdjson checks a name's ':' before unescaping the name, and finds control characters and
  // an unclosed string before anything else; the earlier error still wins.
  ExpectError(R"({"a\q" 1})", 4, "invalid escape sequence in string");
  ExpectError(R"({"o":{"k\q" 1}})", 9, "invalid escape sequence in string");
  ExpectError("{\"a\" 1, \"b\x01\"}", 6, "expected ':' after member name");
  ExpectError("{\"a\":\"\x01\", \"b\" 1}", 7, "control character in string; it must be escaped");
  ExpectError(R"({"a" 1, "b)", 6, "expected ':' after member name");
  ExpectError(R"({"a":1} "x)", 9, "unexpected characters after record");
  ExpectError(R"({"a":"\x", "b)", 7, "invalid escape sequence in string");
  // A lone surrogate is a repair, not an error: the error after it is reported.
  ExpectError(R"({"s":"\uD83D", 1})", 16, "expected member name string");
}

TEST(JsonLineTest, ColumnsCountTheLineBytesBeforeRepairs) {
  // Each invalid byte becomes a 3-byte U+FFFD in the text; columns stay those of the line.
  ExpectError("{\"a\":\"\xFF\xFF\", \"b\" 1}", 16, "expected ':' after member name");
  ExpectError("{\"a\":1\xFF}", 7, "expected ',' or '}' after member value");
  ExpectError("{\"a\":\"\xFF\"} \xFF", 11, "unexpected characters after record");
  ExpectError("{\"a\":\"\xFF\", \"b", 11, "unterminated string");
}

TEST(JsonLineTest, NumbersOutOfADoublesRangeKeepTheirText) {
  // simdjson refuses to convert them; they are valid JSON and kept as written.
  EXPECT_EQ(ParseSingle(R"({"n":1e400})").value, "1e400");
  EXPECT_EQ(ParseSingle(R"({"n":[-1E+999,2]})").value, "-1E+999\n2");
  EXPECT_FALSE(ParseSingle(R"({"o":{"n":1e400}})").is_text);
}

TEST(JsonLineTest, ThreadsParseAtOnce) {
  // Each thread has its own simdjson parser; results must not mix.
  const std::vector<std::string> lines = {
      R"({"id":"a","body":"alpha \u00e9","tags":[1,2]})",
      "{\"id\":\"b\",\"body\":\"b\xFF\"}",
      R"({"id":"c","body":"gamma", "n":})",
      "{\"id\":\"d\",\"body\":\"" + std::string(100000, 'd') + "\"}",
  };
  std::vector<Parsed> expected;
  for (const auto& line : lines) expected.push_back(Parse(line));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(lines.size(), 0);
  for (std::size_t t = 0; t < lines.size(); ++t) {
    threads.emplace_back([&, t] {
      std::vector<JsonMember> members;
      for (int round = 0; round < 2000; ++round) {
        const std::size_t i = (t + static_cast<std::size_t>(round)) % lines.size();
        const JsonParseResult result = ParseJsonLine(lines[i], members);
        bool same = result.ok == expected[i].result.ok &&
                    result.column == expected[i].result.column &&
                    result.error == expected[i].result.error &&
                    result.repaired_utf8 == expected[i].result.repaired_utf8 &&
                    members.size() == expected[i].members.size();
        for (std::size_t m = 0; same && m < members.size(); ++m) {
          same = members[m].name == expected[i].members[m].name &&
                 members[m].value == expected[i].members[m].value;
        }
        if (!same) ++mismatches[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (std::size_t t = 0; t < lines.size(); ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
  EXPECT_TRUE(expected[0].result.ok);
  EXPECT_EQ(expected[1].result.repaired_utf8, 1u);
  EXPECT_EQ(expected[2].result.column, 31u);
  EXPECT_EQ(expected[3].members[1].value.size(), 100000u);
}

TEST(JsonLineTest, NestingAtTheLimitIsAccepted) {
  // The record object is level 1, so the member value may open 511 more.
  const std::size_t inner = kMaxJsonDepth - 1;
  const JsonMember arrays =
      ParseSingle("{\"a\":" + std::string(inner, '[') + std::string(inner, ']') + "}");
  EXPECT_FALSE(arrays.is_text);
  std::string objects = "{";
  for (std::size_t i = 0; i < inner; ++i) objects += "\"a\":{";
  objects += std::string(inner + 1, '}');
  EXPECT_FALSE(ParseSingle(objects).is_text);
}

TEST(JsonLineTest, NestingPastTheLimitIsAnError) {
  // Level 513 is the 512th '[' after `{"a":`, at byte offset 5 + 511.
  const std::size_t inner = kMaxJsonDepth;
  ExpectError("{\"a\":" + std::string(inner, '[') + std::string(inner, ']') + "}", 517,
              "nesting deeper than 512 levels");
  std::string objects = "{";
  for (std::size_t i = 0; i < inner; ++i) objects += "\"a\":{";
  objects += std::string(inner + 1, '}');
  ExpectError(objects, 2561, "nesting deeper than 512 levels");
}

TEST(JsonLineTest, HostileDeepNestingFailsWithoutCrashing) {
  constexpr std::size_t kDepth = 100000;
  ExpectError(std::string(kDepth, '['), 1, "expected '{' at start of record");
  ExpectError("{\"a\":" + std::string(kDepth, '['), 517, "nesting deeper than 512 levels");
  ExpectError("{\"a\":" + std::string(kDepth, '[') + std::string(kDepth, ']') + "}", 517,
              "nesting deeper than 512 levels");
  ExpectError("{\"a\":[\"x\"," + std::string(kDepth, '['), 521, "nesting deeper than 512 levels");
  std::string objects;
  for (std::size_t i = 0; i < kDepth; ++i) objects += "{\"a\":";
  ExpectError(objects, 2561, "nesting deeper than 512 levels");
  ExpectError(std::string(kDepth, '{'), 2, "expected member name string");
}

TEST(JsonLineTest, FiveMegabyteStringValue) {
  constexpr std::size_t kSize = 5 * 1024 * 1024;
  std::string body;
  body.reserve(kSize);
  while (body.size() < kSize) body += "The quick brown fox jumps over the lazy dog. ";
  body.resize(kSize);
  const Parsed parsed = Parse("{\"id\":7,\"body\":\"" + body + "\"}");
  ASSERT_TRUE(parsed.result.ok) << parsed.result.error;
  ASSERT_EQ(parsed.members.size(), 2u);
  EXPECT_EQ(parsed.members[1].value.size(), kSize);
  EXPECT_TRUE(parsed.members[1].value == body);
}

TEST(JsonLineTest, FiveMegabyteStringWithEscapesAndRepairs) {
  // 2^20 chunks of 5 bytes each: one escape, one 2-byte character and one invalid byte.
  constexpr std::size_t kChunks = 1 << 20;
  std::string line = "{\"s\":\"";
  std::string expected;
  for (std::size_t i = 0; i < kChunks; ++i) {
    line += "\\n\xC3\xA9\xFF";
    expected += "\n\xC3\xA9" + kFffd;
  }
  line += "\"}";
  const Parsed parsed = Parse(line);
  ASSERT_TRUE(parsed.result.ok) << parsed.result.error;
  EXPECT_EQ(parsed.result.repaired_utf8, kChunks);
  ASSERT_EQ(parsed.members.size(), 1u);
  EXPECT_TRUE(parsed.members[0].value == expected);
}

TEST(JsonLineTest, ManyMembersAndLongArrays) {
  constexpr std::size_t kCount = 200000;
  std::string line = "{\"tags\":[";
  for (std::size_t i = 0; i < kCount; ++i)
    line += (i == 0 ? "\"t" : ",\"t") + std::to_string(i) + "\"";
  line += "]";
  for (std::size_t i = 0; i < kCount; ++i)
    line += ",\"m" + std::to_string(i) + "\":" + std::to_string(i);
  line += "}";
  const Parsed parsed = Parse(line);
  ASSERT_TRUE(parsed.result.ok) << parsed.result.error;
  ASSERT_EQ(parsed.members.size(), kCount + 1);
  EXPECT_EQ(parsed.members[0].value.substr(0, 9), "t0\nt1\nt2\n");
  EXPECT_EQ(parsed.members[0].value.size(), line.find(']') - 9 - 2 * kCount);
  EXPECT_EQ(parsed.members[kCount].name, "m" + std::to_string(kCount - 1));
  EXPECT_EQ(parsed.members[kCount].value, std::to_string(kCount - 1));
}

}  // namespace
}  // namespace fathom
