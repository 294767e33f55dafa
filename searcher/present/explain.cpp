#include "searcher/present/explain.hpp"

#include <tuple>

#include <algorithm>
#include <cstdio>
#include <string>

#include "searcher/eval/evaluator.hpp"

namespace fathom {
namespace {

const char* Role(Occur occur) {
  return occur == Occur::kMust ? "required" : occur == Occur::kMustNot ? "excluded" : "optional";
}

// A word or phrase as explain names it: its analyzed terms.
std::string LeafName(const std::vector<std::string>& terms, std::uint32_t slop) {
  if (terms.size() == 1) return terms[0];
  std::string name = "\"";
  for (std::size_t i = 0; i < terms.size(); ++i) name += (i ? " " : "") + terms[i];
  name += "\"";
  if (slop > 0) name += "~" + std::to_string(slop);
  return name;
}

// A group in the query language, with +/- for its parts' roles: how the
// parser understood "putin AND NOT trump" is (+putin -trump). Long groups
// (expansions of a prefix) are cut at a part, as a name should be short.
std::string GroupName(const QueryNode& wrapped) {
  const QueryNode& group = Unwrapped(wrapped);
  constexpr std::size_t kLongest = 80;
  std::string name = "(";
  for (const QueryNode& part : group.children) {
    std::string written = part.occur == Occur::kMust      ? "+"
                          : part.occur == Occur::kMustNot ? "-"
                                                          : "";
    written += part.kind == QueryNode::Kind::kGroup    ? GroupName(part)
               : part.kind == QueryNode::Kind::kFilter ? part.source
                                                       : LeafName(part.terms, part.slop);
    if (name.size() > 1 && name.size() + written.size() > kLongest) return name + " ...)";
    name += (name.size() > 1 ? " " : "") + written;
  }
  return name + ")";
}

// Walks the query tree as EvaluateTree does (tree_evaluator.cpp), one
// document, appending a ClauseExplanation per node.
class TreeWalk {
 public:
  TreeWalk(const IndexSnapshot& snapshot, const IndexReader& reader, const CollectionStats& stats,
           DocId local, Explanation& out)
      : snapshot_(snapshot), reader_(reader), stats_(stats), local_(local), out_(out) {}

  // Explains the parts of group, at depth, and returns whether the group
  // matches. score gets what GroupMatcher::score() sums, in its order: the
  // required parts, then the optional ones that match (for a group that
  // does not match, what its matching parts would add).
  bool Group(const QueryNode& wrapped, std::uint32_t depth, Score& score) {
    // Adding a lone part's score to 0 leaves it exact, so wrappers can go.
    const QueryNode& group = Unwrapped(wrapped);
    bool any_required = false;
    bool all_required = true;
    bool any_optional = false;
    bool excluded = false;
    std::vector<std::size_t> parts;  // this group's own parts in out_.clauses
    for (const QueryNode& child : group.children) {
      const std::size_t at = out_.clauses.size();
      parts.push_back(at);
      out_.clauses.emplace_back();
      out_.clauses[at].depth = depth;
      out_.clauses[at].clause.occur = child.occur;
      Score own = 0;
      bool matched;
      if (child.kind == QueryNode::Kind::kGroup) {
        out_.clauses[at].is_group = true;
        out_.clauses[at].clause.source = GroupName(child);
        matched = Group(child, depth + 1, own);
      } else {
        matched = Leaf(child, out_.clauses[at], own);
      }
      out_.clauses[at].matched = matched;
      out_.clauses[at].contribution = own;
      if (child.occur == Occur::kMust) {
        any_required = true;
        all_required = all_required && matched;
      } else if (child.occur == Occur::kShould) {
        any_optional = any_optional || matched;
      } else {
        excluded = excluded || matched;
      }
    }
    score = 0;
    for (const Occur occur : {Occur::kMust, Occur::kShould}) {
      for (const std::size_t i : parts) {
        const ClauseExplanation& part = out_.clauses[i];
        if (part.clause.occur == occur && part.matched) score += part.contribution;
      }
    }
    return !excluded && (any_required ? all_required : any_optional);
  }

 private:
  bool Leaf(const QueryNode& leaf, ClauseExplanation& part, Score& score) {
    if (leaf.kind == QueryNode::Kind::kFilter) {
      // Admits or not; never scores.
      part.is_filter = true;
      part.clause.source = leaf.source;
      part.clause.occur = leaf.occur;
      score = 0;
      const SegmentFilter filter(reader_.columns(), {&*leaf.filter}, {});
      return !filter.admits_nothing() && filter.Admits(local_);
    }
    part.clause = ClauseOf(leaf, leaf.occur);
    ClauseMatcher made = MakeMatcher(reader_, part.clause, &stats_);
    if (made.matcher) {
      made.matcher->NextGeq(local_);
      part.matched = made.matcher->doc() == local_;
      if (part.matched) part.frequency = made.matcher->frequency();
    }
    part.document_frequency = UINT64_MAX;
    for (const auto& term : leaf.terms) {
      part.document_frequency =
          std::min(part.document_frequency, snapshot_.DocumentFrequency(term));
    }
    part.idf = made.idf;
    const Bm25Params& params = out_.params;
    part.length_norm = params.k1 * (1.0f - params.b +
                                    params.b * static_cast<float>(out_.length) /
                                        static_cast<float>(out_.average_length));
    if (part.matched && leaf.occur != Occur::kMustNot) {
      std::optional<TitleScoring> title;
      if (part.clause.title) {
        title = MakeTitleScoring(reader_, part.clause, params, &stats_, made.idf);
        std::tie(part.title_frequency, part.title_length) = title->stream.At(local_);
        part.title_norm = title->scorer.FieldNormalization(part.title_length);
      }
      const Bm25Scorer scorer(params, made.idf, ScoringAverageLength(reader_, &stats_));
      score = ClauseScore(leaf.weight, scorer, title, local_, part.frequency, out_.length);
    }
    return part.matched;
  }

  const IndexSnapshot& snapshot_;
  const IndexReader& reader_;
  const CollectionStats& stats_;
  DocId local_;
  Explanation& out_;
};

}  // namespace

Explanation Explain(const IndexSnapshot& snapshot, const QueryNode& root, DocId doc,
                    Bm25Params params) {
  const SnapshotSegment& segment = snapshot.SegmentOf(doc);
  const IndexReader& reader = *segment.reader;
  const DocId local = doc - segment.base;
  const CollectionStats stats(snapshot);
  Explanation explanation;
  explanation.doc = doc;
  explanation.length = reader.length(local);
  explanation.average_length = stats.average_length();
  explanation.params = params;
  TreeWalk walk(snapshot, reader, stats, local, explanation);
  const bool matches = walk.Group(root, 0, explanation.score);
  explanation.matches = matches && !segment.deleted.contains(local);
  // What counts: a part that matches, is not excluded, and whose group
  // counts. The query's own clauses are shown as they would count even
  // for a document the query does not match, which the header says.
  std::vector<bool> counts;  // per depth, of the group being walked
  for (ClauseExplanation& part : explanation.clauses) {
    counts.resize(part.depth + 1);
    const bool group_counts = part.depth == 0 || counts[part.depth - 1];
    part.counts = group_counts && part.matched && part.clause.occur != Occur::kMustNot;
    counts[part.depth] = part.counts;
    if (!part.counts) part.contribution = 0;
  }
  return explanation;
}

void PrintExplanation(std::ostream& out, const Explanation& e) {
  char line[1024];
  std::snprintf(line, sizeof line,
                "score %.4f = sum of the clauses below (BM25 k1=%.2f b=%.2f; document length %u, "
                "average %.1f)\n",
                static_cast<double>(e.score), static_cast<double>(e.params.k1),
                static_cast<double>(e.params.b), e.length, e.average_length);
  out << line;
  if (!e.matches) out << "  (the query does not match this document)\n";
  for (const auto& part : e.clauses) {
    const std::string indent(2 + 2 * part.depth, ' ');
    const std::string name = part.is_group || part.is_filter
                                 ? part.clause.source
                                 : LeafName(part.clause.terms, part.clause.slop);
    const std::string role = std::string(Role(part.clause.occur)) + (part.is_group ? " group" : "");
    // A part that counts shows its contribution and how it is made; the
    // others say why they add nothing.
    char number[32] = "-";
    char detail[320];
    if (part.is_filter) {
      const bool excluded = part.clause.occur == Occur::kMustNot;
      std::snprintf(detail, sizeof detail, "%s filter: %s", role.c_str(),
                    excluded       ? (part.matched ? "holds here, which excludes the document"
                                                   : "does not hold here: ok")
                    : part.matched ? "holds here (adds nothing to the score)"
                                   : "does not hold here");
    } else if (part.counts) {
      std::snprintf(number, sizeof number, "%.4f", static_cast<double>(part.contribution));
      const char* weighted = part.clause.weight != 1.0f ? " x query weight" : "";
      if (part.is_group) {
        std::snprintf(detail, sizeof detail, "%s: the sum of its parts below", role.c_str());
      } else if (part.clause.is_phrase()) {
        std::snprintf(detail, sizeof detail,
                      "%s: idf %.3f (sum over its words) x occurrences %u x (k1+1) / "
                      "(occurrences + %.3f)%s",
                      role.c_str(), static_cast<double>(part.idf), part.frequency,
                      static_cast<double>(part.length_norm), weighted);
      } else if (part.clause.title) {
        // tf here is BM25F's: the streams' frequencies over their
        // normalizations, summed; k1 saturates the sum.
        std::snprintf(detail, sizeof detail,
                      "%s: BM25F idf %.3f (in %llu docs) x tf x (k1+1) / (tf + k1), tf = %u / "
                      "%.3f + %.2f x %u in the title (length %u) / %.3f%s",
                      role.c_str(), static_cast<double>(part.idf),
                      static_cast<unsigned long long>(part.document_frequency), part.frequency,
                      static_cast<double>(part.length_norm / e.params.k1),
                      static_cast<double>(part.clause.title->weight), part.title_frequency,
                      part.title_length, static_cast<double>(part.title_norm), weighted);
      } else {
        std::snprintf(detail, sizeof detail,
                      "%s: idf %.3f (in %llu docs) x tf %u x (k1+1) / (tf + %.3f)%s", role.c_str(),
                      static_cast<double>(part.idf),
                      static_cast<unsigned long long>(part.document_frequency), part.frequency,
                      static_cast<double>(part.length_norm), weighted);
      }
    } else {
      std::string why;
      if (part.clause.occur == Occur::kMustNot) {
        why = !part.matched
                  ? role + (part.is_group ? ", does not match: ok" : ", absent: ok")
                  : role + (part.is_group ? ", matches: " : ", present: ") +
                        (part.depth == 0 ? "document filtered out" : "its group does not match");
      } else if (!part.matched) {
        why = part.is_group ? role + ": does not match" : "not in this document";
      } else {
        why = role + (part.is_group ? ": matches" : ": in this document") +
              ", but its group does not count";
      }
      std::snprintf(detail, sizeof detail, "%s", why.c_str());
    }
    std::snprintf(line, sizeof line, "%s%8s  %-24s %s\n", indent.c_str(), number, name.c_str(),
                  detail);
    out << line;
  }
}

}  // namespace fathom
