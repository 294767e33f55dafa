// fathom-bench add-fields: gives every record of a JSON Lines corpus typed
// fields of known selectivity, for measuring filters, sorting and facets on
// real text (the wiki passages have none of their own).
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>
#include <string_view>

#include "bench/args.hpp"
#include "bench/commands.hpp"
#include "bench/output_file.hpp"
#include "bench/random.hpp"
#include "indexer/corpus/corpus_reader.hpp"

namespace fathom::bench {

int RunAddFields(const std::vector<std::string>& arg_list) {
  const Args args(arg_list, {"seed", "output"});
  if (args.help()) {
    std::cout << "Usage: fathom-bench add-fields CORPUS.jsonl[.zst] --seed S [--output FILE]\n\n"
                 "Copies each record with five fields appended, four drawn from the seed:\n"
                 "  bucket  integer, uniform in 0..99: bucket:<50 admits half the\n"
                 "          documents, bucket:<10 a tenth, bucket:0 a hundredth\n"
                 "  day     date, uniform over 2000-01-01..2024-12-31\n"
                 "  group   keyword g00..g19, uniform\n"
                 "  flag    boolean, true for 30%\n"
                 "  added   date and time, 37 s after the previous record's, from\n"
                 "          2020-01-01T00:00:00Z: values that grow with the record order,\n"
                 "          as a publication or crawl time does\n"
                 "Records must be one object per line; the same seed gives the same bytes.\n";
    return 0;
  }
  args.ExpectPositional(1, "the CORPUS to copy");
  Random random(args.RequireUint("seed"));
  const auto start = std::chrono::steady_clock::now();
  const std::string text = ReadWholeFile(args.positional()[0]);
  OutputFile output(args.GetString("output", ""));
  std::string buffer;
  std::uint64_t records = 0;
  constexpr int kFirstDay = 10957;  // 2000-01-01, days since 1970
  constexpr int kDays = 9132;       // to 2024-12-31
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string_view line = std::string_view(text).substr(at, end - at);
    at = end + 1;
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.back() != '}')
      throw UsageError("record " + std::to_string(records + 1) + " is not one object on its line");
    line.remove_suffix(1);
    const std::uint32_t bucket = random.Uniform(100);
    const std::time_t day = static_cast<std::time_t>(kFirstDay + random.Uniform(kDays)) * 86400;
    std::tm tm{};
    gmtime_r(&day, &tm);
    constexpr std::time_t kFirstAdded = 1577836800;  // 2020-01-01T00:00:00Z
    const std::time_t added = kFirstAdded + static_cast<std::time_t>(records) * 37;
    std::tm added_tm{};
    gmtime_r(&added, &added_tm);
    char fields[224];
    const std::uint32_t group = random.Uniform(20);
    const bool flag = random.Bernoulli(0.3);
    std::snprintf(
        fields, sizeof fields,
        ", \"bucket\": %u, \"day\": \"%04d-%02d-%02d\", \"group\": \"g%02u\", \"flag\": %s, "
        "\"added\": \"%04d-%02d-%02dT%02d:%02d:%02dZ\"}\n",
        bucket, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, group, flag ? "true" : "false",
        added_tm.tm_year + 1900, added_tm.tm_mon + 1, added_tm.tm_mday, added_tm.tm_hour,
        added_tm.tm_min, added_tm.tm_sec);
    buffer.append(line);
    buffer.append(fields);
    ++records;
    if (buffer.size() > (1 << 20)) {
      output.Write(buffer);
      buffer.clear();
    }
  }
  output.Write(buffer);
  output.Close();
  std::cerr << records << " records in "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
            << " s\n";
  return 0;
}

}  // namespace fathom::bench
