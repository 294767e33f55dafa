// fathom-bench analyze: the terms Fathom's analyzer makes of a corpus or of a
// query file, as plain text, so that another engine (bench/lucene/) indexes
// and searches exactly the same terms: no second analyzer (Lucene's
// EnglishAnalyzer tokenizes, folds and stems differently) blurs the
// comparison of speed.
//
// Documents: one line per document, in corpus order (so line N is Fathom's
// document N): the title's terms, a TAB, the body's terms, separated by
// spaces. A position gap (stop words, which Fathom skips but counts) is
// written as a token "\x01N" before the next term: N more positions.
//
// Queries: "qid<TAB>kind<TAB>clause<TAB>clause..." where a clause is
// "OCCUR WEIGHT TERM/OFFSET TERM/OFFSET ...", OCCUR being + (required),
// - (excluded) or ? (optional), WEIGHT the repeat count of an optional word
// and OFFSET each term's position in a phrase.
#include <iostream>
#include <string>
#include <vector>

#include "bench/args.hpp"
#include "bench/commands.hpp"
#include "bench/output_file.hpp"
#include "bench/query_file.hpp"
#include "common/analysis/analyzer.hpp"
#include "common/error.hpp"
#include "common/read/index_reader.hpp"
#include "common/read/index_snapshot.hpp"
#include "indexer/corpus/corpus_reader.hpp"
#include "searcher/query/query_tree.hpp"

namespace fathom::bench {
namespace {

void AppendField(Analyzer& analyzer, std::string_view text, std::string& line) {
  analyzer.Reset(text, 0);
  Token token;
  std::uint32_t expected = 0;
  bool first = true;
  while (analyzer.Next(token)) {
    if (!first) line += ' ';
    if (token.position > expected) {
      line += '\x01';
      line += std::to_string(token.position - expected);
      line += ' ';
    }
    line += token.term;
    expected = token.position + 1;
    first = false;
  }
}

void AnalyzeCorpus(const IndexReader& reader, const std::string& corpus, OutputFile& out) {
  Analyzer analyzer(reader.meta().analysis);
  auto documents = CorpusReader::Open(corpus, CorpusOptions{}, [](const std::string& warning) {
    std::cerr << "warning: " << warning << "\n";
  });
  SourceDocument document;
  std::string line;
  std::uint64_t count = 0;
  while (documents->Next(document)) {
    line.clear();
    AppendField(analyzer, document.title, line);
    line += '\t';
    AppendField(analyzer, document.body, line);
    line += '\n';
    out.Write(line);
    ++count;
  }
  if (count != reader.document_count()) {
    throw InputError(corpus + ": " + std::to_string(count) + " documents, but the index has " +
                     std::to_string(reader.document_count()));
  }
}

// Through the parser fathom-search uses, so that the other engine is timed
// on exactly the queries Fathom answers.
void AnalyzeQueries(const std::string& index, const std::string& path, OutputFile& out) {
  const IndexSnapshot snapshot(index);
  Analyzer analyzer(snapshot.analysis());
  QueryTreeParser parser(analyzer, snapshot);
  for (const QueryLine& query : ReadQueryFile(path)) {
    std::string line = query.qid + "\t" + query.kind;
    Query parsed;
    try {
      parsed = ParseFlatQuery(parser, query.text);
    } catch (const Error& e) {
      throw InputError(path + ": query " + query.qid + ": " + e.what());
    }
    for (const QueryClause& clause : parsed.clauses) {
      line += '\t';
      line += clause.occur == Occur::kMust ? '+' : clause.occur == Occur::kMustNot ? '-' : '?';
      line += ' ' + std::to_string(clause.weight);
      for (std::size_t i = 0; i < clause.terms.size(); ++i) {
        line += ' ' + clause.terms[i] + '/' + std::to_string(clause.offsets[i]);
      }
    }
    out.Write(line + "\n");
  }
}

}  // namespace

int RunAnalyze(const std::vector<std::string>& arg_list) {
  const Args args(arg_list, {"corpus", "queries", "output"});
  if (args.help()) {
    std::cout << "Usage: fathom-bench analyze INDEX (--corpus FILE | --queries FILE) "
                 "[--output FILE]\n\n"
                 "Writes the terms INDEX's analyzer makes of a corpus (one document per line,\n"
                 "title<TAB>body) or of a query file (qid<TAB>kind<TAB>clauses), for feeding\n"
                 "another engine exactly Fathom's terms. See bench/README.md.\n";
    return 0;
  }
  args.ExpectPositional(1, "INDEX");
  if (args.Has("corpus") == args.Has("queries")) {
    throw UsageError("give exactly one of --corpus and --queries");
  }
  const std::string index = args.positional()[0];
  OutputFile out(args.GetString("output", ""));
  if (args.Has("corpus")) {
    AnalyzeCorpus(IndexReader(index), args.GetString("corpus", ""), out);
  } else {
    AnalyzeQueries(index, args.GetString("queries", ""), out);
  }
  out.Close();
  return 0;
}

}  // namespace fathom::bench
