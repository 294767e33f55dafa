// postings.pos (patched bit-packed blocks, marks) and docids (front-coded
// blocks): round trips over random streams, marks that land anywhere, and
// damaged bytes that must end a stream early, never read past its end.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/format/doc_ids.hpp"
#include "common/format/position_blocks.hpp"

namespace fathom::format {
namespace {

// Values shaped like positions: mostly small gaps, some first positions
// past the title's gap, now and then a value of any width.
std::vector<std::uint32_t> RandomValues(std::mt19937& rng, std::size_t count) {
  std::vector<std::uint32_t> values(count);
  for (std::uint32_t& value : values) {
    const std::uint32_t kind = rng() % 100;
    if (kind < 70) {
      value = 1 + rng() % 12;
    } else if (kind < 95) {
      value = 100 + rng() % 200;
    } else {
      value = static_cast<std::uint32_t>(rng()) >> (rng() % 32);
    }
  }
  return values;
}

// A heap copy of exactly the bytes, so that ASan sees any read past them.
std::unique_ptr<std::uint8_t[]> Exact(const std::string& bytes) {
  auto copy = std::make_unique<std::uint8_t[]>(std::max<std::size_t>(bytes.size(), 1));
  std::memcpy(copy.get(), bytes.data(), bytes.size());
  return copy;
}

TEST(PatchedBlock, RoundTripsEveryWidthAndIsNoLargerThanPlainPacking) {
  std::mt19937 rng(11);
  for (int round = 0; round < 2000; ++round) {
    std::uint32_t values[codec::kBlockSize];
    const std::uint32_t base_bits = static_cast<std::uint32_t>(round % 33);
    for (std::uint32_t& value : values) {
      value = base_bits == 0 ? 0 : static_cast<std::uint32_t>(rng()) >> (32 - base_bits);
    }
    for (int e = 0; e < round % 9; ++e) values[rng() % 128] = static_cast<std::uint32_t>(rng());
    std::string bytes;
    PackPatchedBlock(values, bytes);
    EXPECT_LE(bytes.size(), 2 + codec::PackedBytes(codec::MaxBitWidth(values, 128)));
    const auto exact = Exact(bytes);
    std::uint32_t decoded[codec::kBlockSize];
    EXPECT_EQ(UnpackPatchedBlock(exact.get(), exact.get() + bytes.size(), decoded),
              exact.get() + bytes.size());
    ASSERT_TRUE(std::equal(values, values + 128, decoded)) << "round " << round;
    EXPECT_EQ(SkipPatchedBlock(exact.get(), exact.get() + bytes.size()),
              exact.get() + bytes.size());
    // Values taken out in place equal the decoded ones.
    for (std::size_t first = 0; first < codec::kBlockSize; first += 1 + round % 5) {
      const std::size_t n = std::min<std::size_t>(1 + first % 4, codec::kBlockSize - first);
      std::uint32_t some[4];
      ExtractPatched(exact.get(), first, n, some);
      ASSERT_TRUE(std::equal(some, some + n, values + first)) << "round " << round;
    }
    // Any truncation is refused, never read past.
    for (std::size_t cut = 0; cut < bytes.size(); cut += 1 + bytes.size() / 16) {
      const auto truncated = Exact(bytes.substr(0, cut));
      EXPECT_EQ(UnpackPatchedBlock(truncated.get(), truncated.get() + cut, decoded), nullptr);
    }
  }
}

TEST(PatchedBlock, ExceptionsKeepTheOtherValuesNarrow) {
  std::uint32_t values[codec::kBlockSize];
  for (std::size_t i = 0; i < codec::kBlockSize; ++i) values[i] = 1 + i % 3;  // 2 bits
  values[5] = 150;
  values[77] = 600;  // 10 bits: 8 above the others' width
  std::string bytes;
  PackPatchedBlock(values, bytes);
  EXPECT_EQ(static_cast<unsigned>(bytes[0]), 2u);  // the width of the 126 small values
  EXPECT_EQ(static_cast<unsigned>(bytes[1]), 2u);  // two exceptions
  EXPECT_EQ(bytes.size(), 2 + codec::PackedBytes(2) + 2 * 2);
  // A value more than 8 bits wider than the rest widens the block instead.
  values[77] = 1u << 30;
  bytes.clear();
  PackPatchedBlock(values, bytes);
  EXPECT_EQ(static_cast<unsigned>(bytes[0]), 23u);
  std::uint32_t decoded[codec::kBlockSize];
  ASSERT_NE(UnpackPatchedBlock(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                               reinterpret_cast<const std::uint8_t*>(bytes.data() + bytes.size()),
                               decoded),
            nullptr);
  EXPECT_TRUE(std::equal(values, values + codec::kBlockSize, decoded));
}

TEST(PatchedBlock, MalformedHeadersAndExceptionsAreRefused) {
  std::uint32_t values[codec::kBlockSize] = {};
  for (std::size_t i = 0; i < codec::kBlockSize; ++i) values[i] = i % 4;
  values[3] = 1000;
  values[9] = 2000;
  std::string good;
  PackPatchedBlock(values, good);
  std::uint32_t decoded[codec::kBlockSize];
  const auto refused = [&](std::string bytes) {
    const auto exact = Exact(bytes);
    return UnpackPatchedBlock(exact.get(), exact.get() + bytes.size(), decoded) == nullptr;
  };
  ASSERT_FALSE(refused(good));
  const std::size_t indexes = 2 + codec::PackedBytes(static_cast<std::uint8_t>(good[0]));
  std::string bad = good;
  bad[0] = 33;  // width over 32
  EXPECT_TRUE(refused(bad));
  bad = good;
  bad[indexes] = static_cast<char>(200);  // index out of the block
  EXPECT_TRUE(refused(bad));
  bad = good;
  std::swap(bad[indexes], bad[indexes + 1]);  // indexes out of order
  EXPECT_TRUE(refused(bad));
  bad = good;
  bad[indexes + 2] = 0;  // an exception without high bits
  EXPECT_TRUE(refused(bad));
}

TEST(PositionStream, MarksSeekToEveryValueAndSkipsCrossBlocks) {
  std::mt19937 rng(5);
  for (const std::size_t count : {1u, 5u, 127u, 128u, 129u, 256u, 300u, 1000u, 5000u}) {
    SCOPED_TRACE(count);
    const std::vector<std::uint32_t> values = RandomValues(rng, count);
    EncodedPositions encoded;
    EncodePositions(values.data(), values.size(), encoded);
    const auto exact = Exact(encoded.bytes);
    const std::uint8_t* end = exact.get() + encoded.bytes.size();
    // In order, one at a time; the reader's mark equals the writer's.
    PositionReader reader(exact.get(), end, count);
    for (std::size_t i = 0; i < count; ++i) {
      ASSERT_EQ(reader.mark(), encoded.MarkOf(i));
      std::uint32_t value;
      ASSERT_EQ(reader.Read(&value, 1), 1u);
      ASSERT_EQ(value, values[i]);
    }
    std::uint32_t past;
    EXPECT_EQ(reader.Read(&past, 1), 0u);  // the stream has ended
    // From random marks, skipping random distances, reading random runs.
    for (int trial = 0; trial < 200; ++trial) {
      const std::size_t from = rng() % count;
      const std::size_t skip = rng() % (count - from);
      const std::size_t want = 1 + rng() % 300;
      PositionReader seeker(exact.get(), end, count);
      seeker.Seek(encoded.MarkOf(from));
      seeker.Skip(skip);
      std::vector<std::uint32_t> got(want);
      const std::size_t n = seeker.Read(got.data(), want);
      ASSERT_EQ(n, std::min(want, count - from - skip));
      ASSERT_TRUE(std::equal(got.begin(), got.begin() + n, values.begin() + from + skip));
    }
  }
}

TEST(PositionStream, DamageEndsTheStreamInsideItsBytes) {
  std::mt19937 rng(9);
  const std::vector<std::uint32_t> values = RandomValues(rng, 700);
  EncodedPositions encoded;
  EncodePositions(values.data(), values.size(), encoded);
  std::size_t stopped_early = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bytes = encoded.bytes;
    if (trial % 3 == 0) {
      bytes.resize(rng() % bytes.size());
    } else {
      for (int flips = 0; flips < 1 + trial % 4; ++flips) {
        bytes[rng() % bytes.size()] ^= static_cast<char>(1 + rng() % 255);
      }
    }
    const auto exact = Exact(bytes);
    PositionReader reader(exact.get(), exact.get() + bytes.size(), values.size());
    reader.Seek(encoded.MarkOf(rng() % values.size()));
    std::vector<std::uint32_t> got(values.size());
    const std::size_t n = reader.Read(got.data(), got.size());
    if (n < values.size()) {
      ++stopped_early;
      EXPECT_TRUE(reader.damaged());
    }
  }
  // Truncations (a third of the trials) always lose values.
  EXPECT_GE(stopped_early, 1000u);
}

TEST(DocIds, FrontCodedIdsRoundTripInOrderAndByDocument) {
  std::mt19937 rng(3);
  std::vector<std::string> ids;
  for (int article = 0; ids.size() < 1000; ++article) {
    for (int part = 0; part < 1 + static_cast<int>(rng() % 40); ++part) {
      ids.push_back(std::to_string(article * 7) + "-" + std::to_string(part));
    }
    if (article % 10 == 0) ids.emplace_back("");  // an empty id is an id too
    if (article % 13 == 0) ids.push_back(std::string(300, 'x') + std::to_string(article));
  }
  DocIdEncoder encoder;
  std::string entries;
  for (const std::string& id : ids) encoder.Add(id, entries);
  const std::string payload = encoder.Head() + entries;
  const auto exact = Exact(payload);
  DocIdTable table;
  std::uint64_t offset = 0;
  std::string error;
  ASSERT_TRUE(table.Open(exact.get(), payload.size(), ids.size(), &offset, &error)) << error;
  std::string id;
  for (std::size_t d = 0; d < ids.size(); ++d) {
    ASSERT_TRUE(table.Find(d, id));
    ASSERT_EQ(id, ids[d]);
  }
  std::size_t seen = 0;
  ASSERT_TRUE(table.ForEach(
      [&](std::uint64_t doc, std::string_view each) {
        EXPECT_EQ(each, ids[doc]);
        ++seen;
      },
      &offset, &error))
      << error;
  EXPECT_EQ(seen, ids.size());
  EXPECT_LT(payload.size(), 4 * ids.size() + 8 * IdBlockCount(ids.size()) + 16 + 300 * 80);
}

TEST(DocIds, DamagedHeadsAndEntriesAreRefusedWithTheirOffset) {
  DocIdEncoder encoder;
  std::string entries;
  for (int i = 0; i < 100; ++i) encoder.Add("doc-" + std::to_string(i), entries);
  const std::string payload = encoder.Head() + entries;
  const auto refused = [&](const std::string& bytes, std::uint64_t documents) {
    const auto exact = Exact(bytes);
    DocIdTable table;
    std::uint64_t offset = 0;
    std::string error;
    if (!table.Open(exact.get(), bytes.size(), documents, &offset, &error)) return true;
    const bool walked = table.ForEach([](std::uint64_t, std::string_view) {}, &offset, &error);
    bool found = true;  // Find, by document, refuses what the walk refuses
    std::string id;
    for (std::uint64_t doc = 0; doc < documents; ++doc) found = found && table.Find(doc, id);
    EXPECT_EQ(walked, found);
    return !walked;
  };
  EXPECT_FALSE(refused(payload, 100));
  EXPECT_TRUE(refused(payload, 99));                                 // another document count
  EXPECT_TRUE(refused(payload.substr(0, payload.size() - 1), 100));  // truncated
  std::string bad = payload;
  bad[16 + 8] ^= 1;  // the second block's offset
  EXPECT_TRUE(refused(bad, 100));
  bad = payload;
  // The first entry: one head byte (0 shared, 5 more), then "doc-0".
  const std::size_t second_entry = 16 + 8 * IdBlockCount(100) + 1 + 5;
  ASSERT_EQ(payload[second_entry], static_cast<char>(4 * 16 + 1));  // "doc-" shared, "1" more
  bad[second_entry] = 7 * 16 + 1;  // shares 7 bytes: more than the previous id holds
  EXPECT_TRUE(refused(bad, 100));
  bad = payload;
  bad[second_entry] = 4 * 16 + 15;  // a long rest, whose length varint runs into the id
  bad[second_entry + 1] = static_cast<char>(0x80);
  EXPECT_TRUE(refused(bad, 100));
}

}  // namespace
}  // namespace fathom::format
