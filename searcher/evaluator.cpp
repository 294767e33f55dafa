#include "searcher/evaluator.hpp"

#include <algorithm>
#include <numeric>

namespace fathom {
namespace {

class TermMatcher final : public Matcher {
 public:
  explicit TermMatcher(PostingCursor cursor) : cursor_(std::move(cursor)) {}
  DocId doc() const override { return cursor_.doc(); }
  void Next() override { cursor_.Next(); }
  void NextGeq(DocId target) override { cursor_.NextGeq(target); }
  std::uint32_t frequency() override { return cursor_.frequency(); }

 private:
  PostingCursor cursor_;
};

// Documents where the terms occur at their relative offsets. Candidates come
// from a leapfrog conjunction driven by the rarest term; positions are
// decoded only for documents that contain every term.
class PhraseMatcher final : public Matcher {
 public:
  PhraseMatcher(std::vector<PostingCursor> cursors, std::vector<std::uint32_t> offsets)
      : cursors_(std::move(cursors)), offsets_(std::move(offsets)), positions_(cursors_.size()) {
    order_.resize(cursors_.size());
    std::iota(order_.begin(), order_.end(), 0);
    std::sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) {
      return cursors_[a].document_frequency() < cursors_[b].document_frequency();
    });
    Settle(0);
  }

  DocId doc() const override { return doc_; }
  void Next() override { Settle(doc_ == kEndDoc ? kEndDoc : doc_ + 1); }
  void NextGeq(DocId target) override {
    if (target > doc_ || doc_ == kEndDoc) Settle(target);
  }
  std::uint32_t frequency() override { return frequency_; }

 private:
  // Moves to the first document >= target containing the phrase.
  void Settle(DocId target) {
    while (target != kEndDoc) {
      DocId candidate = target;
      bool aligned = false;
      while (!aligned) {
        aligned = true;
        for (const std::size_t i : order_) {
          cursors_[i].NextGeq(candidate);
          if (cursors_[i].doc() != candidate) {
            candidate = cursors_[i].doc();
            aligned = false;
            break;
          }
        }
        if (candidate == kEndDoc) break;
      }
      if (candidate == kEndDoc) break;
      frequency_ = CountOccurrences();
      if (frequency_ > 0) {
        doc_ = candidate;
        return;
      }
      target = candidate + 1;
    }
    doc_ = kEndDoc;
    frequency_ = 0;
  }

  std::uint32_t CountOccurrences() {
    for (std::size_t i = 0; i < cursors_.size(); ++i) cursors_[i].Positions(positions_[i]);
    // Anchor on the rarest term's positions; check the others by search.
    const std::size_t anchor = order_[0];
    std::uint32_t count = 0;
    for (const std::uint32_t p : positions_[anchor]) {
      if (p < offsets_[anchor]) continue;
      const std::uint32_t start = p - offsets_[anchor];
      bool all = true;
      for (std::size_t i = 0; i < cursors_.size() && all; ++i) {
        if (i == anchor) continue;
        all = std::binary_search(positions_[i].begin(), positions_[i].end(), start + offsets_[i]);
      }
      count += all ? 1 : 0;
    }
    return count;
  }

  std::vector<PostingCursor> cursors_;
  std::vector<std::uint32_t> offsets_;
  std::vector<std::size_t> order_;
  std::vector<std::vector<std::uint32_t>> positions_;
  DocId doc_ = kEndDoc;
  std::uint32_t frequency_ = 0;
};

struct ScoredClause {
  std::unique_ptr<Matcher> matcher;
  Bm25Scorer scorer;
  float weight;
};

}  // namespace

ClauseMatcher MakeMatcher(const IndexReader& reader, const QueryClause& clause) {
  ClauseMatcher result;
  std::vector<PostingCursor> cursors;
  for (const auto& term : clause.terms) {
    const auto info = reader.FindTerm(term);
    if (!info) return {};
    result.idf += Bm25Idf(reader.document_count(), info->entry.document_frequency);
    cursors.emplace_back(reader, *info);
  }
  if (cursors.size() == 1) {
    result.matcher = std::make_unique<TermMatcher>(std::move(cursors[0]));
  } else {
    result.matcher = std::make_unique<PhraseMatcher>(std::move(cursors), clause.offsets);
  }
  return result;
}

EvalResult EvaluateExhaustive(const IndexReader& reader, const Query& query,
                              const EvalOptions& options) {
  std::vector<ScoredClause> required, optional;
  std::vector<std::unique_ptr<Matcher>> excluded;
  for (const auto& clause : query.clauses) {
    ClauseMatcher made = MakeMatcher(reader, clause);
    if (clause.occur == Occur::kMustNot) {
      if (made.matcher) excluded.push_back(std::move(made.matcher));
      continue;
    }
    if (!made.matcher) {
      if (clause.occur == Occur::kMust) return {};  // a required clause matches nothing
      continue;
    }
    ScoredClause scored{std::move(made.matcher),
                        Bm25Scorer(options.bm25, made.idf, reader.average_length()), clause.weight};
    (clause.occur == Occur::kMust ? required : optional).push_back(std::move(scored));
  }
  EvalResult result;
  if (required.empty() && optional.empty()) return result;

  TopK top(options.k);
  while (true) {
    DocId candidate = kEndDoc;
    if (!required.empty()) {
      candidate = required[0].matcher->doc();
      for (std::size_t i = 0; i < required.size() && candidate != kEndDoc;) {
        required[i].matcher->NextGeq(candidate);
        if (required[i].matcher->doc() != candidate) {
          candidate = required[i].matcher->doc();
          i = 0;
        } else {
          ++i;
        }
      }
    } else {
      for (const auto& clause : optional) candidate = std::min(candidate, clause.matcher->doc());
    }
    if (candidate == kEndDoc) break;

    bool is_excluded = false;
    for (auto& matcher : excluded) {
      matcher->NextGeq(candidate);
      is_excluded = is_excluded || matcher->doc() == candidate;
    }
    if (!is_excluded) {
      const std::uint32_t length = reader.length(candidate);
      Score score = 0;
      for (auto& clause : required) {
        score += clause.weight * clause.scorer(clause.matcher->frequency(), length);
      }
      for (auto& clause : optional) {
        clause.matcher->NextGeq(candidate);
        if (clause.matcher->doc() == candidate) {
          score += clause.weight * clause.scorer(clause.matcher->frequency(), length);
        }
      }
      ++result.total_matches;
      top.Push(candidate, score);
    }
    if (!required.empty()) {
      required[0].matcher->Next();
    } else {
      for (auto& clause : optional) {
        if (clause.matcher->doc() == candidate) clause.matcher->Next();
      }
    }
  }
  result.hits = top.TakeSorted();
  return result;
}

}  // namespace fathom
