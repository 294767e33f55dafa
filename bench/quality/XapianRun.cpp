// The Xapian baseline of bench/quality/run.sh: indexes a collection's
// documents (id, title and body, NUL-separated, as run.sh extracts them from
// the JSON Lines corpus) with Xapian 1.4 (Debian's libxapian-dev) and writes
// a TREC run for a qid<TAB>query file.
//
// Set up as Xapian's own tools (omindex, the examples) and most users set it
// up, i.e. Xapian out of the box:
// - Index: title and body as one text field, TermGenerator with the English
//   Snowball stemmer and its default STEM_SOME strategy (each word indexed
//   as-is with positions, plus its stem with a "Z" prefix), title and body
//   separated by increase_termpos() so no phrase spans them. No stop words,
//   as on the Lucene side.
// - Queries: QueryParser, English stemmer, STEM_SOME, default operator OP_OR,
//   no stopper. Flags 0, not FLAG_DEFAULT (FLAG_PHRASE | FLAG_BOOLEAN |
//   FLAG_LOVEHATE): topics are text, so the upper-case AND/OR/NOT of TIME's
//   topics, brackets, quotes and leading "-" or "+" must stay words (or be
//   skipped as punctuation), not become operators. No flag turns off
//   Xapian's "phrased terms": words joined by - . / : \ @ (e.g. "real-gas")
//   are still searched as a phrase of unstemmed words, as Xapian always does.
//   STEM_SOME also leaves words that start with a capital letter unstemmed
//   (they match the index's unstemmed terms), so all-capitals topics (TIME's,
//   NPL's) are searched without stemming: that is what Xapian does with them.
// - Weighting: BM25Weight() with its defaults (k1=1, k2=0, k3=1, b=0.5,
//   min_normlen=0.5), Xapian's default scheme.
// The database uses the in-memory backend (DB_BACKEND_INMEMORY): the
// collections are small, and nothing is left on disk.
//
// Usage: xapian-run DOCUMENTS QUERIES.tsv RUN [--k 1000] [--stem-all]
// Build: g++ -O2 -std=c++17 XapianRun.cpp -o xapian-run $(pkg-config --cflags --libs xapian-core)
#include <xapian.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

namespace {

const char* const kProgram = "xapian-run";

[[noreturn]] void Fail(const std::string& message) {
  std::cerr << kProgram << ": " << message << "\n";
  std::exit(1);
}

// --stem-all: every word stemmed at both ends (STEM_ALL), the analysis
// Fathom and Lucene use; by default Xapian's own STEM_SOME.
bool stem_all = false;

// Records as run.sh writes them from the JSON Lines corpus with Python's
// json module: id, title and body, each ended by a NUL byte.
void Index(const std::string& path, Xapian::WritableDatabase& db) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail("cannot read " + path);
  Xapian::TermGenerator generator;
  generator.set_stemmer(Xapian::Stem("english"));  // STEM_SOME is the default strategy
  if (stem_all) generator.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL);
  std::string id, title, body;
  for (size_t record = 1; std::getline(in, id, '\0'); ++record) {
    if (!std::getline(in, title, '\0') || !std::getline(in, body, '\0') || id.empty()) {
      Fail(path + ": record " + std::to_string(record) + " is not id, title, body");
    }
    Xapian::Document doc;
    doc.set_data(id);
    generator.set_document(doc);
    generator.index_text(title);
    generator.increase_termpos();
    generator.index_text(body);
    db.add_document(doc);
  }
  if (in.bad()) Fail("error reading " + path);
}

void Search(const Xapian::Database& db, const std::string& queries_path,
            const std::string& run_path, Xapian::doccount k) {
  std::ifstream in(queries_path, std::ios::binary);
  if (!in) Fail("cannot read " + queries_path);
  std::FILE* out = std::fopen(run_path.c_str(), "w");
  if (!out) Fail("cannot write " + run_path);

  Xapian::QueryParser parser;
  parser.set_stemmer(Xapian::Stem("english"));
  parser.set_stemming_strategy(stem_all ? Xapian::QueryParser::STEM_ALL
                                        : Xapian::QueryParser::STEM_SOME);
  parser.set_default_op(Xapian::Query::OP_OR);
  parser.set_database(db);  // lets "C++"-like suffixes be checked against the index
  Xapian::Enquire enquire(db);
  enquire.set_weighting_scheme(Xapian::BM25Weight());  // k1=1 k2=0 k3=1 b=0.5 min_normlen=0.5

  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    size_t tab = line.find('\t');
    if (tab == std::string::npos || tab == 0) {
      Fail(queries_path + ":" + std::to_string(number) + ": expected qid<TAB>query");
    }
    std::string qid = line.substr(0, tab);
    Xapian::Query query;
    try {
      query = parser.parse_query(line.substr(tab + 1), 0);  // flags 0: see the top
    } catch (const Xapian::QueryParserError& e) {
      Fail(queries_path + ":" + std::to_string(number) + ": query " + qid + ": " +
           e.get_description());
    }
    if (query.empty()) {
      std::cerr << kProgram << ": query " << qid << " has no words; no results\n";
      continue;
    }
    enquire.set_query(query);
    Xapian::MSet hits = enquire.get_mset(0, k);
    int rank = 0;
    for (Xapian::MSetIterator hit = hits.begin(); hit != hits.end(); ++hit) {
      std::fprintf(out, "%s Q0 %s %d %.6f xapian\n", qid.c_str(),
                   hit.get_document().get_data().c_str(), ++rank, hit.get_weight());
    }
  }
  if (in.bad()) Fail("error reading " + queries_path);
  if (std::fclose(out) != 0) Fail("error writing " + run_path);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 5 && std::string(argv[argc - 1]) == "--stem-all") {
    stem_all = true;
    --argc;
  }
  if (argc != 4 && !(argc == 6 && std::string(argv[4]) == "--k")) {
    std::cerr << "usage: " << kProgram << " DOCUMENTS QUERIES.tsv RUN [--k 1000] [--stem-all]\n";
    return 2;
  }
  Xapian::doccount k = 1000;
  if (argc == 6) {
    char* end = nullptr;
    unsigned long value = std::strtoul(argv[5], &end, 10);
    if (*argv[5] == '\0' || *end != '\0' || value == 0 || value > 1000000000UL) {
      Fail(std::string("--k wants a positive count, not ") + argv[5]);
    }
    k = static_cast<Xapian::doccount>(value);
  }
  try {
    Xapian::WritableDatabase db(std::string(), Xapian::DB_BACKEND_INMEMORY);
    Index(argv[1], db);
    Search(db, argv[2], argv[3], k);
  } catch (const Xapian::Error& e) {
    Fail(e.get_description());
  }
  return 0;
}
