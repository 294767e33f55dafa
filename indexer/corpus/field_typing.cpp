#include "indexer/corpus/field_typing.hpp"

#include <algorithm>

#include <simdjson.h>

#include "common/error.hpp"
#include "indexer/corpus/corpus_reader.hpp"

namespace fathom {

namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

bool LooksIntegral(std::string_view number) {
  return number.find_first_of(".eE") == std::string_view::npos;
}

// The value's key under type, or what is wrong with it.
std::string KeyOf(const JsonMember& member, FieldType type, FieldValue& value) {
  const std::string_view text = member.value;
  const auto not_a = [&] {
    std::string shown(text.substr(0, 40));
    if (text.size() > 40) shown += "...";
    return "field '" + member.name +
           "': " + (member.kind == JsonKind::kString ? "\"" + shown + "\"" : shown) + " is not " +
           (type == FieldType::kInteger ? "an " : "a ") + std::string(FieldTypeName(type));
  };
  value.type = type;
  switch (type) {
    case FieldType::kKeyword:
      if (member.kind != JsonKind::kString && member.kind != JsonKind::kNumber &&
          member.kind != JsonKind::kBoolean) {
        return not_a();
      }
      if (text.size() > kMaxKeywordBytes) {
        return "field '" + member.name + "': a keyword of " + std::to_string(text.size()) +
               " bytes (at most " + std::to_string(kMaxKeywordBytes) + ")";
      }
      value.keyword = text;
      return {};
    case FieldType::kInteger:
    case FieldType::kFloat:
      if (member.kind != JsonKind::kNumber && member.kind != JsonKind::kString) return not_a();
      break;
    case FieldType::kDate:
      if (member.kind != JsonKind::kString) return not_a();
      break;
    case FieldType::kBoolean:
      if (member.kind != JsonKind::kBoolean && member.kind != JsonKind::kString) return not_a();
      break;
  }
  const auto key = ParseKey(type, text);
  if (!key) return not_a();
  value.key = *key;
  return {};
}

}  // namespace

FieldSchema ReadSchemaFile(const std::filesystem::path& path) {
  std::string text;
  try {
    text = ReadWholeFile(path);
  } catch (const Error& e) {
    throw InputError(std::string(e.what()));
  }
  const std::string where = path.string() + ": ";
  constexpr const char* kTypes = "text, keyword, integer, float, date or boolean";
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (const auto error = parser.parse(text).get(object); error) {
    throw InputError(where + "not a JSON object: " + simdjson::error_message(error));
  }
  FieldSchema schema;
  for (const simdjson::dom::key_value_pair& member : object) {
    const std::string name(member.key);
    const simdjson::dom::element value = member.value;
    const std::string field = where + "field '" + name + "': ";
    if (!IsValidFieldName(name)) {
      throw InputError(where + "'" + name +
                       "' is not a field name (letters, digits, '_', '-', '.'; a letter or '_' "
                       "first; at most " +
                       std::to_string(kMaxFieldNameBytes) + " bytes)");
    }
    if (schema.types.count(name) != 0 ||
        std::find(schema.text_fields.begin(), schema.text_fields.end(), name) !=
            schema.text_fields.end()) {
      throw InputError(field + "declared twice");
    }
    // A type alone, or an object: {"type": ..., "stored": ..., ...}.
    std::string_view type_name;
    FieldUses uses = kEveryUse;
    bool uses_given = false;
    if (value.is_string()) {
      type_name = value.get_string().value();
    } else if (simdjson::dom::object options; value.get(options) == simdjson::SUCCESS) {
      for (const simdjson::dom::key_value_pair& pair : options) {
        const std::string_view option = pair.key;
        const simdjson::dom::element setting = pair.value;
        if (option == "type") {
          if (!setting.is_string()) throw InputError(field + "\"type\" must be a string");
          type_name = setting.get_string().value();
          continue;
        }
        FieldUses use = 0;
        for (const FieldUses each : kEachUse) {
          if (option == FieldUseName(each)) use = each;
        }
        if (use == 0) {
          throw InputError(field + "unknown setting '" + std::string(option) +
                           "' (type, stored, searchable, sortable)");
        }
        if (!setting.is_bool()) {
          throw InputError(field + "\"" + std::string(option) + "\" must be true or false");
        }
        uses = setting.get_bool().value() ? uses | use : uses & ~use;
        uses_given = true;
      }
      if (type_name.empty()) throw InputError(field + "no \"type\" (" + kTypes + ")");
    } else {
      throw InputError(field + "expected its type (" + kTypes +
                       ") or an object such as {\"type\": \"keyword\", \"stored\": false}");
    }
    if (type_name == "text") {
      // Words of the body: searched, stored and shown as the body is.
      if (uses_given && uses != (kStored | kSearchable)) {
        throw InputError(field +
                         "a text field is always stored and searchable (its words join the "
                         "body, which check verifies against the stored text) and never "
                         "sortable");
      }
      schema.text_fields.push_back(name);
      continue;
    }
    const auto type = ParseFieldType(type_name);
    if (!type) {
      throw InputError(field + "unknown type '" + std::string(type_name) + "' (" + kTypes + ")");
    }
    schema.types[name] = *type;
    if (uses != kEveryUse) schema.uses[name] = uses;
  }
  return schema;
}

std::optional<FieldType> FieldTyper::TypeOf(std::string_view name) const {
  if (const auto it = declared_.types.find(name); it != declared_.types.end()) return it->second;
  if (const auto it = inferred_.find(name); it != inferred_.end()) return it->second;
  return std::nullopt;
}

void KeepLastOfEachField(std::vector<FieldValue>& values) {
  std::stable_sort(values.begin(), values.end(),
                   [](const FieldValue& a, const FieldValue& b) { return a.name < b.name; });
  for (std::size_t i = 0; i + 1 < values.size();) {
    if (values[i].name == values[i + 1].name) {
      values.erase(values.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
}

std::string FieldTyper::Add(const JsonMember& member, std::vector<FieldValue>& values,
                            std::string* note) {
  if (member.kind == JsonKind::kNull) return {};
  if (!IsValidFieldName(member.name)) {
    if (note != nullptr && noted_.insert(member.name).second) {
      *note = "member '" + member.name +
              "' is not kept as a field: not a field name (letters, digits, '_', '-', '.')";
    }
    return {};
  }
  FieldValue value;
  value.name = member.name;
  value.uses = UsesOf(declared_.uses, member.name);
  if (value.uses == 0) return {};  // kept for nothing: not kept, not typed
  if (const auto it = declared_.types.find(member.name); it != declared_.types.end()) {
    if (member.kind == JsonKind::kArray || member.kind == JsonKind::kObject) {
      return "field '" + member.name + "': an array or object is not a " +
             std::string(FieldTypeName(it->second)) + " value";
    }
    std::string problem = KeyOf(member, it->second, value);
    if (!problem.empty()) return problem + " (declared in the schema)";
    values.push_back(std::move(value));
    return {};
  }
  if (member.kind == JsonKind::kArray || member.kind == JsonKind::kObject) {
    if (note != nullptr && noted_.insert(member.name).second) {
      *note = "field '" + member.name + "' is not kept: arrays and objects are not typed values";
    }
    return {};
  }
  auto it = inferred_.find(member.name);
  if (member.kind == JsonKind::kString && member.value.size() > kMaxKeywordBytes &&
      (it == inferred_.end() || it->second == FieldType::kKeyword)) {
    // Text, not a label: left out rather than failing a corpus that
    // indexed before fields existed.
    if (note != nullptr && noted_.insert(member.name).second) {
      *note = "field '" + member.name + "': values over " + std::to_string(kMaxKeywordBytes) +
              " bytes are text, not keywords, and are left out (index the member as the body "
              "with --body-field)";
    }
    return {};
  }
  if (it == inferred_.end()) {
    FieldType type = FieldType::kKeyword;
    if (member.kind == JsonKind::kBoolean) {
      type = FieldType::kBoolean;
    } else if (member.kind == JsonKind::kNumber) {
      type = LooksIntegral(member.value) && ParseInteger(member.value) ? FieldType::kInteger
                                                                       : FieldType::kFloat;
    } else if (ParseDate(member.value)) {
      type = FieldType::kDate;
    }
    it = inferred_.emplace(member.name, type).first;
  } else if (it->second == FieldType::kInteger && member.kind == JsonKind::kNumber &&
             !(LooksIntegral(member.value) && ParseInteger(member.value))) {
    it->second = FieldType::kFloat;  // the segment writer converts the values so far
  }
  std::string problem = KeyOf(member, it->second, value);
  if (!problem.empty()) {
    return problem + " (the type its first value gave it; declare the type with --schema)";
  }
  values.push_back(std::move(value));
  return {};
}

std::optional<std::int64_t> TakeLeadingDateLine(std::string& text) {
  std::size_t at = 0;
  while (at < text.size() && IsBlank(text[at])) ++at;
  if (text.compare(at, 4, "date") != 0) return std::nullopt;
  std::size_t date_at = at + 4;
  if (date_at >= text.size() || !IsBlank(text[date_at])) return std::nullopt;
  while (date_at < text.size() && IsBlank(text[date_at])) ++date_at;
  std::size_t date_end = date_at;
  while (date_end < text.size() && !IsBlank(text[date_end]) && text[date_end] != '\n' &&
         text[date_end] != '\r') {
    ++date_end;
  }
  const auto key = ParseDate(std::string_view(text).substr(date_at, date_end - date_at));
  if (!key) return std::nullopt;
  while (date_end < text.size() && IsBlank(text[date_end])) ++date_end;
  text.erase(0, date_end);
  return key;
}

std::string ExtensionOf(std::string_view name) {
  const std::size_t slash = name.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
  const std::size_t dot = base.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == base.size()) return {};
  std::string extension(base.substr(dot + 1));
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension;
}

std::string FolderOf(std::string_view relative_path) {
  const std::size_t slash = relative_path.rfind('/');
  return slash == std::string_view::npos ? "." : std::string(relative_path.substr(0, slash));
}

}  // namespace fathom
