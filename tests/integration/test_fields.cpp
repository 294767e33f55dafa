// Typed fields end to end: values read and typed from JSON Lines and from
// files, kept in the segments' columns through add, delete and merge,
// checked by `check`, and used by filters, sorting and facets, whose
// answers are compared with a brute-force model of the same documents.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <optional>
#include <random>
#include <set>

#include "common/analysis/field_values.hpp"
#include "common/format/field_columns.hpp"
#include "common/read/index_snapshot.hpp"
#include "indexer/check/index_checker.hpp"
#include "indexer/corpus/field_typing.hpp"
#include "indexer/write/index_builder.hpp"
#include "indexer/write/index_editor.hpp"
#include "searcher/searcher.hpp"
#include "tests/test_support.hpp"

namespace fathom::testing {
namespace {

namespace fs = std::filesystem;

// ---- Values -------------------------------------------------------------

// The oracle for dates: the C library's calendar, not the engine's.
std::int64_t Utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<std::int64_t>(timegm(&tm));
}

TEST(FieldValues, DatesReadAsIso8601) {
  EXPECT_EQ(ParseDate("2025-02-22"), Utc(2025, 2, 22));
  EXPECT_EQ(ParseDate("2025-02-22T10:30"), Utc(2025, 2, 22, 10, 30));
  EXPECT_EQ(ParseDate("2025-02-22T10:30:15Z"), Utc(2025, 2, 22, 10, 30, 15));
  EXPECT_EQ(ParseDate("2025-02-22 10:30:15.123"), Utc(2025, 2, 22, 10, 30, 15));
  EXPECT_EQ(ParseDate("2025-02-22T10:30:00+02:00"), Utc(2025, 2, 22, 8, 30));
  EXPECT_EQ(ParseDate("2025-02-22T01:00:00-0130"), Utc(2025, 2, 22, 2, 30));
  EXPECT_EQ(ParseDate("1969-12-31T23:59:59Z"), -1);
  EXPECT_EQ(ParseDate("2024-02-29"), Utc(2024, 2, 29));
  for (const char* bad :
       {"2025-02-30", "2023-02-29", "2025-13-01", "2025-1-01", "25-01-01", "2025-02-22T24:00",
        "2025-02-22T10", "2025-02-22x", "2025-02-22T10:30+", "", "date", "2025", "2025-02"}) {
    EXPECT_FALSE(ParseDate(bad)) << bad;
  }
  EXPECT_EQ(ParseDate("2025", true), Utc(2025, 1, 1));
  EXPECT_EQ(ParseDate("2025-02", true), Utc(2025, 2, 1));
  EXPECT_EQ(ParseDateEnd("2025"), Utc(2026, 1, 1));
  EXPECT_EQ(ParseDateEnd("2025-12"), Utc(2026, 1, 1));
  EXPECT_EQ(ParseDateEnd("2024-02"), Utc(2024, 3, 1));
  EXPECT_EQ(ParseDateEnd("2025-02-28"), Utc(2025, 3, 1));
  EXPECT_EQ(FormatDate(Utc(2025, 2, 22)), "2025-02-22");
  EXPECT_EQ(FormatDate(Utc(1901, 7, 4, 1, 2, 3)), "1901-07-04T01:02:03Z");
  int year, month;
  YearMonthOf(Utc(1969, 12, 31, 23), &year, &month);
  EXPECT_EQ(year, 1969);
  EXPECT_EQ(month, 12);
}

TEST(FieldValues, FloatKeysOrderAsNumbers) {
  std::mt19937_64 rng(3);
  std::vector<double> values = {0.0, -0.0, 1.0, -1.0, 1e-300, -1e-300, 1e300, -1e300, 0.5, -2.5};
  std::uniform_real_distribution<double> uniform(-1e6, 1e6);
  for (int i = 0; i < 2000; ++i) values.push_back(uniform(rng));
  for (const double a : values) {
    EXPECT_EQ(FloatOfKey(FloatKey(a)), a == 0 ? 0.0 : a);
    for (int j = 0; j < 20; ++j) {
      const double b = values[rng() % values.size()];
      EXPECT_EQ(a < b, FloatKey(a) < FloatKey(b)) << a << " " << b;
    }
  }
  EXPECT_EQ(FloatKey(0.0), FloatKey(-0.0));
  EXPECT_EQ(ParseKey(FieldType::kFloat, "+.5"), FloatKey(0.5));
  EXPECT_FALSE(ParseKey(FieldType::kFloat, "nan"));
  EXPECT_FALSE(ParseKey(FieldType::kFloat, "inf"));
  EXPECT_FALSE(ParseKey(FieldType::kInteger, "1.5"));
  EXPECT_FALSE(ParseKey(FieldType::kInteger, "99999999999999999999"));
  EXPECT_EQ(ParseKey(FieldType::kBoolean, "true"), 1);
}

// ---- Columns --------------------------------------------------------------

TEST(FieldColumns, RoundTripAndEveryDamagedByteIsCaught) {
  std::mt19937_64 rng(7);
  for (const std::uint64_t count : {0u, 1u, 63u, 64u, 65u, 1000u}) {
    std::vector<format::ColumnInput> columns;
    const std::vector<std::pair<std::string, FieldType>> specs = {
        {"a", FieldType::kBoolean}, {"b", FieldType::kDate},    {"c", FieldType::kFloat},
        {"d", FieldType::kInteger}, {"e", FieldType::kKeyword}, {"f", FieldType::kInteger}};
    for (const auto& [name, type] : specs) {
      format::ColumnInput column;
      column.name = name;
      column.type = type;
      if (type == FieldType::kKeyword) column.dictionary = {"", "x", "xy", "z\xc3\xa9"};
      for (std::uint64_t d = 0; d < count; ++d) {
        const bool present = name == "f" || rng() % 5 != 0;  // f: every document
        column.present.push_back(present ? 1 : 0);
        std::int64_t key = 0;
        if (present) {
          switch (type) {
            case FieldType::kBoolean:
              key = static_cast<std::int64_t>(rng() % 2);
              break;
            case FieldType::kDate:
              key = Utc(2000, 1, 1) + static_cast<std::int64_t>(rng() % 900000000);
              break;
            case FieldType::kFloat:
              key = FloatKey(std::ldexp(static_cast<double>(rng() % 1000) - 500,
                                        static_cast<int>(rng() % 40) - 20));
              break;
            case FieldType::kInteger:
              key = name == "f" ? static_cast<std::int64_t>(rng())
                                : static_cast<std::int64_t>(rng() % 100) - 50;
              break;
            case FieldType::kKeyword:
              key = static_cast<std::int64_t>(rng() % 4);
              break;
          }
        }
        column.keys.push_back(key);
      }
      columns.push_back(std::move(column));
    }
    std::string payload;
    format::PutFieldColumns(payload, count, columns);
    const auto* data = reinterpret_cast<const std::uint8_t*>(payload.data());
    format::FieldColumns read;
    std::string error;
    ASSERT_TRUE(read.Open(data, payload.size(), count, &error)) << error;
    ASSERT_EQ(read.columns().size(), columns.size());
    for (std::size_t c = 0; c < columns.size(); ++c) {
      format::ColumnInput decoded;
      ASSERT_TRUE(format::DecodeColumn(read.columns()[c], count, decoded, &error)) << error;
      EXPECT_EQ(decoded.present, columns[c].present);
      for (std::uint64_t d = 0; d < count; ++d) {
        if (columns[c].present[d]) {
          EXPECT_EQ(decoded.keys[d], columns[c].keys[d]);
        }
      }
      EXPECT_EQ(decoded.dictionary, columns[c].dictionary);
    }
    if (count != 65) continue;
    // Every byte changed: the structure check refuses it, a value check
    // refuses it, or re-encoding the values gives other bytes (what
    // `check` does). Nothing damaged passes all three.
    std::size_t caught = 0;
    for (std::size_t at = 0; at < payload.size(); ++at) {
      std::string damaged = payload;
      damaged[at] = static_cast<char>(damaged[at] ^ (1 + rng() % 255));
      const auto* bytes = reinterpret_cast<const std::uint8_t*>(damaged.data());
      format::FieldColumns columns_read;
      bool found = !columns_read.Open(bytes, damaged.size(), count, &error);
      std::vector<format::ColumnInput> values(columns_read.columns().size());
      for (std::size_t c = 0; !found && c < values.size(); ++c) {
        found = !format::DecodeColumn(columns_read.columns()[c], count, values[c], &error);
      }
      if (!found) {
        std::string again;
        format::PutFieldColumns(again, count, values);
        found = again != damaged;
      }
      if (found) {
        ++caught;
        continue;
      }
      // Not a broken structure: then a value changed (a packed key, a
      // presence bit, a dictionary byte, a name, a type), which only the file's checksum
      // can tell (test_byte_flips flips every byte of an index's files).
      bool changed = false;
      for (std::size_t c = 0; c < values.size(); ++c) {
        changed = changed || values[c].name != columns[c].name ||
                  values[c].type != columns[c].type || values[c].present != columns[c].present ||
                  values[c].dictionary != columns[c].dictionary;
        for (std::uint64_t d = 0; d < count; ++d) {
          changed = changed || (columns[c].present[d] && values[c].keys[d] != columns[c].keys[d]);
        }
      }
      EXPECT_TRUE(changed) << "byte " << at << " damaged, read as the same values";
    }
    // The header, directory, names, column headers and padding are all
    // structure.
    EXPECT_GT(caught, payload.size() / 3);
  }
}

// ---- Typing ---------------------------------------------------------------

std::vector<JsonMember> Members(const std::string& line) {
  std::vector<JsonMember> members;
  EXPECT_TRUE(ParseJsonLine(line, members).ok) << line;
  return members;
}

TEST(FieldTyping, TypesAreInferredFromTheFirstValue) {
  FieldTyper typer;
  std::vector<FieldValue> values;
  for (const JsonMember& m :
       Members(R"({"n": 3, "f": 2.5, "d": "2025-02-22", "k": "red", "b": true, "z": null})")) {
    EXPECT_EQ(typer.Add(m, values), "");
  }
  ASSERT_EQ(values.size(), 5u);
  EXPECT_EQ(typer.TypeOf("n"), FieldType::kInteger);
  EXPECT_EQ(typer.TypeOf("f"), FieldType::kFloat);
  EXPECT_EQ(typer.TypeOf("d"), FieldType::kDate);
  EXPECT_EQ(typer.TypeOf("k"), FieldType::kKeyword);
  EXPECT_EQ(typer.TypeOf("b"), FieldType::kBoolean);
  EXPECT_FALSE(typer.TypeOf("z"));
  // An integer field meeting a fraction becomes a float field.
  values.clear();
  EXPECT_EQ(typer.Add(Members(R"({"n": 3.5})")[0], values), "");
  EXPECT_EQ(typer.TypeOf("n"), FieldType::kFloat);
  // Anything else that does not fit is an error naming the field.
  for (const char* line : {R"({"d": "soon"})", R"({"b": 1})", R"({"n": "many"})"}) {
    const std::string problem = typer.Add(Members(line)[0], values);
    EXPECT_NE(problem.find("field '"), std::string::npos) << line;
    EXPECT_NE(problem.find("--schema"), std::string::npos) << problem;
  }
  std::string note;
  EXPECT_EQ(typer.Add(Members(R"({"tags": ["a", "b"]})")[0], values, &note), "");
  EXPECT_NE(note.find("'tags'"), std::string::npos);
}

TEST(FieldTyping, DeclaredTypesRefuseWhatDoesNotFit) {
  TempDir dir;
  WriteFile(dir.path() / "schema.json",
            "{\n  \"year\": \"integer\",\n  \"code\": \"keyword\",\n  \"when\": \"date\"\n}\n");
  const FieldSchema schema = ReadSchemaFile(dir.path() / "schema.json");
  ASSERT_EQ(schema.types.size(), 3u);
  FieldTyper typer(schema);
  std::vector<FieldValue> values;
  EXPECT_EQ(typer.Add(Members(R"({"code": 2139})")[0], values), "");  // a number as a keyword
  EXPECT_EQ(values.back().keyword, "2139");
  EXPECT_NE(typer.Add(Members(R"({"year": 2.5})")[0], values).find("declared"), std::string::npos);
  EXPECT_NE(typer.Add(Members(R"({"when": ["2025-01-01"]})")[0], values).find("array"),
            std::string::npos);
  WriteFile(dir.path() / "bad.json", R"({"year": "int"})");
  try {
    ReadSchemaFile(dir.path() / "bad.json");
    FAIL() << "an unknown type is accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.json"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("unknown type 'int'"), std::string::npos);
  }
}

TEST(FieldTyping, SchemaSettingsAreReadOrRefusedNamingTheField) {
  TempDir dir;
  WriteFile(dir.path() / "schema.json",
            R"({"abstract": "text", "sku": {"type": "keyword", "stored": false},)"
            R"( "rank": {"type": "integer", "sortable": false, "searchable": true},)"
            R"( "junk": {"type": "keyword", "stored": false, "searchable": false,)"
            R"( "sortable": false}})");
  const FieldSchema schema = ReadSchemaFile(dir.path() / "schema.json");
  EXPECT_EQ(schema.text_fields, std::vector<std::string>{"abstract"});
  EXPECT_EQ(schema.types.count("abstract"), 0u);
  EXPECT_EQ(UsesOf(schema.uses, "sku"), kSearchable | kSortable);
  EXPECT_EQ(UsesOf(schema.uses, "rank"), kStored | kSearchable);
  EXPECT_EQ(UsesOf(schema.uses, "junk"), 0);
  EXPECT_EQ(schema.uses.count("abstract"), 0u);
  // A field kept for nothing is not typed either: any value goes.
  FieldTyper typer(schema);
  std::vector<FieldValue> values;
  EXPECT_EQ(typer.Add(Members(R"({"junk": 12.5})")[0], values), "");
  EXPECT_TRUE(values.empty());
  EXPECT_EQ(typer.Add(Members(R"({"sku": "A-1"})")[0], values), "");
  ASSERT_EQ(values.size(), 1u);
  EXPECT_EQ(values[0].uses, kSearchable | kSortable);
  const auto error_of = [&](const std::string& text) -> std::string {
    WriteFile(dir.path() / "bad.json", text);
    try {
      ReadSchemaFile(dir.path() / "bad.json");
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  };
  const std::string setting = error_of(R"({"sku": {"type": "keyword", "sorted": false}})");
  EXPECT_NE(setting.find("bad.json: field 'sku': unknown setting 'sorted'"), std::string::npos)
      << setting;
  EXPECT_NE(error_of(R"({"sku": {"type": "keyword", "stored": "no"}})").find("true or false"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"sku": {"stored": false}})").find("no \"type\""), std::string::npos);
  EXPECT_NE(error_of(R"({"body2": {"type": "text", "stored": false}})").find("always stored"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"sku": 3})").find("expected its type"), std::string::npos);
  EXPECT_NE(error_of(R"({"sku": "keyword", "sku": "date"})").find("declared twice"),
            std::string::npos);
  EXPECT_NE(error_of("{\"sku\": ").find("not a JSON object"), std::string::npos);
}

TEST(FieldTyping, LeadingDateLine) {
  std::string text = " date 2025-02-22 Authored by A. Writer,\n\nText.";
  EXPECT_EQ(TakeLeadingDateLine(text), Utc(2025, 2, 22));
  EXPECT_EQ(text, "Authored by A. Writer,\n\nText.");
  text = "date 2025-02-22\nTitle\nBody";
  EXPECT_EQ(TakeLeadingDateLine(text), Utc(2025, 2, 22));
  EXPECT_EQ(text, "\nTitle\nBody");
  for (const char* kept : {"date: 2025-02-22 x", "update 2025-02-22", "date 2025-02-30 x",
                           "dated 2025-02-22", "The date 2025-02-22"}) {
    text = kept;
    EXPECT_FALSE(TakeLeadingDateLine(text)) << kept;
    EXPECT_EQ(text, kept);
  }
}

// ---- Queries against a model ----------------------------------------------

struct ModelDoc {
  std::string id;
  std::string body;
  std::optional<std::string> cat;
  std::optional<std::int64_t> year;
  std::optional<double> price;
  std::optional<std::int64_t> published;  // seconds, by timegm
  std::optional<bool> active;
};

std::string JsonOf(const ModelDoc& doc, const std::string& published_text) {
  std::string line = "{\"id\": \"" + doc.id + "\", \"body\": \"" + doc.body + "\"";
  if (doc.cat) line += ", \"cat\": \"" + *doc.cat + "\"";
  if (doc.year) line += ", \"year\": " + std::to_string(*doc.year);
  if (doc.price) {
    char price[64];
    std::snprintf(price, sizeof price, "%.17g", *doc.price);
    line += std::string(", \"price\": ") + price;
  }
  if (doc.published) line += ", \"published\": \"" + published_text + "\"";
  if (doc.active) line += std::string(", \"active\": ") + (*doc.active ? "true" : "false");
  line += ", \"note\": null}";
  return line;
}

class FieldQueries : public ::testing::Test {
 protected:
  static constexpr int kDocs = 700;

  void SetUp() override {
    std::mt19937_64 rng(21);
    const std::vector<std::string> cats = {"alpha", "alpha-2", "beta", "b", "gamma", "delta"};
    std::string first, second;
    for (int i = 0; i < kDocs; ++i) {
      ModelDoc doc;
      doc.id = "d" + std::to_string(i);
      for (int w = 0; w < 8; ++w)
        doc.body += (w ? " " : "") + std::string("w") + std::to_string(rng() % 12);
      if (rng() % 10) doc.cat = cats[rng() % cats.size()];
      if (rng() % 8) doc.year = 1990 + static_cast<std::int64_t>(rng() % 36);
      // The first document's price is whole: the field is inferred integer,
      // then becomes float at the first fraction.
      if (i == 0) {
        doc.price = 12;
      } else if (rng() % 6) {
        doc.price = static_cast<double>(static_cast<std::int64_t>(rng() % 20000) - 5000) / 100;
      }
      std::string published_text;
      if (rng() % 7) {
        const int y = 2000 + static_cast<int>(rng() % 26), m = 1 + static_cast<int>(rng() % 12),
                  d = 1 + static_cast<int>(rng() % 28);
        char text[64];
        switch (rng() % 3) {
          case 0:
            std::snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, d);
            doc.published = Utc(y, m, d);
            break;
          case 1:
            std::snprintf(text, sizeof text, "%04d-%02d-%02dT13:45:00Z", y, m, d);
            doc.published = Utc(y, m, d, 13, 45);
            break;
          default:
            std::snprintf(text, sizeof text, "%04d-%02d-%02dT01:15:00+02:00", y, m, d);
            doc.published = Utc(y, m, d, 1, 15) - 7200;
        }
        published_text = text;
      }
      if (rng() % 4) doc.active = rng() % 2 == 0;
      (i < 450 ? first : second) += JsonOf(doc, published_text) + "\n";
      docs_.push_back(doc);
    }
    WriteFile(dir_.path() / "first.jsonl", first);
    WriteFile(dir_.path() / "second.jsonl", second);
    index_ = dir_.path() / "index";
    BuildOptions options;
    options.threads = 2;
    BuildIndex(dir_.path() / "first.jsonl", index_, options, nullptr, nullptr);
    AddDocuments(dir_.path() / "second.jsonl", index_, options, nullptr, nullptr, {});
    // Deleted documents never match, however their values would.
    deleted_ = {"d5", "d77", "d450", "d699"};
    DeleteDocuments(index_, deleted_);
  }

  // Whether a model document passes one filter, written from the query's
  // meaning, not the engine's keys.
  using Predicate = std::function<bool(const ModelDoc&)>;

  struct Case {
    std::string clause;
    Predicate admits;
  };

  std::vector<Case> Cases() const {
    const auto in_years = [](std::int64_t low, std::int64_t high) {
      return [=](const ModelDoc& d) { return d.year && *d.year >= low && *d.year <= high; };
    };
    return {
        {"cat:alpha", [](const ModelDoc& d) { return d.cat == "alpha"; }},
        {"cat:\"b\"", [](const ModelDoc& d) { return d.cat == "b"; }},
        {"cat:al*", [](const ModelDoc& d) { return d.cat && d.cat->starts_with("al"); }},
        {"cat:[b TO delta]",
         [](const ModelDoc& d) { return d.cat && *d.cat >= "b" && *d.cat <= "delta"; }},
        {"cat:{b TO delta}",
         [](const ModelDoc& d) { return d.cat && *d.cat > "b" && *d.cat < "delta"; }},
        {"cat:>=delta", [](const ModelDoc& d) { return d.cat && *d.cat >= "delta"; }},
        {"year:2001", in_years(2001, 2001)},
        {"year:[2000 TO 2010]", in_years(2000, 2010)},
        {"year:{2000 TO 2010}", in_years(2001, 2009)},
        {"year:[* TO 1995]", in_years(0, 1995)},
        {"year:>2020", in_years(2021, 9999)},
        {"year:<1991", in_years(0, 1990)},
        {"price:[10 TO 20]",
         [](const ModelDoc& d) { return d.price && *d.price >= 10 && *d.price <= 20; }},
        {"price:{-10.5 TO 0]",
         [](const ModelDoc& d) { return d.price && *d.price > -10.5 && *d.price <= 0; }},
        {"price:<-40", [](const ModelDoc& d) { return d.price && *d.price < -40; }},
        {"price:12", [](const ModelDoc& d) { return d.price && *d.price == 12; }},
        {"published:2010",
         [](const ModelDoc& d) {
           return d.published && *d.published >= Utc(2010, 1, 1) && *d.published < Utc(2011, 1, 1);
         }},
        {"published:2010-06",
         [](const ModelDoc& d) {
           return d.published && *d.published >= Utc(2010, 6, 1) && *d.published < Utc(2010, 7, 1);
         }},
        {"published:[2005-03-01 TO 2007-02-28]",
         [](const ModelDoc& d) {
           return d.published && *d.published >= Utc(2005, 3, 1) && *d.published < Utc(2007, 3, 1);
         }},
        {"published:>=2024-02",
         [](const ModelDoc& d) { return d.published && *d.published >= Utc(2024, 2, 1); }},
        {"published:<2001-01-01T12:00:00Z",
         [](const ModelDoc& d) { return d.published && *d.published < Utc(2001, 1, 1, 12); }},
        {"active:true", [](const ModelDoc& d) { return d.active == true; }},
        {"active:false", [](const ModelDoc& d) { return d.active == false; }},
    };
  }

  bool Live(const ModelDoc& doc) const {
    return std::find(deleted_.begin(), deleted_.end(), doc.id) == deleted_.end();
  }

  TempDir dir_;
  fs::path index_;
  std::vector<ModelDoc> docs_;
  std::vector<std::string> deleted_;
};

TEST_F(FieldQueries, FiltersAdmitExactlyWhatTheModelSaysAndKeepScores) {
  Searcher searcher(index_);
  SearchOptions all;
  all.k = kDocs;
  all.count_exactly_up_to = kCountAll;
  const std::vector<Case> cases = Cases();
  std::mt19937_64 rng(4);
  std::size_t checked = 0, nonempty = 0;
  for (int round = 0; round < 160; ++round) {
    const Case& a = cases[rng() % cases.size()];
    const Case& b = cases[rng() % cases.size()];
    const std::string word = "w" + std::to_string(rng() % 12);
    // Every placement: required and excluded at the top (folded into the
    // flat evaluators), optional, nested in OR / NOT (the tree evaluator),
    // and filters alone.
    // `needs_word`: whether the word decides the match (required, or
    // optional with no required clause); `w +filter` matches every
    // document the filter admits, w only scoring.
    struct Shape {
      std::string query;
      bool needs_word;
      Predicate admits;
      std::string or_word = {};  // a second word that matches as well
    };
    const std::string word2 = "w" + std::to_string(rng() % 12);
    const std::vector<Shape> shapes = {
        {"+" + word + " +" + a.clause, true, [&](const ModelDoc& d) { return a.admits(d); }},
        {word + " +" + a.clause + " -" + b.clause, false,
         [&](const ModelDoc& d) { return a.admits(d) && !b.admits(d); }},
        {word + " -" + a.clause, true, [&](const ModelDoc& d) { return !a.admits(d); }},
        {"+" + word + " +(" + a.clause + " OR " + b.clause + ")", true,
         [&](const ModelDoc& d) { return a.admits(d) || b.admits(d); }},
        {"+" + word + " AND NOT " + a.clause, true,
         [&](const ModelDoc& d) { return !a.admits(d); }},
        {"+(" + word + " zzz) +" + a.clause, true, [&](const ModelDoc& d) { return a.admits(d); }},
        {"+(" + word + " " + word2 + ") +" + a.clause + " -" + b.clause, true,
         [&](const ModelDoc& d) { return a.admits(d) && !b.admits(d); }, word2},
        {word + " " + word2 + " -" + a.clause, true,
         [&](const ModelDoc& d) { return !a.admits(d); }, word2},
    };
    const SearchResult unfiltered = searcher.Search("+" + word, all);
    std::map<DocId, Score> scores;
    for (const Hit& hit : unfiltered.hits) scores[hit.doc] = hit.score;
    for (const auto& [query, needs_word, admits, or_word] : shapes) {
      const SearchResult result = searcher.Search(query, all);
      std::set<std::string> expected;
      for (const ModelDoc& doc : docs_) {
        const std::string padded = " " + doc.body + " ";
        const bool has_word =
            padded.find(" " + word + " ") != std::string::npos ||
            (!or_word.empty() && padded.find(" " + or_word + " ") != std::string::npos);
        if (Live(doc) && (has_word || !needs_word) && admits(doc)) expected.insert(doc.id);
      }
      std::set<std::string> got;
      for (const Hit& hit : result.hits) {
        got.insert(searcher.snapshot().external_id(hit.doc));
        // A filter never changes a score: the word's, or 0 without it.
        if (!or_word.empty()) continue;  // two words: scored below, as the unfiltered query
        const auto scored = scores.find(hit.doc);
        EXPECT_EQ(hit.score, scored == scores.end() ? 0.0f : scored->second) << query;
      }
      if (!or_word.empty()) {
        const SearchResult words = searcher.Search(word + " " + or_word, all);
        std::map<DocId, Score> word_scores;
        for (const Hit& hit : words.hits) word_scores[hit.doc] = hit.score;
        for (const Hit& hit : result.hits) EXPECT_EQ(hit.score, word_scores.at(hit.doc)) << query;
      }
      EXPECT_EQ(got, expected) << query;
      EXPECT_EQ(result.total_matches, expected.size()) << query;
      EXPECT_TRUE(result.total_exact) << query;
      ++checked;
      nonempty += expected.empty() ? 0 : 1;
    }
    // Pruned evaluation with a small k gives the top of the full list:
    // every algorithm, the filters left out where deletions are.
    for (const Shape& shape : shapes) {
      const SearchResult full = searcher.Search(shape.query, all);
      for (const std::size_t k : {1u, 3u, 10u}) {
        for (const Algorithm algorithm :
             {Algorithm::kAuto, Algorithm::kMaxScore, Algorithm::kBmw, Algorithm::kExhaustive}) {
          SearchOptions top = all;
          top.k = k;
          top.algorithm = algorithm;
          top.count_exactly_up_to = SearchOptions::kDefaultCountUpTo;
          const SearchResult result = searcher.Search(shape.query, top);
          ASSERT_EQ(result.hits.size(), std::min(k, full.hits.size())) << shape.query;
          for (std::size_t i = 0; i < result.hits.size(); ++i) {
            EXPECT_EQ(result.hits[i].doc, full.hits[i].doc) << shape.query << " k " << k;
            EXPECT_EQ(result.hits[i].score, full.hits[i].score) << shape.query << " k " << k;
          }
          EXPECT_EQ(result.total_matches, full.total_matches) << shape.query;
        }
      }
    }
    // A filter alone matches every document it admits, each scoring 0.
    const SearchResult alone = searcher.Search(a.clause, all);
    std::size_t expected_alone = 0;
    for (const ModelDoc& doc : docs_) expected_alone += Live(doc) && a.admits(doc) ? 1 : 0;
    EXPECT_EQ(alone.total_matches, expected_alone) << a.clause;
    for (const Hit& hit : alone.hits) EXPECT_EQ(hit.score, 0.0f);
    // Counting agrees.
    SearchOptions count = all;
    count.count_only = true;
    for (const Shape& shape : shapes) {
      EXPECT_EQ(searcher.Search(shape.query, count).total_matches,
                searcher.Search(shape.query, all).total_matches)
          << shape.query;
    }
  }
  EXPECT_EQ(checked, 1280u);
  EXPECT_GT(nonempty, 300u);  // the cases do admit documents
}

TEST_F(FieldQueries, SortingAndFacetsAgreeWithTheModel) {
  Searcher searcher(index_);
  const FieldTypes& types = searcher.snapshot().field_types();
  ASSERT_EQ(types.size(), 5u);
  EXPECT_EQ(types.at("price"), FieldType::kFloat);  // promoted from integer
  EXPECT_EQ(types.at("published"), FieldType::kDate);
  std::map<std::string, DocId> global;
  for (DocId d = 0; d < searcher.snapshot().document_count(); ++d) {
    global[searcher.snapshot().external_id(d)] = d;
  }
  std::mt19937_64 rng(8);
  const std::vector<std::string> sorts = {"year",      "year:desc,price",
                                          "cat,score", "published:desc",
                                          "price:asc", "active:desc,cat:desc,year"};
  const std::vector<Case> cases = Cases();
  for (int round = 0; round < 60; ++round) {
    const std::string word = "w" + std::to_string(rng() % 12);
    const Case& filter = cases[rng() % cases.size()];
    const std::string query = round % 3 == 0 ? filter.clause : word + " +" + filter.clause;
    SearchOptions options;
    options.k = 1 + rng() % 40;
    options.sort = ParseSortKeys(sorts[rng() % sorts.size()], types);
    options.facets = {ParseFacet("cat:100", types), ParseFacet("year", types),
                      ParseFacet("published:year:100", types), ParseFacet("active", types)};
    const SearchResult result = searcher.Search(query, options);
    // The model: matches, their scores (from the unsorted search), ordered
    // by the keys, missing values last, then score, then id.
    SearchOptions all;
    all.k = kDocs;
    const SearchResult scored = searcher.Search(query, all);
    std::map<DocId, Score> scores;
    for (const Hit& hit : scored.hits) scores[hit.doc] = hit.score;
    std::vector<const ModelDoc*> matches;
    for (const ModelDoc& doc : docs_) {
      const bool has_word = (" " + doc.body + " ").find(" " + word + " ") != std::string::npos;
      (void)has_word;  // `w +filter` matches what the filter admits; w only scores
      if (Live(doc) && filter.admits(doc)) matches.push_back(&doc);
    }
    ASSERT_EQ(result.total_matches, matches.size()) << query;
    const auto compare = [&](const ModelDoc* x, const ModelDoc* y) {
      for (const SortKey& key : options.sort) {
        int order = 0;
        bool hx = true, hy = true;
        if (key.is_score()) {
          const Score sx = scores.at(global.at(x->id)), sy = scores.at(global.at(y->id));
          order = sx < sy ? -1 : sx > sy ? 1 : 0;
        } else if (key.field == "year") {
          hx = x->year.has_value(), hy = y->year.has_value();
          if (hx && hy) order = *x->year < *y->year ? -1 : *x->year > *y->year ? 1 : 0;
        } else if (key.field == "price") {
          hx = x->price.has_value(), hy = y->price.has_value();
          if (hx && hy) order = *x->price < *y->price ? -1 : *x->price > *y->price ? 1 : 0;
        } else if (key.field == "cat") {
          hx = x->cat.has_value(), hy = y->cat.has_value();
          if (hx && hy) order = x->cat->compare(*y->cat) < 0 ? -1 : x->cat->compare(*y->cat) > 0;
        } else if (key.field == "published") {
          hx = x->published.has_value(), hy = y->published.has_value();
          if (hx && hy) order = *x->published < *y->published ? -1 : *x->published > *y->published;
        } else if (key.field == "active") {
          hx = x->active.has_value(), hy = y->active.has_value();
          if (hx && hy) order = *x->active == *y->active ? 0 : *x->active ? 1 : -1;
        }
        if (hx != hy) return hx;
        if (order != 0) return key.descending ? order > 0 : order < 0;
      }
      const Score sx = scores.at(global.at(x->id)), sy = scores.at(global.at(y->id));
      if (sx != sy) return sx > sy;
      return global.at(x->id) < global.at(y->id);
    };
    std::sort(matches.begin(), matches.end(), compare);
    ASSERT_EQ(result.hits.size(), std::min<std::size_t>(options.k, matches.size())) << query;
    for (std::size_t i = 0; i < result.hits.size(); ++i) {
      EXPECT_EQ(searcher.snapshot().external_id(result.hits[i].doc), matches[i]->id)
          << query << " rank " << i + 1;
    }
    // Facets: every value counted, and the matches without one.
    std::map<std::string, std::uint64_t> cats, years, published, active;
    std::uint64_t no_cat = 0;
    for (const ModelDoc* doc : matches) {
      if (doc->cat) {
        ++cats[*doc->cat];
      } else {
        ++no_cat;
      }
      if (doc->year) ++years[std::to_string(*doc->year)];
      if (doc->published) {
        const std::time_t t = static_cast<std::time_t>(*doc->published);
        std::tm tm{};
        gmtime_r(&t, &tm);
        ++published[std::to_string(tm.tm_year + 1900)];
      }
      if (doc->active) ++active[*doc->active ? "true" : "false"];
    }
    const auto as_map = [](const FacetResult& facet) {
      std::map<std::string, std::uint64_t> counts;
      for (const FacetBucket& bucket : facet.buckets) counts[bucket.label] = bucket.count;
      return counts;
    };
    ASSERT_EQ(result.facets.size(), 4u);
    EXPECT_EQ(as_map(result.facets[0]), cats) << query;
    EXPECT_EQ(result.facets[0].missing, no_cat);
    EXPECT_EQ(as_map(result.facets[2]), published) << query;
    EXPECT_EQ(as_map(result.facets[3]), active) << query;
    // year: the 10 most frequent, the rest counted as other.
    std::uint64_t shown = 0;
    for (const FacetBucket& bucket : result.facets[1].buckets) {
      EXPECT_EQ(bucket.count, years[bucket.label]) << bucket.label;
      shown += bucket.count;
    }
    std::uint64_t with_year = 0;
    for (const auto& [year, count] : years) with_year += count;
    EXPECT_EQ(shown + result.facets[1].other, with_year);
    EXPECT_LE(result.facets[1].buckets.size(), 10u);
    for (std::size_t i = 1; i < result.facets[1].buckets.size(); ++i) {
      EXPECT_GE(result.facets[1].buckets[i - 1].count, result.facets[1].buckets[i].count);
    }
  }
}

TEST_F(FieldQueries, ColumnsSurviveMergeAndCheck) {
  {
    const CheckReport report = CheckIndex(index_);
    EXPECT_TRUE(report.sound) << report.problem;
  }
  Searcher before(index_);
  SearchOptions all;
  all.k = kDocs;
  all.sort = ParseSortKeys("published:desc,cat", before.snapshot().field_types());
  const SearchResult sorted_before = before.Search("w1", all);
  MergeSegments(index_, nullptr, nullptr);
  Searcher after(index_);
  EXPECT_EQ(after.snapshot().segments().size(), 1u);
  const SearchResult sorted_after = after.Search("w1", all);
  ASSERT_EQ(sorted_after.hits.size(), sorted_before.hits.size());
  for (std::size_t i = 0; i < sorted_after.hits.size(); ++i) {
    EXPECT_EQ(after.snapshot().external_id(sorted_after.hits[i].doc),
              before.snapshot().external_id(sorted_before.hits[i].doc));
    EXPECT_EQ(after.snapshot().FieldsOf(sorted_after.hits[i].doc).size(),
              before.snapshot().FieldsOf(sorted_before.hits[i].doc).size());
  }
  const CheckReport report = CheckIndex(index_);
  EXPECT_TRUE(report.sound) << report.problem;
}

TEST_F(FieldQueries, AddingAValueOfAnotherTypeIsAnErrorNamingTheLine) {
  WriteFile(dir_.path() / "bad.jsonl",
            "{\"id\": \"x1\", \"body\": \"w1\", \"year\": 2000}\n"
            "{\"id\": \"x2\", \"body\": \"w1\", \"year\": \"soon\"}\n");
  BuildOptions options;
  try {
    AddDocuments(dir_.path() / "bad.jsonl", index_, options, nullptr, nullptr, {});
    FAIL() << "a keyword was added to an integer field";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("bad.jsonl:2:"), std::string::npos) << what;
    EXPECT_NE(what.find("field 'year'"), std::string::npos) << what;
  }
  // Nothing was added.
  EXPECT_FALSE(IndexSnapshot(index_).FindExternalId("x1"));
}

TEST_F(FieldQueries, UnknownFieldsAndBadValuesAreQueryErrors) {
  Searcher searcher(index_);
  const auto error_of = [&](const std::string& query) -> std::string {
    try {
      searcher.Search(query, {});
    } catch (const QuerySyntaxError& e) {
      return e.what();
    }
    return "";
  };
  const std::string unknown = error_of("w1 color:red");
  EXPECT_NE(unknown.find("unknown field 'color'"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("published"), std::string::npos) << unknown;
  EXPECT_NE(error_of("year:abc").find("not an integer"), std::string::npos);
  EXPECT_NE(error_of("published:2025-02-30").find("not a date"), std::string::npos);
  EXPECT_NE(error_of("year:[2000 TO").find("closing"), std::string::npos);
  EXPECT_NE(error_of("year:(2000 OR 2001)").find("not a group"), std::string::npos);
  // Colons that cannot start a field clause stay words.
  EXPECT_EQ(error_of("w1 10:30 re: w2"), "");
  EXPECT_THROW(ParseSortKeys("colour", searcher.snapshot().field_types()), InputError);
  EXPECT_THROW(ParseFacet("cat:month", searcher.snapshot().field_types()), InputError);
}

// ---- Uses a schema takes away -------------------------------------------------

// --schema's stored/searchable/sortable, as a user meets them: hits show
// only stored fields, filters refuse unsearchable ones, --sort and --facet
// unsortable ones, each with a one-line error; a text field's words are
// searched with the body; `add` keeps the index's uses (and refuses a
// schema that changes them), a merge carries them, and check passes.
TEST(FieldUses, SchemaUsesHoldThroughSearchAddMergeAndCheck) {
  TempDir dir;
  const fs::path index = dir.path() / "index";
  WriteFile(dir.path() / "a.jsonl",
            "{\"id\": \"a\", \"body\": \"an apple a day\", \"abstract\": \"orchard fruit\", "
            "\"sku\": \"s1\", \"code\": 7, \"rank\": 3, \"junk\": \"x\"}\n"
            "{\"id\": \"b\", \"body\": \"a pear tree\", \"abstract\": \"orchard tree\", "
            "\"sku\": \"s2\", \"code\": 9, \"rank\": 1, \"junk\": \"y\"}\n");
  WriteFile(dir.path() / "c.jsonl",
            "{\"id\": \"c\", \"body\": \"a plum\", \"abstract\": \"orchard stone fruit\", "
            "\"sku\": \"s3\", \"code\": 8, \"rank\": 2}\n");
  WriteFile(dir.path() / "schema.json",
            R"({"abstract": "text", "sku": {"type": "keyword", "stored": false},)"
            R"( "code": {"type": "integer", "searchable": false},)"
            R"( "rank": {"type": "integer", "sortable": false},)"
            R"( "junk": {"type": "keyword", "stored": false, "searchable": false,)"
            R"( "sortable": false}})");
  const auto index_cmd = [&](const std::string& args) {
    return RunCommand(kIndexBin + " " + args);
  };
  const auto search = [&](const std::string& args) {
    return RunCommand(kSearchBin + " " + Quote(index) + " " + args);
  };
  ASSERT_EQ(index_cmd(Quote(dir.path() / "a.jsonl") + " " + Quote(index) + " --schema " +
                      Quote(dir.path() / "schema.json"))
                .exit_code,
            0);
  const auto check_answers = [&](std::size_t documents) {
    SCOPED_TRACE(documents);
    // The text field's words are searched; only stored fields are shown.
    const CommandResult json = search("orchard --format json");
    EXPECT_EQ(json.exit_code, 0) << json.err;
    EXPECT_NE(json.out.find("\"matches\":" + std::to_string(documents)), std::string::npos)
        << json.out;
    EXPECT_NE(json.out.find("\"code\":7"), std::string::npos) << json.out;
    EXPECT_NE(json.out.find("\"rank\":3"), std::string::npos) << json.out;
    EXPECT_EQ(json.out.find("sku"), std::string::npos) << json.out;
    EXPECT_EQ(json.out.find("junk"), std::string::npos) << json.out;
    // Not stored, still searchable and sortable.
    const CommandResult sku = search("'+orchard +sku:s2' --format json");
    EXPECT_NE(sku.out.find("\"matches\":1,"), std::string::npos) << sku.out << sku.err;
    const CommandResult by_sku = search("orchard --sort sku:desc --no-snippets --color never");
    EXPECT_EQ(by_sku.exit_code, 0) << by_sku.err;
    EXPECT_NE(by_sku.out.find("sku (not stored)"), std::string::npos) << by_sku.out;
    EXPECT_NE(by_sku.out.find(documents == 3 ? " 1. c " : " 1. b "), std::string::npos)
        << by_sku.out;
    // Not searchable: refused in a query, still sorted.
    const CommandResult code = search("'code:7'");
    EXPECT_NE(code.exit_code, 0);
    EXPECT_NE(code.err.find("field 'code' is not searchable"), std::string::npos) << code.err;
    EXPECT_EQ(search("orchard --sort code").exit_code, 0);
    // Not sortable: refused by --sort and --facet, still filtered.
    for (const char* option : {"--sort rank", "--facet rank"}) {
      const CommandResult rank = search(std::string("orchard ") + option);
      EXPECT_NE(rank.exit_code, 0) << option;
      EXPECT_NE(rank.err.find("field 'rank' is not sortable"), std::string::npos) << rank.err;
    }
    EXPECT_NE(search("'+orchard +rank:[1 TO 1]' --format json").out.find("\"matches\":1,"),
              std::string::npos);
    // Kept for nothing: not a field at all.
    EXPECT_NE(search("'junk:x'").err.find("unknown field 'junk'"), std::string::npos);
    const CommandResult check = index_cmd("check " + Quote(index));
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  };
  check_answers(2);
  // A schema that changes a use is refused, and adds nothing.
  WriteFile(dir.path() / "other.json", R"({"sku": "keyword"})");
  const CommandResult refused =
      index_cmd("add " + Quote(index) + " " + Quote(dir.path() / "c.jsonl") + " --schema " +
                Quote(dir.path() / "other.json"));
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("other uses than the index holds (\"stored\": false"),
            std::string::npos)
      << refused.err;
  // Without one, the index's uses hold for the added documents (the text
  // field, not recorded in the index, is named again).
  ASSERT_EQ(index_cmd("add " + Quote(index) + " " + Quote(dir.path() / "c.jsonl") +
                      " --body-field body,abstract")
                .exit_code,
            0);
  check_answers(3);
  ASSERT_EQ(index_cmd("merge " + Quote(index)).exit_code, 0);
  check_answers(3);
}

// A folder's metadata fields take the schema's uses too.
TEST(FieldUses, MetadataFieldsOfFilesTakeTheSchemasUses) {
  TempDir dir;
  fs::create_directories(dir.path() / "docs");
  WriteFile(dir.path() / "docs" / "note.txt", "A note\n\nabout orchards and fruit\n");
  WriteFile(dir.path() / "schema.json",
            R"({"path": {"type": "keyword", "stored": false},)"
            R"( "size": {"type": "integer", "stored": false, "searchable": false,)"
            R"( "sortable": false}})");
  const fs::path index = dir.path() / "index";
  const CommandResult built =
      RunCommand(kIndexBin + " " + Quote(dir.path() / "docs") + " " + Quote(index) + " --schema " +
                 Quote(dir.path() / "schema.json"));
  ASSERT_EQ(built.exit_code, 0) << built.err;
  const CommandResult json =
      RunCommand(kSearchBin + " " + Quote(index) + " orchards --format json");
  EXPECT_NE(json.out.find("\"matches\":1,"), std::string::npos) << json.out;
  // The hit's "file" (from `sources`) still names it; its fields do not.
  const std::string fields =
      json.out.substr(std::min(json.out.find("\"fields\":"), json.out.size()));
  EXPECT_NE(fields.find("\"extension\":\"txt\""), std::string::npos) << json.out;
  EXPECT_EQ(fields.find("\"path\""), std::string::npos) << json.out;
  EXPECT_EQ(fields.find("\"size\""), std::string::npos) << json.out;
  EXPECT_NE(
      RunCommand(kSearchBin + " " + Quote(index) + " '+orchards +path:note.txt' --format json")
          .out.find("\"matches\":1,"),
      std::string::npos);
  EXPECT_NE(RunCommand(kSearchBin + " " + Quote(index) + " 'size:<100'").err.find("unknown field"),
            std::string::npos);
}

// ---- Files and the news sample ----------------------------------------------

TEST(FileFields, NewsSampleDatesFiltersSortingAndFacets) {
  const fs::path news = kSharedDir / "corpora" / "news-sample";
  ASSERT_TRUE(TestDataExists(news));
  TempDir dir;
  BuildIndex(news, dir.path() / "index", BuildOptions{}, nullptr, nullptr);
  Searcher searcher(dir.path() / "index");
  const IndexSnapshot& snapshot = searcher.snapshot();
  std::set<std::string> dated;
  for (DocId d = 0; d < snapshot.document_count(); ++d) {
    const StoredDocument doc = snapshot.Document(d);
    EXPECT_FALSE(doc.title.starts_with("date")) << doc.title;
    EXPECT_EQ(doc.body.find(" date 20"), std::string::npos);
    const std::string text = ReadFile(news / snapshot.external_id(d));
    std::vector<FieldValue> values = snapshot.FieldsOf(d);
    const auto field = [&](std::string_view name) -> const FieldValue* {
      for (const FieldValue& v : values) {
        if (v.name == name) return &v;
      }
      return nullptr;
    };
    ASSERT_NE(field("path"), nullptr);
    EXPECT_EQ(field("path")->keyword, snapshot.external_id(d));
    EXPECT_EQ(field("extension")->keyword, "txt");
    EXPECT_EQ(field("folder")->keyword, ".");
    EXPECT_EQ(field("format")->keyword, "text");
    EXPECT_EQ(field("size")->key, static_cast<std::int64_t>(text.size()));
    ASSERT_NE(field("modified"), nullptr);
    const std::size_t line = text.find(" date ");
    if (line == 0) {
      ASSERT_NE(field("date"), nullptr);
      EXPECT_EQ(FormatDate(field("date")->key), text.substr(6, 10));
      dated.insert(snapshot.external_id(d));
    } else {
      EXPECT_EQ(field("date"), nullptr);
    }
  }
  ASSERT_FALSE(dated.empty());
  const SearchResult february = searcher.Search("+putin +date:[2025-02-01 TO 2025-02-28]", {});
  std::set<std::string> got;
  for (const Hit& hit : february.hits) got.insert(snapshot.external_id(hit.doc));
  EXPECT_EQ(got, dated);  // every dated article is of February and names Putin
  SearchOptions sorted;
  sorted.sort = ParseSortKeys("date:desc", snapshot.field_types());
  sorted.facets = {ParseFacet("date", snapshot.field_types())};
  const SearchResult by_date = searcher.Search("putin", sorted);
  ASSERT_EQ(by_date.hits.size(), snapshot.live_count());
  for (std::size_t i = 0; i < dated.size(); ++i) {
    EXPECT_TRUE(dated.count(snapshot.external_id(by_date.hits[i].doc))) << i;
  }
  ASSERT_EQ(by_date.facets.size(), 1u);
  ASSERT_EQ(by_date.facets[0].buckets.size(), 1u);
  EXPECT_EQ(by_date.facets[0].buckets[0].label, "2025-02");
  EXPECT_EQ(by_date.facets[0].buckets[0].count, dated.size());
  EXPECT_EQ(by_date.facets[0].missing, snapshot.live_count() - dated.size());
  // Explain names each filter and says whether it holds.
  const CommandResult explained =
      RunCommand(kSearchBin + " " + Quote(dir.path() / "index") +
                 " '+putin +date:2025 -format:html' --explain --no-snippets --color never");
  EXPECT_EQ(explained.exit_code, 0) << explained.err;
  EXPECT_NE(explained.out.find("required filter: holds here"), std::string::npos) << explained.out;
  EXPECT_NE(explained.out.find("format:\"html\""), std::string::npos) << explained.out;
  EXPECT_NE(explained.out.find("excluded filter: does not hold here: ok"), std::string::npos);
  // The command line, as a user types it.
  const CommandResult run = RunCommand(kSearchBin + " " + Quote(dir.path() / "index") +
                                       " putin --sort date:desc --facet date --format json");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("\"facets\":{\"date\":[{\"value\":\"2025-02\",\"count\":" +
                         std::to_string(dated.size()) + "}]}"),
            std::string::npos)
      << run.out;
  const CommandResult unknown =
      RunCommand(kSearchBin + " " + Quote(dir.path() / "index") + " 'color:red'");
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("unknown field 'color'"), std::string::npos) << unknown.err;
}

}  // namespace
}  // namespace fathom::testing

namespace fathom::testing {
namespace {

// Top k by a numeric field passes over blocks of documents whose values
// cannot enter (FieldColumns::BlockBounds) once the counting rule is met.
// On two segments of 12,000 and 8,000 documents with deletions, fields that
// grow with the document order (where blocks can be passed over), one that
// does not, values missing here and there: the hits are always the model's,
// the count is exact when asked for, and blocks really are passed over.
TEST(SortEarlyTermination, PassesOverBlocksAndKeepsTheModelsHits) {
  TempDir dir;
  constexpr int kDocs = 20000;
  struct Doc {
    std::string id;
    bool common_word;
    std::optional<std::int64_t> seq;  // grows with the order, 10% missing
    std::int64_t noise;               // random
  };
  std::mt19937_64 rng(5);
  std::vector<Doc> docs;
  std::string first, second;
  for (int i = 0; i < kDocs; ++i) {
    Doc doc{"s" + std::to_string(i), rng() % 3 != 0, std::nullopt,
            static_cast<std::int64_t>(rng() % 1000)};
    if (rng() % 10 != 0) doc.seq = 3 * i + static_cast<std::int64_t>(rng() % 3);
    std::string line = "{\"id\": \"" + doc.id + "\", \"body\": \"" +
                       (doc.common_word ? "common filler" : "filler") +
                       "\", \"noise\": " + std::to_string(doc.noise);
    if (doc.seq) line += ", \"seq\": " + std::to_string(*doc.seq);
    line += "}\n";
    (i < 12000 ? first : second) += line;
    docs.push_back(doc);
  }
  WriteFile(dir / "first.jsonl", first);
  WriteFile(dir / "second.jsonl", second);
  const std::filesystem::path index = dir / "index";
  BuildIndex(dir / "first.jsonl", index, BuildOptions{}, nullptr, nullptr);
  // Every 7th document deleted: of the first segment in the commit that
  // adds the second, of the second by a delete after it.
  std::vector<std::string> deleted[2];
  std::set<std::string> deleted_set;
  for (int i = 0; i < kDocs; i += 7) {
    deleted[i < 12000 ? 0 : 1].push_back(docs[static_cast<std::size_t>(i)].id);
    deleted_set.insert(docs[static_cast<std::size_t>(i)].id);
  }
  AddDocuments(dir / "second.jsonl", index, BuildOptions{}, nullptr, nullptr, deleted[0]);
  DeleteDocuments(index, deleted[1]);
  Searcher searcher(index);
  ASSERT_EQ(searcher.snapshot().segments().size(), 2u);
  const FieldTypes& types = searcher.snapshot().field_types();

  std::size_t skipped_runs = 0;
  for (const std::string sort : {"seq:desc", "seq", "noise:desc,seq", "seq:desc,score"}) {
    for (const std::string query : {"filler", "common"}) {
      // The model: live matches, by the keys, missing values last.
      std::vector<const Doc*> matches;
      for (const Doc& doc : docs) {
        if (!deleted_set.contains(doc.id) && (query == "filler" || doc.common_word)) {
          matches.push_back(&doc);
        }
      }
      const bool by_noise = sort.rfind("noise", 0) == 0;
      const bool descending = sort.find(":desc") != std::string::npos;
      std::stable_sort(matches.begin(), matches.end(), [&](const Doc* a, const Doc* b) {
        if (by_noise && a->noise != b->noise) return a->noise > b->noise;
        if (a->seq.has_value() != b->seq.has_value()) return a->seq.has_value();
        if (!a->seq) {
          // Then by score (for "filler", the shorter documents without
          // "common" score higher), then by id: document order.
          return query == "filler" && a->common_word != b->common_word && !a->common_word;
        }
        return by_noise || !descending ? *a->seq < *b->seq : *a->seq > *b->seq;
      });
      for (const std::size_t k : {1u, 10u, 60u}) {
        for (const std::uint64_t count_up_to : {std::uint64_t{0}, std::uint64_t{100}, kCountAll}) {
          SearchOptions options;
          options.k = k;
          options.sort = ParseSortKeys(sort, types);
          options.count_exactly_up_to = count_up_to;
          const SearchResult result = searcher.Search(query, options);
          const std::string what = sort + " " + query + " k=" + std::to_string(k) + " up to " +
                                   std::to_string(count_up_to);
          ASSERT_EQ(result.hits.size(), std::min(k, matches.size())) << what;
          for (std::size_t i = 0; i < result.hits.size(); ++i) {
            ASSERT_EQ(searcher.snapshot().external_id(result.hits[i].doc), matches[i]->id)
                << what << " rank " << i;
          }
          if (result.total_exact) {
            ASSERT_EQ(result.total_matches, matches.size()) << what;
          } else {
            ++skipped_runs;
            ASSERT_GE(result.total_matches, std::min<std::uint64_t>(count_up_to, matches.size()))
                << what;
            ASSERT_LT(result.total_matches, matches.size()) << what;
          }
          if (count_up_to == kCountAll) {
            ASSERT_TRUE(result.total_exact) << what;
          }
        }
      }
    }
  }
  // seq (either direction, first key) on both queries, at every k, with
  // count limits 0 and 100: 2 x 2 x ... runs can pass over blocks.
  EXPECT_GE(skipped_runs, 12u);
}

}  // namespace
}  // namespace fathom::testing
