#include "common/analysis/field_values.hpp"

#include <bit>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include "common/json_text.hpp"

namespace fathom {

namespace {

namespace chrono = std::chrono;

constexpr std::int64_t kSecondsPerDay = 86400;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Exactly `count` digits at text[at], as a number; -1 otherwise.
int Digits(std::string_view text, std::size_t at, std::size_t count) {
  if (at + count > text.size()) return -1;
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (!IsDigit(text[i])) return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

std::optional<std::int64_t> DaysOf(int year, int month, int day) {
  const chrono::year_month_day date{chrono::year{year}, chrono::month{static_cast<unsigned>(month)},
                                    chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;
  return chrono::sys_days{date}.time_since_epoch().count();
}

// The parts of an ISO 8601 date; `precision` says how much was given.
struct DateParts {
  enum Precision { kYear, kMonth, kDay, kMinute, kSecond } precision = kDay;
  std::int64_t seconds = 0;  // of the start of what was given
};

std::optional<DateParts> ParseDateParts(std::string_view text, bool allow_partial) {
  DateParts parts;
  const int year = Digits(text, 0, 4);
  if (year < 0) return std::nullopt;
  if (text.size() == 4) {
    if (!allow_partial) return std::nullopt;
    parts.precision = DateParts::kYear;
    parts.seconds = *DaysOf(year, 1, 1) * kSecondsPerDay;
    return parts;
  }
  if (text[4] != '-') return std::nullopt;
  const int month = Digits(text, 5, 2);
  if (month < 1 || month > 12) return std::nullopt;
  if (text.size() == 7) {
    if (!allow_partial) return std::nullopt;
    parts.precision = DateParts::kMonth;
    parts.seconds = *DaysOf(year, month, 1) * kSecondsPerDay;
    return parts;
  }
  if (text.size() < 10 || text[7] != '-') return std::nullopt;
  const int day = Digits(text, 8, 2);
  if (day < 0) return std::nullopt;
  const auto days = DaysOf(year, month, day);
  if (!days) return std::nullopt;
  parts.seconds = *days * kSecondsPerDay;
  if (text.size() == 10) return parts;
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') return std::nullopt;
  const int hour = Digits(text, 11, 2);
  if (hour < 0 || hour > 23 || text.size() < 16 || text[13] != ':') return std::nullopt;
  const int minute = Digits(text, 14, 2);
  if (minute < 0 || minute > 59) return std::nullopt;
  parts.precision = DateParts::kMinute;
  parts.seconds += hour * 3600 + minute * 60;
  std::size_t at = 16;
  if (at < text.size() && text[at] == ':') {
    const int second = Digits(text, at + 1, 2);
    if (second < 0 || second > 60) return std::nullopt;  // 60: a leap second
    parts.precision = DateParts::kSecond;
    parts.seconds += second;
    at += 3;
    if (at < text.size() && (text[at] == '.' || text[at] == ',')) {
      // Fractions of a second are accepted and dropped: keys are seconds.
      ++at;
      if (at >= text.size() || !IsDigit(text[at])) return std::nullopt;
      while (at < text.size() && IsDigit(text[at])) ++at;
    }
  }
  if (at == text.size()) return parts;
  if ((text[at] == 'Z' || text[at] == 'z') && at + 1 == text.size()) return parts;
  if (text[at] != '+' && text[at] != '-') return std::nullopt;
  const int offset_hours = Digits(text, at + 1, 2);
  if (offset_hours < 0 || offset_hours > 23) return std::nullopt;
  std::size_t minutes_at = at + 3;
  if (minutes_at < text.size() && text[minutes_at] == ':') ++minutes_at;
  const int offset_minutes = minutes_at == text.size() ? 0 : Digits(text, minutes_at, 2);
  if (offset_minutes < 0 || offset_minutes > 59) return std::nullopt;
  if (minutes_at != text.size() && minutes_at + 2 != text.size()) return std::nullopt;
  const std::int64_t offset = offset_hours * 3600 + offset_minutes * 60;
  parts.seconds -= text[at] == '+' ? offset : -offset;
  return parts;
}

}  // namespace

std::string_view FieldUseName(FieldUses use) {
  return use == kStored ? "stored" : use == kSearchable ? "searchable" : "sortable";
}

std::string_view FieldTypeName(FieldType type) {
  switch (type) {
    case FieldType::kKeyword:
      return "keyword";
    case FieldType::kInteger:
      return "integer";
    case FieldType::kFloat:
      return "float";
    case FieldType::kDate:
      return "date";
    case FieldType::kBoolean:
      return "boolean";
  }
  return "unknown";
}

std::optional<FieldType> ParseFieldType(std::string_view name) {
  for (const FieldType type : {FieldType::kKeyword, FieldType::kInteger, FieldType::kFloat,
                               FieldType::kDate, FieldType::kBoolean}) {
    if (FieldTypeName(type) == name) return type;
  }
  return std::nullopt;
}

bool IsValidFieldName(std::string_view name) {
  if (name.empty() || name.size() > kMaxFieldNameBytes) return false;
  const auto is_letter = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  if (!is_letter(name[0])) return false;
  for (const char c : name) {
    if (!is_letter(c) && !IsDigit(c) && c != '-' && c != '.') return false;
  }
  return true;
}

std::int64_t FloatKey(double value) {
  if (value == 0) value = 0;  // -0.0 and 0.0 are one value
  const auto bits = std::bit_cast<std::int64_t>(value);
  // Negative doubles order backwards by their bits: flip all but the sign.
  return bits >= 0 ? bits : bits ^ std::numeric_limits<std::int64_t>::max();
}

double FloatOfKey(std::int64_t key) {
  return std::bit_cast<double>(key >= 0 ? key : key ^ std::numeric_limits<std::int64_t>::max());
}

std::optional<std::int64_t> ParseDate(std::string_view text, bool allow_partial) {
  const auto parts = ParseDateParts(text, allow_partial);
  if (!parts) return std::nullopt;
  return parts->seconds;
}

std::optional<std::int64_t> ParseDateEnd(std::string_view text) {
  const auto parts = ParseDateParts(text, true);
  if (!parts) return std::nullopt;
  switch (parts->precision) {
    case DateParts::kYear: {
      int year, month;
      YearMonthOf(parts->seconds, &year, &month);
      return MonthStart(year + 1, 1);
    }
    case DateParts::kMonth: {
      int year, month;
      YearMonthOf(parts->seconds, &year, &month);
      return month == 12 ? MonthStart(year + 1, 1) : MonthStart(year, month + 1);
    }
    case DateParts::kDay:
      return parts->seconds + kSecondsPerDay;
    case DateParts::kMinute:
      return parts->seconds + 60;
    case DateParts::kSecond:
      return parts->seconds + 1;
  }
  return std::nullopt;
}

void YearMonthOf(std::int64_t seconds, int* year, int* month) {
  std::int64_t days = seconds / kSecondsPerDay;
  if (seconds % kSecondsPerDay < 0) --days;
  const chrono::year_month_day date{chrono::sys_days{chrono::days{days}}};
  *year = static_cast<int>(date.year());
  *month = static_cast<int>(static_cast<unsigned>(date.month()));
}

std::int64_t MonthStart(int year, int month) { return *DaysOf(year, month, 1) * kSecondsPerDay; }

std::string FormatDate(std::int64_t seconds) {
  std::int64_t days = seconds / kSecondsPerDay;
  std::int64_t rest = seconds % kSecondsPerDay;
  if (rest < 0) {
    --days;
    rest += kSecondsPerDay;
  }
  const chrono::year_month_day date{chrono::sys_days{chrono::days{days}}};
  char text[40];
  const int year = static_cast<int>(date.year());
  const unsigned month = static_cast<unsigned>(date.month());
  const unsigned day = static_cast<unsigned>(date.day());
  if (rest == 0) {
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", year, month, day);
  } else {
    std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", year, month, day,
                  static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60),
                  static_cast<int>(rest % 60));
  }
  return text;
}

std::optional<std::int64_t> ParseInteger(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

std::optional<double> ParseFloat(std::string_view text) {
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  if (text.empty() || text[0] == '+') return std::nullopt;
  double value = 0;
  const auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::general);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<bool> ParseBoolean(std::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  return std::nullopt;
}

std::optional<std::int64_t> ParseKey(FieldType type, std::string_view text, bool allow_partial) {
  switch (type) {
    case FieldType::kInteger:
      return ParseInteger(text);
    case FieldType::kFloat: {
      const auto value = ParseFloat(text);
      if (!value) return std::nullopt;
      return FloatKey(*value);
    }
    case FieldType::kDate:
      return ParseDate(text, allow_partial);
    case FieldType::kBoolean: {
      const auto value = ParseBoolean(text);
      if (!value) return std::nullopt;
      return *value ? 1 : 0;
    }
    case FieldType::kKeyword:
      break;
  }
  return std::nullopt;
}

std::string FormatKey(FieldType type, std::int64_t key) {
  switch (type) {
    case FieldType::kInteger:
      return std::to_string(key);
    case FieldType::kFloat: {
      char text[64];
      const auto result = std::to_chars(text, text + sizeof text, FloatOfKey(key));
      return std::string(text, result.ptr);
    }
    case FieldType::kDate:
      return FormatDate(key);
    case FieldType::kBoolean:
      return key != 0 ? "true" : "false";
    case FieldType::kKeyword:
      break;
  }
  return std::to_string(key);
}

std::string ValueAsJson(FieldType type, std::int64_t key, std::string_view keyword) {
  switch (type) {
    case FieldType::kKeyword:
      return "\"" + JsonEscape(keyword) + "\"";
    case FieldType::kDate:
      return "\"" + FormatDate(key) + "\"";
    default:
      return FormatKey(type, key);
  }
}

}  // namespace fathom
