// Patched bit-packing (PFor) of 128 values: one width for most values, the
// few wider ones patched in afterwards, their high bits one byte each, as
// Lucene's PForUtil does. docs/FORMAT.md, "PatchedBlock", is the byte-level
// specification. postings.doc packs doc-id gaps and frequencies this way
// and postings.pos positions; this is its one implementation, shared by
// the writers, the cursors and the checker.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/format/codec.hpp"

namespace fathom::format {

// Most high bits an exception carries: one byte, so that a block's size
// follows from its two header bytes (skipping a block reads nothing else).
inline constexpr std::uint32_t kMaxExceptionBits = 8;

// Appends one full block of 128 values: u8 width, u8 exception count e,
// Packed(low `width` bits of each value, width), e exception indexes (u8,
// increasing), e u8 high bits (each exception's value >> width, not 0).
// The width is the smallest of those that make the block smallest, at
// least the widest value's less kMaxExceptionBits.
void PackPatchedBlock(const std::uint32_t* values, std::string& out);

// Decodes the block at in (before end) into values. Returns the byte after
// it, or nullptr when it runs past end or is malformed (a width over 32, an
// index out of order, high bits of 0, a value over 32 bits). Never reads
// outside [in, end).
const std::uint8_t* UnpackPatchedBlock(const std::uint8_t* in, const std::uint8_t* end,
                                       std::uint32_t* values) noexcept;

// Values [first, first + n) of the block at block, without decoding the
// others. REQUIRES: SkipPatchedBlock accepted the block; first + n <= 128.
// Damaged exceptions give wrong values, never reads outside the block.
void ExtractPatched(const std::uint8_t* block, std::uint64_t first, std::size_t n,
                    std::uint32_t* out) noexcept;

// The byte after the block at in, without decoding it, or nullptr when it
// runs past end or its header is malformed.
const std::uint8_t* SkipPatchedBlock(const std::uint8_t* in, const std::uint8_t* end) noexcept;

// Bytes of a block from its two header bytes (width, exception count).
constexpr std::size_t PatchedBlockBytes(std::uint32_t width, std::uint32_t exceptions) {
  return 2 + codec::PackedBytes(width) + 2 * std::size_t{exceptions};
}

// UnpackPatchedBlock for a block SkipPatchedBlock accepted (the hot path of
// a posting cursor, whose pages are checksummed when opened): damaged
// exceptions give wrong values, never a write outside values.
void UnpackPatchedBlockUnchecked(const std::uint8_t* in, std::uint32_t* values) noexcept;

}  // namespace fathom::format
