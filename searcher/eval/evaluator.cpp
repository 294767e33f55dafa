#include "searcher/eval/evaluator.hpp"

#include "searcher/eval/eval_clauses.hpp"

#include <algorithm>
#include <bit>
#include <numeric>

#include "common/analysis/fields.hpp"
#include "common/contract.hpp"

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

class DeletedDocsMatcher final : public Matcher {
 public:
  explicit DeletedDocsMatcher(const DeletedDocs& deleted) : deleted_(deleted) { Seek(0); }
  DocId doc() const override { return doc_; }
  void Next() override { Seek(doc_ == kEndDoc ? kEndDoc : doc_ + 1); }
  void NextGeq(DocId target) override {
    if (target > doc_ && doc_ != kEndDoc) Seek(target);
  }
  std::uint32_t frequency() override { return 1; }

 private:
  // The first deleted document >= target: a scan of the bitmap's words,
  // amortized over a query since targets only grow.
  void Seek(DocId target) {
    const std::vector<std::uint64_t>& words = deleted_.words();
    std::uint64_t word = target >> 6;
    if (target >= deleted_.document_count() || word >= words.size()) {
      doc_ = kEndDoc;
      return;
    }
    std::uint64_t bits = words[word] & (~std::uint64_t{0} << (target & 63));
    while (bits == 0) {
      if (++word == words.size()) {
        doc_ = kEndDoc;
        return;
      }
      bits = words[word];
    }
    doc_ = static_cast<DocId>(word * 64 + static_cast<std::uint64_t>(std::countr_zero(bits)));
  }

  const DeletedDocs& deleted_;
  DocId doc_ = kEndDoc;
};

struct ScoredClause {
  std::unique_ptr<Matcher> matcher;
  Bm25Scorer scorer;
  float weight;
  std::optional<TitleScoring> title;  // a word scored by BM25F

  Score ScoreAt(DocId doc, std::uint32_t length) {
    return ClauseScore(weight, scorer, title, doc, matcher->frequency(), length);
  }
};

}  // namespace

std::unique_ptr<Matcher> DeletedMatcher(const DeletedDocs& deleted) {
  return std::make_unique<DeletedDocsMatcher>(deleted);
}

float ScoringIdf(const IndexReader& reader, const CollectionStats* stats, std::string_view term,
                 std::uint64_t segment_frequency) {
  return stats != nullptr ? stats->Idf(term, segment_frequency)
                          : Bm25Idf(reader.document_count(), segment_frequency);
}

double ScoringAverageLength(const IndexReader& reader, const CollectionStats* stats) {
  return stats != nullptr ? stats->average_length() : reader.average_length();
}

double ScoringAverageTitleLength(const IndexReader& reader, const CollectionStats* stats) {
  return stats != nullptr ? stats->average_title_length()
                          : reader.title_lengths().average_length(reader.document_count());
}

TitleScoring MakeTitleScoring(const IndexReader& reader, const QueryClause& clause,
                              Bm25Params params, const CollectionStats* stats, float idf) {
  FATHOM_REQUIRE(clause.title.has_value() && clause.terms.size() == 1,
                 "BM25F scores words, with a title weighting");
  std::optional<PostingCursor> cursor;
  if (const auto info = reader.FindTerm(FieldTerm(kTitleField, clause.terms[0]))) {
    cursor.emplace(reader, *info);
  }
  return {TitleStream(std::move(cursor), reader.title_lengths().lengths),
          Bm25fScorer(params, idf, ScoringAverageLength(reader, stats), *clause.title,
                      ScoringAverageTitleLength(reader, stats))};
}

ClauseMatcher MakeMatcher(const IndexReader& reader, const QueryClause& clause,
                          const CollectionStats* stats) {
  ClauseMatcher result;
  std::vector<PostingCursor> cursors;
  for (const auto& term : clause.terms) {
    const auto info = reader.FindTerm(term);
    if (!info) return {};
    result.idf += ScoringIdf(reader, stats, term, info->entry.document_frequency);
    cursors.emplace_back(reader, *info);
  }
  if (cursors.size() == 1) {
    result.matcher = std::make_unique<TermMatcher>(std::move(cursors[0]));
    return result;
  }
  // Adjacent pair words of an exact phrase are matched through their pair's
  // list (common/analysis/fields.hpp), which holds exactly where both stand
  // one after the other: "history of the war" as history@0, "of the"@1,
  // war@3. The score is still the words' (their idf, the phrase's
  // frequency). An absent pair never occurs in this segment.
  std::vector<PostingCursor> elements;
  std::vector<std::uint32_t> offsets;
  for (std::size_t i = 0; i < cursors.size(); ++i) {
    if (!MatchedAsPair(reader, clause, i)) {
      elements.push_back(std::move(cursors[i]));
      offsets.push_back(clause.offsets[i]);
      continue;
    }
    const auto info = reader.FindTerm(PairTerm(clause.terms[i], clause.terms[i + 1]));
    if (!info) return {};
    if (cursors.size() == 2) result.pair_list = info;
    elements.emplace_back(reader, *info);
    offsets.push_back(clause.offsets[i]);
    ++i;
  }
  result.matcher =
      std::make_unique<eval::PhraseMatcher>(std::move(elements), std::move(offsets), clause.slop);
  return result;
}

bool MatchedAsPair(const IndexReader& reader, const QueryClause& clause, std::size_t i) {
  const std::span<const std::string_view> pair_words = PairWords(reader.meta().analysis.language);
  return clause.slop == 0 && i + 1 < clause.terms.size() &&
         clause.offsets[i + 1] == clause.offsets[i] + 1 &&
         IsPairWord(pair_words, clause.terms[i]) && IsPairWord(pair_words, clause.terms[i + 1]);
}

std::string_view AlgorithmName(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kAuto:
      return "auto";
    case Algorithm::kExhaustive:
      return "exhaustive";
    case Algorithm::kMaxScore:
      return "maxscore";
    case Algorithm::kBmw:
      return "bmw";
  }
  return "auto";
}

std::optional<Algorithm> ParseAlgorithm(std::string_view name) {
  for (const Algorithm algorithm :
       {Algorithm::kAuto, Algorithm::kExhaustive, Algorithm::kMaxScore, Algorithm::kBmw}) {
    if (name == AlgorithmName(algorithm)) return algorithm;
  }
  return std::nullopt;
}

EvalResult EvaluateExhaustive(const IndexReader& reader, const Query& query,
                              const EvalOptions& options) {
  std::vector<ScoredClause> required, optional;
  std::vector<std::unique_ptr<Matcher>> excluded;
  if (options.deleted != nullptr) excluded.push_back(DeletedMatcher(*options.deleted));
  if (options.filter != nullptr) {
    excluded.push_back(RejectedMatcher(*options.filter, reader.document_count()));
  }
  for (const auto& clause : query.clauses) {
    ClauseMatcher made = MakeMatcher(reader, clause, options.stats);
    if (clause.occur == Occur::kMustNot) {
      if (made.matcher) excluded.push_back(std::move(made.matcher));
      continue;
    }
    if (!made.matcher) {
      if (clause.occur == Occur::kMust) return {};  // a required clause matches nothing
      continue;
    }
    ScoredClause scored{
        std::move(made.matcher),
        Bm25Scorer(options.bm25, made.idf, ScoringAverageLength(reader, options.stats)),
        clause.weight, std::nullopt};
    if (clause.title) {
      scored.title = MakeTitleScoring(reader, clause, options.bm25, options.stats, made.idf);
    }
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
      for (auto& clause : required) score += clause.ScoreAt(candidate, length);
      for (auto& clause : optional) {
        clause.matcher->NextGeq(candidate);
        if (clause.matcher->doc() == candidate) score += clause.ScoreAt(candidate, length);
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

EvalResult Evaluate(const IndexReader& reader, const Query& query, const EvalOptions& options) {
  if (options.count_only || options.k == 0) return eval::CountMatches(reader, query, options);
  if (options.algorithm == Algorithm::kExhaustive) {
    return EvaluateExhaustive(reader, query, options);
  }
  // Whole-list bounds (a pass over each skip table) only matter when
  // several clauses compete; a lone clause is bounded block by block, unless
  // an evaluator made for several is forced on it.
  std::size_t scoring = 0;
  for (const auto& clause : query.clauses) scoring += clause.occur != Occur::kMustNot ? 1 : 0;
  const bool forced = options.evaluator != PrunedEvaluator::kPicked;
  // BM25F words take MaxScore (TopKSingleTerm scores block by block with
  // BM25 alone), which needs their bounds.
  bool bm25f = false;
  for (const auto& clause : query.clauses) bm25f = bm25f || clause.title.has_value();
  eval::PreparedQuery prepared =
      eval::Prepare(reader, query, options, scoring > 1 || forced || bm25f);
  if (prepared.matches_nothing || prepared.slots() == 0) return {};
  const eval::ClauseCursor& first =
      (prepared.required.empty() ? prepared.optional : prepared.required)[0];
  const bool lone_term = prepared.slots() == 1 && prepared.excludes_only_left_out() &&
                         first.is_term() && !first.scored_with_title();
  const bool required = !prepared.required.empty();
  const auto takes = [&](PrunedEvaluator evaluator) {
    switch (evaluator) {
      case PrunedEvaluator::kSingleTerm:
        return lone_term;
      case PrunedEvaluator::kConjunction:
        return required;
      case PrunedEvaluator::kMaxScore:
      case PrunedEvaluator::kBmw:
        return !required;
      case PrunedEvaluator::kPicked:
        break;
    }
    return false;
  };
  PrunedEvaluator evaluator = options.evaluator;
  if (!takes(evaluator)) {
    evaluator = lone_term                              ? PrunedEvaluator::kSingleTerm
                : required                             ? PrunedEvaluator::kConjunction
                : options.algorithm == Algorithm::kBmw ? PrunedEvaluator::kBmw
                                                       : PrunedEvaluator::kMaxScore;
  }
  EvalResult result;
  switch (evaluator) {
    case PrunedEvaluator::kPicked:
    case PrunedEvaluator::kMaxScore:
      result = eval::TopKMaxScore(reader, prepared, options.k);
      break;
    case PrunedEvaluator::kSingleTerm:
      result = eval::TopKSingleTerm(reader, prepared, options.k);
      break;
    case PrunedEvaluator::kConjunction:
      result = eval::TopKConjunction(reader, prepared, options.k);
      break;
    case PrunedEvaluator::kBmw:
      result = eval::TopKBmw(reader, prepared, options.k);
      break;
  }
  // Pruning starts once the top k is full (or from a threshold handed in by
  // the segments before): a heap that never filled, with no threshold from
  // outside, saw every match.
  result.total_exact = result.hits.size() < options.k &&
                       options.threshold == -std::numeric_limits<Score>::infinity();
  return result;
}

std::vector<SegmentFilter> SegmentFilters(const IndexSnapshot& snapshot,
                                          const std::vector<const FieldFilter*>& required,
                                          const std::vector<const FieldFilter*>& excluded) {
  std::vector<SegmentFilter> filters;
  for (const SnapshotSegment& segment : snapshot.segments()) {
    filters.emplace_back(segment.reader->columns(), required, excluded);
  }
  return filters;
}

namespace {

class RejectedDocsMatcher final : public Matcher {
 public:
  RejectedDocsMatcher(const SegmentFilter& filter, std::uint64_t document_count)
      : filter_(filter), document_count_(document_count) {
    Seek(0);
  }
  DocId doc() const override { return doc_; }
  void Next() override { Seek(doc_ == kEndDoc ? kEndDoc : doc_ + 1); }
  void NextGeq(DocId target) override {
    if (target > doc_ || doc_ == kEndDoc) Seek(target);
  }
  std::uint32_t frequency() override { return 1; }

 private:
  void Seek(DocId target) {
    for (std::uint64_t d = target; d < document_count_; ++d) {
      if (!filter_.Admits(static_cast<DocId>(d))) {
        doc_ = static_cast<DocId>(d);
        return;
      }
    }
    doc_ = kEndDoc;
  }
  const SegmentFilter& filter_;
  std::uint64_t document_count_;
  DocId doc_ = kEndDoc;
};

}  // namespace

std::unique_ptr<Matcher> RejectedMatcher(const SegmentFilter& filter,
                                         std::uint64_t document_count) {
  return std::make_unique<RejectedDocsMatcher>(filter, document_count);
}

EvalResult EvaluateSegments(const IndexSnapshot& snapshot, const EvalOptions& options,
                            const SegmentEvaluator& evaluate) {
  const std::vector<SnapshotSegment>& segments = snapshot.segments();
  if (segments.size() == 1) {
    // A lone segment's statistics are the collection's and its ids global
    // ids: its answer is the answer, at no cost over a plain reader's.
    EvalOptions segment_options = options;
    segment_options.deleted = segments[0].deletions();
    if (options.filters != nullptr) {
      segment_options.filter = &(*options.filters)[0];
      if (segment_options.filter->admits_nothing()) return {};
    }
    return evaluate(*segments[0].reader, segment_options);
  }
  std::optional<CollectionStats> own_stats;
  if (options.stats == nullptr) own_stats.emplace(snapshot);
  const std::size_t k = options.count_only ? 0 : options.k;
  TopK top(k);
  EvalResult result;
  for (std::size_t s = 0; s < segments.size(); ++s) {
    const SnapshotSegment& segment = segments[s];
    EvalOptions segment_options = options;
    segment_options.stats = options.stats != nullptr ? options.stats : &*own_stats;
    segment_options.deleted = segment.deletions();
    if (options.filters != nullptr) {
      segment_options.filter = &(*options.filters)[s];
      if (segment_options.filter->admits_nothing()) continue;
    }
    if (k == 0) {
      // A limited count needs only what the segments before left of it.
      if (result.total_matches >= options.count_limit) {
        result.total_exact = false;
        break;
      }
      segment_options.count_limit = options.count_limit - result.total_matches;
    }
    // Segments come in global id order, so a later document with the k-th
    // score ranks after it: only a higher score can still enter.
    if (top.full() && k > 0) {
      segment_options.threshold = std::max(options.threshold, top.threshold());
    }
    const EvalResult part = evaluate(*segment.reader, segment_options);
    for (const Hit& hit : part.hits) top.Push(segment.base + hit.doc, hit.score);
    result.total_matches += part.total_matches;
    result.total_exact = result.total_exact && part.total_exact;
  }
  result.hits = top.TakeSorted();
  return result;
}

EvalResult Evaluate(const IndexSnapshot& snapshot, const Query& query, const EvalOptions& options) {
  return EvaluateSegments(snapshot, options,
                          [&](const IndexReader& reader, const EvalOptions& segment_options) {
                            return Evaluate(reader, query, segment_options);
                          });
}

EvalResult EvaluateExhaustive(const IndexSnapshot& snapshot, const Query& query,
                              const EvalOptions& options) {
  return EvaluateSegments(snapshot, options,
                          [&](const IndexReader& reader, const EvalOptions& segment_options) {
                            return EvaluateExhaustive(reader, query, segment_options);
                          });
}

void CountExactlyUpTo(const IndexSnapshot& snapshot, const Query& query, EvalOptions options,
                      std::uint64_t up_to, EvalResult& result) {
  if (result.total_exact || up_to == 0) return;
  // As Lucene's TopScoreDocCollector: the k hits asked for are always
  // counted, so the bound is never below them.
  up_to = std::max<std::uint64_t>(up_to, options.k);
  // Exactly up_to matches is an exact count: only finding one more than
  // up_to makes it a lower bound.
  const std::uint64_t one_more = up_to == kCountAll ? kCountAll : up_to + 1;
  if (result.total_matches < one_more) {
    options.count_only = true;
    options.count_limit = one_more;
    const EvalResult counted = Evaluate(snapshot, query, options);
    if (counted.total_exact) {
      result.total_matches = counted.total_matches;
      result.total_exact = true;
      return;
    }
  }
  // At least up_to matches; up_to itself, whatever the evaluators happened to
  // visit, so that the answer does not depend on the algorithm or on how
  // the index is segmented.
  result.total_matches = up_to;
}

}  // namespace fathom
