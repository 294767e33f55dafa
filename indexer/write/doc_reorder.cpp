#include "indexer/write/doc_reorder.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <exception>
#include <limits>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>

#include "common/contract.hpp"
#include "common/read/posting_cursor.hpp"
#include "indexer/write/segment_merger.hpp"

namespace fathom {
namespace {

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
// Halves smaller than this are bisected on the thread that made them: a
// thread costs more than they take.
constexpr std::size_t kForkThreshold = 8192;

// log2 of a document count, 0 for 0 (a term absent from a side pulls no
// document there). Most counts inside deep partitions are small: a table.
class Log2Table {
 public:
  Log2Table() {
    values_[0] = 0;
    for (std::size_t i = 1; i < values_.size(); ++i) values_[i] = std::log2(static_cast<float>(i));
  }
  float operator()(std::int32_t count) const {
    return static_cast<std::size_t>(count) < values_.size() ? values_[count]
                                                            : std::log2(static_cast<float>(count));
  }

 private:
  std::array<float, 4096> values_;
};

// The units being permuted: runs of plan positions that move together (a
// source file's documents, or one document of no file).
struct Units {
  std::vector<std::uint32_t> start;   // first plan position of each unit, then plan size
  std::vector<std::uint32_t> source;  // its non-empty source record, or kNone
  // (unit, source) for records of files that gave no document: each travels
  // with the unit that followed it (kNone: it was last).
  std::vector<std::pair<std::uint32_t, std::uint32_t>> empty_sources;
  std::size_t count() const { return source.size(); }
};

Units UnitsOf(const RewritePlan& plan) {
  Units units;
  const auto n = static_cast<std::uint32_t>(plan.order.size());
  std::size_t s = 0;
  for (std::uint32_t at = 0; at < n;) {
    const auto unit = static_cast<std::uint32_t>(units.count());
    while (s < plan.sources.size() && plan.sources[s].doc_count == 0 &&
           plan.sources[s].first_doc <= at) {
      units.empty_sources.emplace_back(unit, static_cast<std::uint32_t>(s++));
    }
    units.start.push_back(at);
    if (s < plan.sources.size() && plan.sources[s].first_doc == at) {
      units.source.push_back(static_cast<std::uint32_t>(s));
      at += plan.sources[s++].doc_count;
    } else {
      units.source.push_back(kNone);
      ++at;
    }
  }
  for (; s < plan.sources.size(); ++s) {
    FATHOM_REQUIRE(plan.sources[s].doc_count == 0 && plan.sources[s].first_doc == n,
                   "plan.sources sorted by first_doc, within plan.order");
    units.empty_sources.emplace_back(kNone, static_cast<std::uint32_t>(s));
  }
  units.start.push_back(n);
  return units;
}

// For each unit, the ids of the terms its documents hold (a term once per
// document), terms numbered in byte order.
struct ForwardIndex {
  std::vector<std::uint64_t> offsets;  // unit u's terms: [offsets[u], offsets[u + 1])
  std::vector<std::uint32_t> terms;
  std::uint32_t term_count = 0;
  std::uint32_t min_doc_frequency = 0;
};

ForwardIndex BuildForwardIndex(const std::vector<const IndexReader*>& inputs,
                               const RewritePlan& plan, const Units& units,
                               const ReorderOptions& options) {
  // Old document -> unit, per input.
  std::vector<std::vector<std::uint32_t>> unit_of(inputs.size());
  std::vector<std::uint64_t> kept(inputs.size(), 0);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    unit_of[i].assign(inputs[i]->document_count(), kNone);
  }
  for (std::uint32_t u = 0; u < units.count(); ++u) {
    for (std::uint32_t at = units.start[u]; at < units.start[u + 1]; ++at) {
      const KeptDocument& doc = plan.order[at];
      unit_of[doc.input][doc.doc] = u;
      ++kept[doc.input];
    }
  }

  // A term's documents in the plan, summed over the inputs: only terms whose
  // dictionary counts could reach the minimum are read.
  std::unordered_map<std::string, std::uint64_t> dictionary_frequency;
  if (inputs.size() > 1) {
    for (const IndexReader* input : inputs) {
      for (TermWalker walk(*input, 0); !walk.done(); walk.Next()) {
        dictionary_frequency[std::string(walk.term())] += walk.info().entry.document_frequency;
      }
    }
  }
  struct Candidate {
    std::uint64_t frequency = 0;  // documents of the plan holding it
    std::vector<std::pair<std::uint32_t, TermInfo>> lists;
  };
  std::unordered_map<std::string, Candidate> candidates;
  for (std::uint32_t i = 0; i < inputs.size(); ++i) {
    const IndexReader& input = *inputs[i];
    const bool keeps_all = kept[i] == input.document_count();
    for (TermWalker walk(input, 0); !walk.done(); walk.Next()) {
      const TermInfo info = walk.info();
      const std::uint64_t bound = inputs.size() > 1
                                      ? dictionary_frequency.at(std::string(walk.term()))
                                      : info.entry.document_frequency;
      if (bound < options.min_doc_frequency) continue;
      std::uint64_t frequency = info.entry.document_frequency;
      if (!keeps_all) {
        frequency = 0;
        for (PostingCursor cursor(input, info); cursor.doc() != kEndDoc; cursor.Next()) {
          frequency += unit_of[i][cursor.doc()] != kNone ? 1 : 0;
        }
      }
      if (frequency == 0) continue;
      Candidate& candidate = candidates[std::string(walk.term())];
      candidate.frequency += frequency;
      candidate.lists.emplace_back(i, info);
    }
  }
  dictionary_frequency.clear();

  // The terms used, in byte order; the rarest dropped while the pairs would
  // exceed the memory bound.
  std::vector<std::pair<std::string, const Candidate*>> chosen;
  for (const auto& [term, candidate] : candidates) {
    if (candidate.frequency >= options.min_doc_frequency) chosen.emplace_back(term, &candidate);
  }
  ForwardIndex forward;
  forward.min_doc_frequency = options.min_doc_frequency;
  if (options.memory_bytes != 0) {
    std::sort(chosen.begin(), chosen.end(), [](const auto& a, const auto& b) {
      return a.second->frequency != b.second->frequency ? a.second->frequency > b.second->frequency
                                                        : a.first < b.first;
    });
    const std::uint64_t most_pairs =
        options.memory_bytes / sizeof(std::uint32_t) > units.count() * 3
            ? options.memory_bytes / sizeof(std::uint32_t) - units.count() * 3
            : 0;
    std::uint64_t pairs = 0;
    std::size_t fit = 0;
    while (fit < chosen.size() && pairs + chosen[fit].second->frequency <= most_pairs) {
      pairs += chosen[fit++].second->frequency;
    }
    // Ties at the cut go together, so the choice does not depend on order.
    while (fit > 0 && fit < chosen.size() &&
           chosen[fit].second->frequency == chosen[fit - 1].second->frequency) {
      pairs -= chosen[--fit].second->frequency;
    }
    if (fit < chosen.size()) {
      forward.min_doc_frequency = static_cast<std::uint32_t>(chosen[fit].second->frequency + 1);
      chosen.resize(fit);
    }
  }
  std::sort(chosen.begin(), chosen.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  forward.term_count = static_cast<std::uint32_t>(chosen.size());

  // Two passes over the chosen lists: count each unit's pairs, then fill.
  forward.offsets.assign(units.count() + 1, 0);
  const auto for_each_pair = [&](auto&& visit) {
    for (std::uint32_t t = 0; t < chosen.size(); ++t) {
      for (const auto& [i, info] : chosen[t].second->lists) {
        for (PostingCursor cursor(*inputs[i], info); cursor.doc() != kEndDoc; cursor.Next()) {
          const std::uint32_t unit = unit_of[i][cursor.doc()];
          if (unit != kNone) visit(unit, t);
        }
      }
    }
  };
  for_each_pair([&](std::uint32_t unit, std::uint32_t) { ++forward.offsets[unit + 1]; });
  for (std::size_t u = 0; u < units.count(); ++u) forward.offsets[u + 1] += forward.offsets[u];
  forward.terms.resize(forward.offsets.back());
  std::vector<std::uint64_t> fill(forward.offsets.begin(), forward.offsets.end() - 1);
  for_each_pair([&](std::uint32_t unit, std::uint32_t t) { forward.terms[fill[unit]++] = t; });
  return forward;
}

// Recursive bisection of the units' order. Each half is bisected in turn;
// the two halves of a large partition on two threads.
class Bisector {
 public:
  Bisector(const ForwardIndex& forward, const ReorderOptions& options, unsigned threads)
      : forward_(forward), options_(options), side_(forward.offsets.size() - 1, 0) {
    while ((1u << fork_depth_) < threads) ++fork_depth_;
  }

  void Run(std::vector<std::uint32_t>& order) {
    order_ = &order;
    State state(forward_.term_count);
    Bisect(0, order.size(), 0, state);
  }

 private:
  struct State {
    explicit State(std::uint32_t terms) : left(terms, 0), right(terms, 0), weight(terms, 0) {}
    std::vector<std::int32_t> left, right;  // the partition's documents holding each term, per side
    std::vector<float> weight;              // the pull of each term to the right
    std::vector<std::uint32_t> touched;     // terms of the partition
    std::vector<std::pair<float, std::uint32_t>> biased;  // (pull to the right, unit)
  };

  std::pair<const std::uint32_t*, const std::uint32_t*> TermsOf(std::uint32_t unit) const {
    const std::uint32_t* base = forward_.terms.data();
    return {base + forward_.offsets[unit], base + forward_.offsets[unit + 1]};
  }

  void Count(std::size_t from, std::size_t to, std::uint8_t side, State& state) {
    std::vector<std::int32_t>& degree = side == 0 ? state.left : state.right;
    for (std::size_t at = from; at < to; ++at) {
      const std::uint32_t unit = (*order_)[at];
      side_[unit] = side;
      const auto [begin, end] = TermsOf(unit);
      for (const std::uint32_t* t = begin; t != end; ++t) {
        if (state.left[*t] == 0 && state.right[*t] == 0) state.touched.push_back(*t);
        ++degree[*t];
      }
    }
  }

  // Moves the units now on the other side of mid than they were, updating
  // the degrees.
  void Settle(std::size_t lo, std::size_t mid, std::size_t hi, State& state) {
    for (std::size_t at = lo; at < hi; ++at) {
      const std::uint32_t unit = (*order_)[at];
      const std::uint8_t side = at < mid ? 0 : 1;
      if (side_[unit] == side) continue;
      side_[unit] = side;
      std::vector<std::int32_t>& to = side == 0 ? state.left : state.right;
      std::vector<std::int32_t>& from = side == 0 ? state.right : state.left;
      const auto [begin, end] = TermsOf(unit);
      for (const std::uint32_t* t = begin; t != end; ++t) {
        --from[*t];
        ++to[*t];
      }
    }
  }

  void Bisect(std::size_t lo, std::size_t hi, unsigned depth, State& state) {
    std::vector<std::uint32_t>& order = *order_;
    // Each partition starts in its units' original order, which is what
    // stays where no term pulls.
    if (depth > 0) std::sort(order.begin() + lo, order.begin() + hi);
    const std::size_t size = hi - lo;
    if (size / 2 < options_.min_partition || size < 2) return;
    const std::size_t mid = lo + size / 2;
    state.touched.clear();
    Count(lo, mid, 0, state);
    Count(mid, hi, 1, state);
    for (unsigned iteration = 0; iteration < options_.iterations; ++iteration) {
      for (const std::uint32_t t : state.touched) {
        state.weight[t] = log2_(state.right[t]) - log2_(state.left[t]);
      }
      state.biased.resize(size);
      float most_left_pull_right = -std::numeric_limits<float>::infinity();
      float least_right_pull_right = std::numeric_limits<float>::infinity();
      for (std::size_t at = lo; at < hi; ++at) {
        const std::uint32_t unit = order[at];
        const auto [begin, end] = TermsOf(unit);
        float bias = 0;
        for (const std::uint32_t* t = begin; t != end; ++t) bias += state.weight[*t];
        state.biased[at - lo] = {bias, unit};
        if (at < mid) {
          most_left_pull_right = std::max(most_left_pull_right, bias);
        } else {
          least_right_pull_right = std::min(least_right_pull_right, bias);
        }
      }
      // Swapping gains while the left unit most drawn right is drawn more
      // than the right unit least drawn right. The bar rises by one each
      // round (Mackenzie et al.'s cooling), which ends the rounds early.
      if (most_left_pull_right - least_right_pull_right <= static_cast<float>(iteration)) break;
      std::nth_element(state.biased.begin(), state.biased.begin() + (mid - lo), state.biased.end());
      for (std::size_t at = lo; at < hi; ++at) order[at] = state.biased[at - lo].second;
      Settle(lo, mid, hi, state);
    }
    for (const std::uint32_t t : state.touched) state.left[t] = state.right[t] = 0;

    if (depth < fork_depth_ && size >= kForkThreshold) {
      std::exception_ptr error;
      std::thread left([&] {
        try {
          State own(forward_.term_count);
          Bisect(lo, mid, depth + 1, own);
        } catch (...) {
          error = std::current_exception();
        }
      });
      try {
        Bisect(mid, hi, depth + 1, state);
      } catch (...) {
        left.join();
        throw;
      }
      left.join();
      if (error) std::rethrow_exception(error);
    } else {
      Bisect(lo, mid, depth + 1, state);
      Bisect(mid, hi, depth + 1, state);
    }
  }

  const ForwardIndex& forward_;
  const ReorderOptions& options_;
  const Log2Table log2_;
  std::vector<std::uint8_t> side_;  // 0: left of its partition's middle
  std::vector<std::uint32_t>* order_ = nullptr;
  unsigned fork_depth_ = 0;
};

}  // namespace

ReorderSummary ReorderPlan(const std::vector<const IndexReader*>& inputs, RewritePlan& plan,
                           const ReorderOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  ReorderSummary summary;
  const Units units = UnitsOf(plan);
  summary.units = units.count();
  const ForwardIndex forward = BuildForwardIndex(inputs, plan, units, options);
  summary.terms = forward.term_count;
  summary.edges = forward.terms.size();
  summary.min_doc_frequency = forward.min_doc_frequency;

  std::vector<std::uint32_t> order(units.count());
  for (std::uint32_t u = 0; u < order.size(); ++u) order[u] = u;
  if (forward.term_count > 0) {
    const unsigned threads =
        options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    Bisector(forward, options, threads).Run(order);
  }

  // The plan in the new order, each file's record renumbered.
  std::vector<std::vector<std::uint32_t>> empties_before(units.count() + 1);
  for (const auto& [unit, source] : units.empty_sources) {
    empties_before[unit == kNone ? units.count() : unit].push_back(source);
  }
  RewritePlan reordered;
  reordered.order.reserve(plan.order.size());
  const auto place_empties = [&](std::size_t slot) {
    for (const std::uint32_t source : empties_before[slot]) {
      SourceFile record = plan.sources[source];
      record.first_doc = static_cast<DocId>(reordered.order.size());
      reordered.sources.push_back(std::move(record));
    }
  };
  for (const std::uint32_t unit : order) {
    place_empties(unit);
    if (units.source[unit] != kNone) {
      SourceFile record = plan.sources[units.source[unit]];
      record.first_doc = static_cast<DocId>(reordered.order.size());
      reordered.sources.push_back(std::move(record));
    }
    reordered.order.insert(reordered.order.end(), plan.order.begin() + units.start[unit],
                           plan.order.begin() + units.start[unit + 1]);
  }
  place_empties(units.count());
  plan = std::move(reordered);
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace fathom
