// The Python binding of the public API (include/fathom): fathom._fathom,
// re-exported by fathom/__init__.py. Long calls (commits, searches,
// batches) release the GIL, so Python threads run beside them.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>
#include <pybind11/stl_bind.h>

#include <fstream>
#include <optional>
#include <sstream>

#include "fathom/fathom.hpp"

namespace py = pybind11;

// A query's hits stay one C++ vector behind a Python sequence (HitList):
// a batch of 800 queries at k = 1000 would otherwise make 800,000 Python
// objects before returning, most never looked at.
PYBIND11_MAKE_OPAQUE(std::vector<fathom::SearchHit>)

namespace fathom {
namespace {

// A document from a dict: "id" (required, str or int), "title", the body
// from "body", "contents" or "text" (the corpus reader's fields), and every
// other key a typed field: str (a keyword, or an ISO 8601 date), int, float
// or bool; None is no value.
Document ToDocument(const py::handle& object) {
  if (!py::isinstance<py::dict>(object)) {
    throw InputError("a document is a dict with 'id', 'title' and 'body', not " +
                     std::string(py::str(py::type::handle_of(object).attr("__name__"))));
  }
  const py::dict dict = py::reinterpret_borrow<py::dict>(object);
  if (!dict.contains("id")) throw InputError("a document needs an 'id'");
  Document document;
  const py::object id = dict["id"];
  document.id = py::isinstance<py::str>(id) ? id.cast<std::string>() : std::string(py::str(id));
  if (dict.contains("title") && !dict["title"].is_none()) {
    document.title = dict["title"].cast<std::string>();
  }
  for (const char* field : {"body", "contents", "text"}) {
    if (dict.contains(field) && !dict[field].is_none()) {
      if (!document.body.empty()) document.body += "\n";
      document.body += dict[field].cast<std::string>();
    }
  }
  for (const auto& [key, value] : dict) {
    const std::string name = py::str(key);
    if (name == "id" || name == "title" || name == "body" || name == "contents" || name == "text" ||
        value.is_none()) {
      continue;
    }
    // bool first: a Python bool is also an int.
    if (py::isinstance<py::bool_>(value)) {
      document.fields.push_back({name, value.cast<bool>()});
    } else if (py::isinstance<py::int_>(value)) {
      document.fields.push_back({name, value.cast<std::int64_t>()});
    } else if (py::isinstance<py::float_>(value)) {
      document.fields.push_back({name, value.cast<double>()});
    } else if (py::isinstance<py::str>(value)) {
      document.fields.push_back({name, value.cast<std::string>()});
    } else {
      throw InputError("document '" + document.id + "': field '" + name + "' is a " +
                       std::string(py::str(py::type::handle_of(value).attr("__name__"))) +
                       "; a field is a str, int, float or bool");
    }
  }
  return document;
}

py::dict SummaryDict(const CommitSummary& summary) {
  py::dict out;
  out["added"] = summary.added;
  out["replaced"] = summary.replaced;
  out["deleted"] = summary.deleted;
  out["not_found"] = summary.not_found;
  out["documents"] = summary.documents;
  out["warnings"] = summary.warnings;
  return out;
}

QueryOptions MakeOptions(std::size_t k, std::size_t offset, bool syntax, bool snippets,
                         bool fold_duplicates, float k1, float b, std::uint64_t count_up_to) {
  QueryOptions options;
  options.k = k;
  options.offset = offset;
  options.syntax = syntax;
  options.snippets = snippets;
  options.fold_duplicates = fold_duplicates;
  options.k1 = k1;
  options.b = b;
  options.count_up_to = count_up_to;
  return options;
}

// Queries for a batch: a dict {qid: text} or an iterable of (qid, text).
std::vector<QueryLine> ToQueryLines(const py::object& queries) {
  std::vector<QueryLine> lines;
  if (py::isinstance<py::dict>(queries)) {
    for (const auto& [qid, text] : py::reinterpret_borrow<py::dict>(queries)) {
      lines.push_back({std::string(py::str(qid)), text.cast<std::string>()});
    }
    return lines;
  }
  for (const py::handle item : queries) {
    const py::tuple pair = py::reinterpret_borrow<py::object>(item).cast<py::tuple>();
    if (pair.size() != 2) throw InputError("a batch query is a (qid, text) pair");
    lines.push_back({std::string(py::str(pair[0])), pair[1].cast<std::string>()});
  }
  return lines;
}

// Batch answers as {qid: [hits]}; a malformed query is reported as a
// Python warning naming it, and left out (never an empty, plausible list).
py::dict AnswersDict(std::vector<QueryAnswer>&& answers) {
  py::dict out;
  const py::object warn = py::module_::import("warnings").attr("warn");
  for (QueryAnswer& answer : answers) {
    if (!answer.error.empty()) {
      warn("query " + answer.qid + ": " + answer.error + " (left out of the results)");
      continue;
    }
    // Moved, not copied: a batch holds a million hits.
    out[py::str(answer.qid)] = py::cast(std::move(answer.results.hits));
  }
  return out;
}

py::dict MeasuresDict(const TrecMeasures& m) {
  py::dict out;
  out["ndcg_cut_10"] = m.ndcg_cut_10;
  out["map"] = m.map;
  out["P_10"] = m.p_10;
  out["recall_100"] = m.recall_100;
  out["recall_1000"] = m.recall_1000;
  out["num_ret"] = m.num_ret;
  out["num_rel"] = m.num_rel;
  out["num_rel_ret"] = m.num_rel_ret;
  return out;
}

// The path a str or os.PathLike argument names; nothing for other objects
// (the dicts that evaluate also takes).
std::optional<std::string> PathArgument(const py::object& value) {
  if (!py::isinstance<py::str>(value) && !py::hasattr(value, "__fspath__")) return std::nullopt;
  return std::string(py::str(py::module_::import("os").attr("fspath")(value)));
}

TrecQrels ToQrels(const py::object& qrels) {
  if (const auto path = PathArgument(qrels)) {
    std::ifstream in(*path);
    if (!in) throw IoError(*path + ": cannot open qrels file");
    return ReadTrecQrels(in, *path);
  }
  TrecQrels out;
  for (const auto& [qid, judged] : qrels.cast<py::dict>()) {
    auto& query = out[std::string(py::str(qid))];
    for (const auto& [docid, relevance] : judged.cast<py::dict>()) {
      query[std::string(py::str(docid))] = relevance.cast<int>();
    }
  }
  return out;
}

// A run: a path, or {qid: [SearchHit | (docid, score)]} (batch_search's
// result).
TrecRun ToRun(const py::object& run) {
  if (const auto path = PathArgument(run)) {
    std::ifstream in(*path);
    if (!in) throw IoError(*path + ": cannot open run file");
    return ReadTrecRun(in, *path);
  }
  // Scores as a TREC run file carries them (four decimals), so that
  // evaluating the dict and the written run give the same numbers.
  TrecRun out;
  for (const auto& [qid, hits] : run.cast<py::dict>()) {
    auto& entries = out[std::string(py::str(qid))];
    for (const py::handle hit : hits) {
      TrecRunEntry entry;
      if (py::isinstance<SearchHit>(hit)) {
        const SearchHit& h = hit.cast<const SearchHit&>();
        entry = {h.id, h.score};
      } else {
        const py::tuple pair = py::reinterpret_borrow<py::object>(hit).cast<py::tuple>();
        entry = {std::string(py::str(pair[0])), pair[1].cast<double>()};
      }
      char text[32];
      std::snprintf(text, sizeof text, "%.4f", entry.score);
      entry.score = std::stod(text);
      entries.push_back(std::move(entry));
    }
  }
  return out;
}

py::dict Evaluate(const py::object& qrels, const py::object& run) {
  const TrecEvaluation evaluation = EvaluateTrecRun(ToQrels(qrels), ToRun(run));
  py::dict out = MeasuresDict(evaluation.mean);
  py::dict per_query;
  for (const auto& [qid, measures] : evaluation.per_query)
    per_query[py::str(qid)] = MeasuresDict(measures);
  out["per_query"] = per_query;
  return out;
}

}  // namespace
}  // namespace fathom

PYBIND11_MODULE(_fathom, m) {
  using namespace fathom;
  m.doc() = "Fathom full-text search: build, change, check and search indexes.";

  // Exceptions mirror fathom/errors.hpp; each is also a RuntimeError. A
  // derived class is registered after its base, so it is matched first.
  static py::exception<Error> error_type(m, "Error", PyExc_RuntimeError);
  static py::exception<IoError> io_error_type(m, "IoError", error_type.ptr());
  static py::exception<CorruptIndexError> corrupt_type(m, "CorruptIndexError", error_type.ptr());
  static py::exception<FormatVersionError> version_type(m, "FormatVersionError", error_type.ptr());
  static py::exception<InputError> input_type(m, "InputError", error_type.ptr());
  static py::exception<QuerySyntaxError> syntax_type(m, "QuerySyntaxError", input_type.ptr());
  py::register_exception_translator([](std::exception_ptr thrown) {
    try {
      if (thrown) std::rethrow_exception(thrown);
    } catch (const QuerySyntaxError& e) {
      py::object instance = py::handle(syntax_type.ptr())(e.what());
      instance.attr("column") = e.column();
      instance.attr("problem") = e.problem();
      PyErr_SetObject(syntax_type.ptr(), instance.ptr());
    } catch (const InputError& e) {
      input_type(e.what());
    } catch (const FormatVersionError& e) {
      version_type(e.what());
    } catch (const CorruptIndexError& e) {
      corrupt_type(e.what());
    } catch (const IoError& e) {
      io_error_type(e.what());
    } catch (const Error& e) {
      error_type(e.what());
    }
  });

  py::class_<SearchHit>(m, "Hit", "One result: a document and its score.")
      .def_readonly("id", &SearchHit::id, "The document's id.")
      .def_readonly("score", &SearchHit::score, "Its BM25 score.")
      .def_readonly("title", &SearchHit::title, "Its title ('' without snippets).")
      .def_readonly("snippet", &SearchHit::snippet,
                    "Fragments with the query words highlighted ('' without snippets).")
      .def_readonly("near_duplicates", &SearchHit::near_duplicates,
                    "Ids of near-duplicate documents folded under this one.")
      .def_readonly("file_path", &SearchHit::file_path,
                    "The file it came from, relative to the folder indexed ('' for JSON Lines "
                    "and documents added in memory).")
      .def_readonly("file_size", &SearchHit::file_size, "That file's size in bytes.")
      .def_readonly("file_modified", &SearchHit::file_modified,
                    "That file's modification time, ISO 8601 in UTC.")
      .def("__repr__", [](const SearchHit& hit) {
        char score[32];
        std::snprintf(score, sizeof score, "%.4f", hit.score);
        return "Hit(id=" + std::string(py::repr(py::str(hit.id))) + ", score=" + score + ")";
      });

  py::bind_vector<std::vector<SearchHit>>(
      m, "HitList", "A query's hits, best first: a sequence of Hit, made as they are read.");
  py::class_<Results>(m, "Results", "A page of ranked results; iterable over its hits.")
      .def_readonly("hits", &Results::hits)
      .def_readonly("matches", &Results::matches,
                    "Matching documents: exact when matches_exact, else a lower bound.")
      .def_readonly("matches_exact", &Results::matches_exact)
      .def_readonly("did_you_mean", &Results::did_you_mean,
                    "The query with misspelled words corrected, or ''.")
      .def_readonly("warnings", &Results::warnings)
      .def_readonly("milliseconds", &Results::milliseconds)
      .def("__len__", [](const Results& r) { return r.hits.size(); })
      .def("__getitem__",
           [](const Results& r, std::size_t i) {
             if (i >= r.hits.size()) throw py::index_error();
             return r.hits[i];
           })
      .def(
          "__iter__",
          [](const Results& r) { return py::make_iterator(r.hits.begin(), r.hits.end()); },
          py::keep_alive<0, 1>())
      .def("__repr__", [](const Results& r) {
        return "Results(" + std::to_string(r.hits.size()) + " hits of " +
               std::to_string(r.matches) + (r.matches_exact ? "" : "+") + " matches)";
      });

  py::class_<Document>(m, "Document", "A stored document.")
      .def_readonly("id", &Document::id)
      .def_readonly("title", &Document::title)
      .def_readonly("body", &Document::body)
      .def_property_readonly(
          "fields",
          [](const Document& d) {
            py::dict fields;
            for (const DocumentField& field : d.fields) {
              std::visit([&](const auto& value) { fields[py::str(field.name)] = value; },
                         field.value);
            }
            return fields;
          },
          "The typed fields, by name: str (keywords; dates in ISO 8601), int, float, bool.")
      .def("__repr__", [](const Document& d) {
        return "Document(id=" + std::string(py::repr(py::str(d.id))) + ")";
      });

  py::class_<Index>(m, "Index",
                    "An index opened for searching. Safe to use from several threads; it "
                    "answers from the index as it was when opened or last refresh()ed.")
      .def(py::init<const std::filesystem::path&>(), py::arg("path"),
           py::call_guard<py::gil_scoped_release>())
      .def(
          "search",
          [](const Index& index, const std::string& query, std::size_t k, std::size_t offset,
             bool syntax, bool snippets, bool fold_duplicates, float k1, float b,
             std::uint64_t count_up_to) {
            const QueryOptions options =
                MakeOptions(k, offset, syntax, snippets, fold_duplicates, k1, b, count_up_to);
            py::gil_scoped_release release;
            return index.Search(query, options);
          },
          py::arg("query"), py::arg("k") = 10, py::arg("offset") = 0, py::arg("syntax") = true,
          py::arg("snippets") = true, py::arg("fold_duplicates") = true, py::arg("k1") = 0.9f,
          py::arg("b") = 0.4f, py::arg("count_up_to") = 1000,
          "Ranked results of a query in Fathom's query language (syntax=False: plain text, "
          "every word optional), as fathom-search gives them. Raises QuerySyntaxError.")
      .def("count", &Index::Count, py::arg("query"), py::arg("syntax") = true,
           py::call_guard<py::gil_scoped_release>(), "Every matching document, counted exactly.")
      .def(
          "explain",
          [](const Index& index, const std::string& query, const std::string& id, float k1,
             float b) {
            QueryOptions options;
            options.k1 = k1;
            options.b = b;
            py::gil_scoped_release release;
            return index.Explain(query, id, options);
          },
          py::arg("query"), py::arg("id"), py::arg("k1") = 0.9f, py::arg("b") = 0.4f,
          "Why the document scores what it does for the query, clause by clause.")
      .def("document", &Index::GetDocument, py::arg("id"), py::call_guard<py::gil_scoped_release>(),
           "The stored document with this id, or None.")
      .def("suggest", &Index::Suggest, py::arg("query"), py::call_guard<py::gil_scoped_release>(),
           "The query with misspelled words corrected, or ''.")
      .def("near_duplicates", &Index::NearDuplicates, py::call_guard<py::gil_scoped_release>(),
           "Groups of near-duplicate document ids.")
      .def(
          "stats",
          [](const Index& index) {
            const IndexStats stats = index.Stats();
            py::dict out;
            out["documents"] = stats.documents;
            out["deleted"] = stats.deleted;
            out["segments"] = stats.segments;
            out["generation"] = stats.generation;
            out["language"] = stats.language;
            return out;
          },
          "Documents, deleted documents, segments, generation and language.")
      .def("refresh", &Index::Refresh, py::call_guard<py::gil_scoped_release>(),
           "Move to the index as it is now; False if it had not changed.")
      .def(
          "batch_search",
          [](const Index& index, const py::object& queries, std::size_t k, std::size_t threads,
             bool syntax, float k1, float b) {
            const std::vector<QueryLine> lines = ToQueryLines(queries);
            // A run, as fathom-search --queries makes it: unfolded, no
            // snippets, no count.
            QueryOptions options = MakeOptions(k, 0, syntax, false, false, k1, b, 0);
            options.suggest = false;
            std::vector<QueryAnswer> answers;
            {
              py::gil_scoped_release release;
              answers = index.SearchBatch(lines, options, threads);
            }
            return AnswersDict(std::move(answers));
          },
          py::arg("queries"), py::arg("k") = 1000, py::arg("threads") = 1,
          py::arg("syntax") = false, py::arg("k1") = 0.9f, py::arg("b") = 0.4f,
          "Answer {qid: text} (or (qid, text) pairs) on several threads, without the GIL. "
          "Returns {qid: [Hit]}. Queries are topics (plain text) unless syntax=True, as "
          "in fathom-search --queries. A malformed query is a warning and is left out.")
      .def(
          "write_trec_run",
          [](const Index& index, const py::object& queries, const std::filesystem::path& path,
             std::size_t k, std::size_t threads, bool syntax, const std::string& tag) {
            const std::vector<QueryLine> lines = ToQueryLines(queries);
            QueryOptions options = MakeOptions(k, 0, syntax, false, false, 0.9f, 0.4f, 0);
            options.suggest = false;
            std::vector<QueryAnswer> answers;
            {
              py::gil_scoped_release release;
              answers = index.SearchBatch(lines, options, threads);
              std::ofstream out(path);
              if (!out) throw IoError(path.string() + ": cannot write the run");
              WriteTrecRun(out, answers, tag);
              out.close();
              if (!out) throw IoError(path.string() + ": cannot write the run");
            }
            std::size_t answered = 0;
            const py::object warn = py::module_::import("warnings").attr("warn");
            for (const QueryAnswer& answer : answers) {
              if (answer.error.empty()) {
                ++answered;
              } else {
                warn("query " + answer.qid + ": " + answer.error + " (left out of the run)");
              }
            }
            return answered;
          },
          py::arg("queries"), py::arg("path"), py::arg("k") = 1000, py::arg("threads") = 1,
          py::arg("syntax") = false, py::arg("tag") = "fathom",
          "Answer the queries and write a TREC run (qid Q0 docid rank score tag) to path, "
          "byte for byte as fathom-search --queries does. Returns the queries answered.");

  py::class_<IndexWriter>(m, "IndexWriter",
                          "Adds and deletes documents; commit() applies them atomically. As a "
                          "context manager it commits on a normal exit and discards on an "
                          "exception.")
      .def(py::init([](const std::filesystem::path& path, const std::string& language,
                       bool stop_words, unsigned threads, std::uint64_t memory) {
             WriterOptions options;
             options.language = language;
             options.stop_words = stop_words;
             options.threads = threads;
             options.memory_bytes = memory;
             return std::make_unique<IndexWriter>(path, options);
           }),
           py::arg("path"), py::arg("language") = "english", py::arg("stop_words") = false,
           py::arg("threads") = 0, py::arg("memory") = 0)
      .def(
          "add", [](IndexWriter& writer, const py::handle& doc) { writer.Add(ToDocument(doc)); },
          py::arg("document"), "Queue a document: a dict with 'id', 'title' and 'body'.")
      .def(
          "add_all",
          [](IndexWriter& writer, const py::iterable& documents) {
            std::size_t added = 0;
            for (const py::handle doc : documents) {
              writer.Add(ToDocument(doc));
              ++added;
            }
            return added;
          },
          py::arg("documents"), "Queue every document of an iterable of dicts.")
      .def("delete", &IndexWriter::Delete, py::arg("id"),
           "Queue the deletion of the documents with this id.")
      .def(
          "commit",
          [](IndexWriter& writer) {
            CommitSummary summary;
            {
              py::gil_scoped_release release;
              summary = writer.Commit();
            }
            return SummaryDict(summary);
          },
          "Apply what is queued, atomically. Returns what changed.")
      .def("merge", &IndexWriter::Merge, py::call_guard<py::gil_scoped_release>(),
           "Merge the segments into one, dropping deleted documents.")
      .def_property_readonly("pending_documents", &IndexWriter::pending_documents)
      .def_property_readonly("pending_deletions", &IndexWriter::pending_deletions)
      .def(
          "__enter__", [](IndexWriter& writer) -> IndexWriter& { return writer; },
          py::return_value_policy::reference)
      .def("__exit__",
           [](IndexWriter& writer, const py::object& type, const py::object&, const py::object&) {
             if (type.is_none()) {
               py::gil_scoped_release release;
               writer.Commit();
             }
             return false;
           });

  m.def(
      "build_from_corpus",
      [](const std::filesystem::path& corpus, const std::filesystem::path& index,
         const std::string& language, bool stop_words, unsigned threads, std::uint64_t memory) {
        WriterOptions options;
        options.language = language;
        options.stop_words = stop_words;
        options.threads = threads;
        options.memory_bytes = memory;
        CommitSummary summary;
        {
          py::gil_scoped_release release;
          summary = BuildFromCorpus(corpus, index, options);
        }
        return SummaryDict(summary);
      },
      py::arg("corpus"), py::arg("index"), py::arg("language") = "english",
      py::arg("stop_words") = false, py::arg("threads") = 0, py::arg("memory") = 0,
      "Build a fresh index from a folder of files or a JSON Lines file, as fathom-index does.");
  m.def("evaluate", &Evaluate, py::arg("qrels"), py::arg("run"),
        "trec_eval's measures (ndcg_cut_10, map, P_10, recall_100, recall_1000), computed "
        "exactly as fathom-eval: qrels and run are paths, or dicts ({qid: {docid: rel}} and "
        "batch_search's {qid: [Hit]}). Returns the means and 'per_query'.");
  m.def(
      "check",
      [](const std::filesystem::path& path) {
        CheckResult result;
        {
          py::gil_scoped_release release;
          result = Check(path);
        }
        return py::make_tuple(result.sound, result.problems);
      },
      py::arg("path"), "Verify every checksum and structure: (sound, [problems]).");
}
