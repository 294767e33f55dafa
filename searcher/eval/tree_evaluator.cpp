#include "searcher/eval/tree_evaluator.hpp"

#include "common/contract.hpp"

#include <algorithm>
#include <memory>
#include <optional>

namespace fathom {
namespace {

// A matcher that also scores its current document.
class ScoredMatcher {
 public:
  virtual ~ScoredMatcher() = default;
  virtual DocId doc() const = 0;
  // Moves to the first matching document >= target; never moves back.
  virtual void NextGeq(DocId target) = 0;
  virtual Score score() = 0;
};

class LeafMatcher final : public ScoredMatcher {
 public:
  LeafMatcher(std::unique_ptr<Matcher> matcher, Bm25Scorer scorer, float weight,
              const IndexReader& reader, std::optional<TitleScoring> title)
      : matcher_(std::move(matcher)),
        scorer_(scorer),
        title_(std::move(title)),
        weight_(weight),
        reader_(reader) {}
  DocId doc() const override { return matcher_->doc(); }
  void NextGeq(DocId target) override { matcher_->NextGeq(target); }
  Score score() override {
    const DocId current = doc();
    return ClauseScore(weight_, scorer_, title_, current, matcher_->frequency(),
                       reader_.length(current));
  }

 private:
  std::unique_ptr<Matcher> matcher_;
  Bm25Scorer scorer_;
  std::optional<TitleScoring> title_;  // a word scored by BM25F
  float weight_;
  const IndexReader& reader_;
};

// A filter (field_filter.hpp): the documents it admits in the segment,
// each scoring 0.
class FilterMatcher final : public ScoredMatcher {
 public:
  explicit FilterMatcher(DeletedDocs admitted)
      : admitted_(std::move(admitted)), matcher_(DeletedMatcher(admitted_)) {}
  DocId doc() const override { return matcher_->doc(); }
  void NextGeq(DocId target) override { matcher_->NextGeq(target); }
  Score score() override { return 0; }

 private:
  DeletedDocs admitted_;  // before matcher_, which reads it
  std::unique_ptr<Matcher> matcher_;
};

// Required children all match, no excluded one does, and without required
// children at least one optional does; the score is the sum of the matching
// required and optional children's scores.
class GroupMatcher final : public ScoredMatcher {
 public:
  GroupMatcher(std::vector<std::unique_ptr<ScoredMatcher>> required,
               std::vector<std::unique_ptr<ScoredMatcher>> optional,
               std::vector<std::unique_ptr<ScoredMatcher>> excluded, bool matches_nothing)
      : required_(std::move(required)),
        optional_(std::move(optional)),
        excluded_(std::move(excluded)),
        matches_nothing_(matches_nothing || (required_.empty() && optional_.empty())) {
    Settle(0);
  }
  DocId doc() const override { return doc_; }
  void NextGeq(DocId target) override {
    if (target > doc_ && doc_ != kEndDoc) Settle(target);
  }
  Score score() override {
    if (!scored_) {
      score_ = 0;
      for (auto& child : required_) score_ += child->score();
      for (auto& child : optional_) {
        child->NextGeq(doc_);
        if (child->doc() == doc_) score_ += child->score();
      }
      scored_ = true;
    }
    return score_;
  }

 private:
  void Settle(DocId target) {
    scored_ = false;
    if (matches_nothing_) {
      doc_ = kEndDoc;
      return;
    }
    while (true) {
      DocId candidate = target;
      if (!required_.empty()) {
        for (std::size_t i = 0; i < required_.size() && candidate != kEndDoc;) {
          required_[i]->NextGeq(candidate);
          if (required_[i]->doc() != candidate) {
            candidate = required_[i]->doc();
            i = 0;
          } else {
            ++i;
          }
        }
      } else {
        candidate = kEndDoc;
        for (auto& child : optional_) {
          child->NextGeq(target);
          candidate = std::min(candidate, child->doc());
        }
      }
      if (candidate == kEndDoc) {
        doc_ = kEndDoc;
        return;
      }
      bool excluded = false;
      for (auto& child : excluded_) {
        child->NextGeq(candidate);
        excluded = excluded || child->doc() == candidate;
      }
      if (!excluded) {
        doc_ = candidate;
        return;
      }
      target = candidate + 1;
    }
  }

  std::vector<std::unique_ptr<ScoredMatcher>> required_, optional_, excluded_;
  bool matches_nothing_;
  DocId doc_ = kEndDoc;
  bool scored_ = false;
  Score score_ = 0;
};

std::unique_ptr<ScoredMatcher> Build(const IndexReader& reader, const QueryNode& node,
                                     const EvalOptions& options) {
  if (node.kind == QueryNode::Kind::kGroup) {
    std::vector<std::unique_ptr<ScoredMatcher>> required, optional, excluded;
    bool matches_nothing = false;
    for (const QueryNode& child : node.children) {
      auto matcher = Build(reader, child, options);
      if (!matcher || matcher->doc() == kEndDoc) {
        // A required child that matches nothing empties the group.
        if (child.occur == Occur::kMust) matches_nothing = true;
        continue;
      }
      (child.occur == Occur::kMust     ? required
       : child.occur == Occur::kShould ? optional
                                       : excluded)
          .push_back(std::move(matcher));
    }
    return std::make_unique<GroupMatcher>(std::move(required), std::move(optional),
                                          std::move(excluded), matches_nothing);
  }
  if (node.kind == QueryNode::Kind::kFilter) {
    return std::make_unique<FilterMatcher>(
        FilterDocs(*node.filter, reader.columns(), reader.document_count()));
  }
  const QueryClause clause = ClauseOf(node, node.occur);
  ClauseMatcher made = MakeMatcher(reader, clause, options.stats);
  if (!made.matcher) return nullptr;
  std::optional<TitleScoring> title;
  if (clause.title) title = MakeTitleScoring(reader, clause, options.bm25, options.stats, made.idf);
  return std::make_unique<LeafMatcher>(
      std::move(made.matcher),
      Bm25Scorer(options.bm25, made.idf, ScoringAverageLength(reader, options.stats)), node.weight,
      reader, std::move(title));
}

}  // namespace

EvalResult EvaluateTree(const IndexReader& reader, const QueryNode& root,
                        const EvalOptions& options) {
  EvalResult result;
  auto matcher = Build(reader, root, options);
  if (!matcher) return result;
  const std::size_t k = options.count_only ? 0 : options.k;
  if (k == 0 && options.count_limit == 0) return {{}, 0, false};
  TopK top(k);
  for (DocId doc = matcher->doc(); doc != kEndDoc; doc = matcher->doc()) {
    if (options.deleted == nullptr || !options.deleted->contains(doc)) {
      ++result.total_matches;
      if (k > 0) {
        top.Push(doc, matcher->score());
      } else if (result.total_matches >= options.count_limit) {
        result.total_exact = false;
        break;
      }
    }
    matcher->NextGeq(doc + 1);
  }
  result.hits = top.TakeSorted();
  return result;
}

namespace {

// The live matches of the tree among a segment's documents [begin, end),
// in order; first_wanted as ForEachMatch's. options.stats: the collection's
// when the snapshot has several segments.
void VisitSegment(const SnapshotSegment& segment, const QueryNode& root, const EvalOptions& options,
                  DocId begin, DocId end, const std::function<void(DocId doc, Score score)>& visit,
                  const std::function<DocId(DocId doc)>& first_wanted) {
  auto matcher = Build(*segment.reader, root, options);
  if (!matcher) return;
  const DeletedDocs* deleted = segment.deletions();
  matcher->NextGeq(begin);
  for (DocId doc = matcher->doc(); doc < end; doc = matcher->doc()) {
    if (first_wanted) {
      const std::uint64_t wanted = first_wanted(segment.base + doc) - segment.base;
      if (wanted >= end) break;
      if (wanted > doc) {
        matcher->NextGeq(static_cast<DocId>(wanted));
        continue;
      }
    }
    if (deleted == nullptr || !deleted->contains(doc)) visit(segment.base + doc, matcher->score());
    matcher->NextGeq(doc + 1);
  }
}

}  // namespace

void ForEachMatch(const IndexSnapshot& snapshot, const QueryNode& root, const EvalOptions& options,
                  const std::function<void(DocId doc, Score score)>& visit,
                  const std::function<DocId(DocId doc)>& first_wanted) {
  std::optional<CollectionStats> own_stats;
  EvalOptions segment_options = options;
  if (options.stats == nullptr && snapshot.segments().size() > 1) {
    segment_options.stats = &own_stats.emplace(snapshot);
  }
  for (const SnapshotSegment& segment : snapshot.segments()) {
    VisitSegment(segment, root, segment_options, 0,
                 static_cast<DocId>(segment.reader->document_count()), visit, first_wanted);
  }
}

void ForEachMatchIn(const IndexSnapshot& snapshot, std::size_t segment_index, const QueryNode& root,
                    const EvalOptions& options, DocId begin, DocId end,
                    const std::function<void(DocId doc, Score score)>& visit) {
  FATHOM_REQUIRE(options.stats != nullptr || snapshot.segments().size() == 1,
                 "the collection's statistics for a snapshot of several segments");
  VisitSegment(snapshot.segments().at(segment_index), root, options, begin, end, visit, nullptr);
}

EvalResult EvaluateTree(const IndexSnapshot& snapshot, const QueryNode& root,
                        const EvalOptions& options) {
  return EvaluateSegments(snapshot, options,
                          [&](const IndexReader& reader, const EvalOptions& segment_options) {
                            return EvaluateTree(reader, root, segment_options);
                          });
}

}  // namespace fathom
