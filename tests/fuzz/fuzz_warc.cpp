// Fuzzes the WARC reader: any bytes, fed in chunks of varying size as a
// decompressing source delivers them, are read record by record, and each
// block split as an HTTP response. A malformed file ends with an
// InputError, never a crash, hang, leak or a read outside the input.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/error.hpp"
#include "indexer/corpus/warc.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fathom;
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::size_t offset = 0;
  // Chunk sizes from the input itself: records split anywhere.
  const std::size_t chunk = size == 0 ? 1 : 1 + data[0] % 97;
  WarcReader reader(
      "fuzz.warc",
      [&](std::string& out) {
        if (offset >= input.size()) return false;
        const std::size_t take = std::min(chunk, input.size() - offset);
        out.append(input, offset, take);
        offset += take;
        return true;
      },
      4096);
  try {
    for (WarcRecord record; reader.Next(record);) {
      if (record.block.size() > 4096) __builtin_trap();
      (void)ParseHttpResponse(record.block);
    }
  } catch (const InputError&) {
  }
  return 0;
}
