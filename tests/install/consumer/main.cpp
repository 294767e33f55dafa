// Builds an index from memory, changes it and searches it through the
// installed public API only. Prints what it found; test_install.sh checks it.
#include <fathom/fathom.hpp>
#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: consumer INDEX\n";
    return 2;
  }
  try {
    fathom::IndexWriter writer(argv[1]);
    writer.Add({"one", "First", "the installed library indexes this text"});
    writer.Add({"two", "Second", "and this other text"});
    writer.Commit();
    writer.Delete("two");
    writer.Commit();
    fathom::Index index(argv[1]);
    const fathom::Results results = index.Search("text");
    std::cout << "matches " << results.matches << "\n";
    for (const fathom::SearchHit& hit : results.hits) std::cout << "hit " << hit.id << "\n";
    std::cout << "sound " << fathom::Check(argv[1]).sound << "\n";
    try {
      index.Search("(text");
    } catch (const fathom::QuerySyntaxError& e) {
      std::cout << "syntax error at column " << e.column() << "\n";
    }
  } catch (const fathom::Error& e) {
    std::cerr << "consumer: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
