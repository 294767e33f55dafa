// Typing a document's fields: the JSON members that are not its id, title or
// body, and the metadata of a file (path, folder, extension, format, size,
// modification time, and a leading ` date YYYY-MM-DD` line).
//
// A field's type is declared (`--schema FILE`, or the index a document is
// added to) or inferred from its first value:
//   true / false                     boolean
//   a number without fraction or exponent, in 64 bits   integer
//   any other number                 float
//   a string that is an ISO 8601 date (field_values.hpp: ParseDate)   date
//   any other string                 keyword
// An inferred integer field that meets a fraction becomes a float field
// (its values are kept, as floats). Any other value that does not fit the
// field's type is an error naming the field; null is no value; arrays and
// objects are not typed values (a declared field refuses them, an inferred
// one leaves them out and warns once).
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/analysis/field_values.hpp"
#include "indexer/corpus/json_line.hpp"

namespace fathom {

// Declared fields, by name.
struct FieldSchema {
  FieldTypes types;
  // Typed fields without every use (field_values.hpp: FieldUses); 0: the
  // field is not kept.
  FieldUsesByName uses;
  // Members whose text joins the body (JSON Lines: like --body-field).
  std::vector<std::string> text_fields;
};

// Reads a schema file: a JSON object, each member a field and its type
// ({"year": "integer", "published": "date", "abstract": "text"}) or an
// object with the type and the uses to take away ({"type": "keyword",
// "stored": false}; "searchable" and "sortable" likewise; all true by
// default). Throws InputError naming the file, the field and what is wrong
// (an unknown type or setting, a bad field name, malformed JSON).
FieldSchema ReadSchemaFile(const std::filesystem::path& path);

// The fields every document of a file gets, with their fixed types.
inline constexpr std::string_view kPathField = "path";      // keyword: relative path
inline constexpr std::string_view kFolderField = "folder";  // keyword: its folder, "." at the top
inline constexpr std::string_view kExtensionField = "extension";  // keyword: "pdf", lower case
inline constexpr std::string_view kFormatField = "format";  // keyword: text, html, pdf, trec, warc
inline constexpr std::string_view kSizeField = "size";      // integer: bytes
inline constexpr std::string_view kModifiedField = "modified";  // date: modification time
inline constexpr std::string_view kDateField = "date";          // date: a leading date line

class FieldTyper {
 public:
  explicit FieldTyper(FieldSchema declared = {}) : declared_(std::move(declared)) {}

  // Types one member as field `member.name` and appends its value (none for
  // null). Returns what is wrong (naming the field, without file or line)
  // or an empty string. warn receives the once-per-field notes.
  std::string Add(const JsonMember& member, std::vector<FieldValue>& values,
                  std::string* note = nullptr);

  // The type a field has now (declared or inferred), or nullopt.
  std::optional<FieldType> TypeOf(std::string_view name) const;

 private:
  FieldSchema declared_;
  FieldTypes inferred_;
  std::set<std::string, std::less<>> noted_;
};

// Sorts values by name; of a field given twice, keeps the last value, as
// JSON readers do.
void KeepLastOfEachField(std::vector<FieldValue>& values);

// A text file's leading metadata line, as scraped articles start: optional
// blanks, "date", blanks, an ISO 8601 date (ParseDate), then a blank or the
// end of the line. Returns the date's key and removes "date <date>" (and
// the blanks around it) from text, leaving the rest of the line as the
// start of the text; nullopt (text untouched) otherwise.
std::optional<std::int64_t> TakeLeadingDateLine(std::string& text);

// Extension of a file name, lower case, without the dot ("" when none).
std::string ExtensionOf(std::string_view name);
// Folder of a '/'-separated relative path: "." for one at the top.
std::string FolderOf(std::string_view relative_path);

}  // namespace fathom
