#include "searcher/explain.hpp"

#include <algorithm>
#include <cstdio>

#include "searcher/evaluator.hpp"

namespace fathom {

Explanation Explain(const IndexSnapshot& snapshot, const Query& query, DocId doc,
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
  bool any_required = false;
  bool all_required = true;
  bool any_optional = false;
  bool excluded = false;
  for (const QueryClause& clause : query.clauses) {
    ClauseExplanation part;
    part.clause = clause;
    ClauseMatcher made = MakeMatcher(reader, clause, &stats);
    if (made.matcher) {
      made.matcher->NextGeq(local);
      part.matched = made.matcher->doc() == local;
      if (part.matched) part.frequency = made.matcher->frequency();
    }
    part.document_frequency = UINT64_MAX;
    for (const auto& term : clause.terms) {
      part.document_frequency = std::min(part.document_frequency, snapshot.DocumentFrequency(term));
    }
    part.idf = made.idf;
    part.length_norm = params.k1 * (1.0f - params.b +
                                    params.b * static_cast<float>(explanation.length) /
                                        static_cast<float>(explanation.average_length));
    if (clause.occur == Occur::kMustNot) {
      excluded = excluded || part.matched;
    } else if (part.matched) {
      const Bm25Scorer scorer(params, made.idf, stats.average_length());
      part.contribution = clause.weight * scorer(part.frequency, explanation.length);
    }
    if (clause.occur == Occur::kMust) {
      any_required = true;
      all_required = all_required && part.matched;
    }
    if (clause.occur == Occur::kShould) any_optional = any_optional || part.matched;
    explanation.clauses.push_back(std::move(part));
  }
  explanation.matches =
      !segment.deleted.contains(local) && !excluded && (any_required ? all_required : any_optional);
  // Summed in the evaluators' order: required clauses, then optional ones.
  for (const Occur occur : {Occur::kMust, Occur::kShould}) {
    for (const auto& part : explanation.clauses) {
      if (part.clause.occur == occur) explanation.score += part.contribution;
    }
  }
  return explanation;
}

void PrintExplanation(std::ostream& out, const Explanation& e) {
  char line[512];
  std::snprintf(line, sizeof line,
                "score %.4f = sum of the clauses below (BM25 k1=%.2f b=%.2f; document length %u, "
                "average %.1f)\n",
                static_cast<double>(e.score), static_cast<double>(e.params.k1),
                static_cast<double>(e.params.b), e.length, e.average_length);
  out << line;
  if (!e.matches) out << "  (the query does not match this document)\n";
  for (const auto& part : e.clauses) {
    const char* role = part.clause.occur == Occur::kMust      ? "required"
                       : part.clause.occur == Occur::kMustNot ? "excluded"
                                                              : "optional";
    std::string name = part.clause.is_phrase() ? "\"" : "";
    for (std::size_t i = 0; i < part.clause.terms.size(); ++i) {
      name += (i ? " " : "") + part.clause.terms[i];
    }
    if (part.clause.is_phrase()) name += "\"";
    if (!part.matched) {
      std::snprintf(
          line, sizeof line, "  %8s  %-24s %s\n", "-", name.c_str(),
          part.clause.occur == Occur::kMustNot ? "excluded, absent: ok" : "not in this document");
    } else if (part.clause.occur == Occur::kMustNot) {
      std::snprintf(line, sizeof line, "  %8s  %-24s excluded, present: document filtered out\n",
                    "-", name.c_str());
    } else if (part.clause.is_phrase()) {
      std::snprintf(line, sizeof line,
                    "  %8.4f  %-24s %s: idf %.3f (sum over its words) x occurrences %u x (k1+1) / "
                    "(occurrences + %.3f)%s\n",
                    static_cast<double>(part.contribution), name.c_str(), role,
                    static_cast<double>(part.idf), part.frequency,
                    static_cast<double>(part.length_norm),
                    part.clause.weight != 1.0f ? " x query weight" : "");
    } else {
      std::snprintf(line, sizeof line,
                    "  %8.4f  %-24s %s: idf %.3f (in %llu docs) x tf %u x (k1+1) / (tf + %.3f)%s\n",
                    static_cast<double>(part.contribution), name.c_str(), role,
                    static_cast<double>(part.idf),
                    static_cast<unsigned long long>(part.document_frequency), part.frequency,
                    static_cast<double>(part.length_norm),
                    part.clause.weight != 1.0f ? " x query weight" : "");
    }
    out << line;
  }
}

}  // namespace fathom
