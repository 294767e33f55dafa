// Document reordering by recursive graph bisection (BP; Dhulipala et al.,
// KDD 2016, with the shortcuts of Mackenzie et al., ECIR 2019 and SIGIR
// 2021, as Lucene's BPIndexReorderer takes them): documents that share
// terms get nearby ids, so doc-id gaps shrink and posting blocks cluster.
// It only permutes a rewrite's plan (segment_merger.hpp); the rewrite then
// writes the segment in the new order. Scores never depend on the order;
// equal scores rank the smaller id first, so which of several equally
// scored documents ranks first may change (docs/FORMAT.md, "Document
// order").
#pragma once

#include <cstdint>
#include <vector>

#include "common/read/index_reader.hpp"

namespace fathom {

struct RewritePlan;  // segment_merger.hpp

// Whether builds, merges and syncs reorder unless told otherwise
// (bench/README.md, "Document reordering", has the measurements behind it).
inline constexpr bool kReorderByDefault = false;

struct ReorderOptions {
  // Terms in fewer documents than this are left out: they say little about
  // which documents belong together, and the rarest are most of the terms.
  // Lucene leaves out those under 4,096; on the Wikipedia passages that
  // breaks up an article's passages (its rare words) and took 1.1 MB more
  // (postings, ids) than 32 (bench/README.md, "Document reordering").
  std::uint32_t min_doc_frequency = 32;
  // Partitions smaller than twice this are left in their order.
  std::uint32_t min_partition = 32;
  // Refinement rounds per bisection at most (fewer once nothing gains).
  unsigned iterations = 20;
  // Threads bisecting halves in parallel; 0: one per core.
  unsigned threads = 0;
  // Bound on the forward index (4 bytes per document-term pair kept); when
  // the terms above would exceed it, the rarest of them are left out too.
  // 0: no bound.
  std::uint64_t memory_bytes = 0;
};

struct ReorderSummary {
  std::uint64_t units = 0;              // what was permuted: a file's documents move together
  std::uint64_t terms = 0;              // terms the bisection used
  std::uint64_t edges = 0;              // their (unit, term) pairs, repeats included
  std::uint32_t min_doc_frequency = 0;  // after the memory bound
  double seconds = 0;
};

// Permutes plan.order so that documents sharing terms sit together, and
// renumbers plan.sources to match. The documents of one source file stay
// together and in their order (a file's documents are one id range), as do
// empty files' records with the document that follows them. Deterministic:
// the same documents in the same starting order give the same order,
// whatever the thread count, so sync can reproduce a fresh build's.
// REQUIRES: plan as RewriteSegments requires for inputs; plan.sources
// sorted by first_doc, within plan.order.
ReorderSummary ReorderPlan(const std::vector<const IndexReader*>& inputs, RewritePlan& plan,
                           const ReorderOptions& options);

}  // namespace fathom
