#include "searcher/present/batch.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "common/error.hpp"
#include "searcher/present/output.hpp"

namespace fathom {

std::vector<BatchQuery> ReadBatchQueries(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot open query file");
  std::vector<BatchQuery> queries;
  std::string line;
  std::size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    if (tab == std::string::npos || tab == 0) {
      throw InputError(path + ":" + std::to_string(line_number) + ": expected 'qid<TAB>query'");
    }
    queries.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  return queries;
}

BatchAnswerer::BatchAnswerer(Searcher& searcher, const BatchOptions& options)
    : searcher_(searcher),
      options_(options),
      search_(options.search),
      topics_(searcher, options.natural, options.rm3) {
  // A TREC run prints no count, so it counts only what ranking visits.
  if (options.format == BatchFormat::kTrec) search_.count_exactly_up_to = 0;
}

BatchAnswer BatchAnswerer::Answer(const BatchQuery& query, std::size_t k) {
  BatchAnswer answer;
  SearchOptions search = search_;
  search.k = k;
  SearchResult result;
  try {
    result =
        options_.topics ? topics_.Search(query.text, search) : searcher_.Search(query.text, search);
  } catch (const QuerySyntaxError& e) {
    answer.error = "column " + std::to_string(e.column()) + ": " + e.problem();
    return answer;
  }
  answer.warnings = result.query.warnings;
  if (options_.format == BatchFormat::kTrec && search.count_only) {
    // A run has no place for a count, and counting ranks nothing: one
    // `qid<TAB>count` line, exact.
    answer.results.append(query.qid).append("\t");
    answer.results.append(std::to_string(result.total_matches)).append("\n");
  } else if (options_.format == BatchFormat::kTrec) {
    AppendTrecRun(answer.results, searcher_.snapshot(), query.qid, result, options_.tag);
  } else {
    JsonResultStyle json;
    json.snippets = options_.snippets;
    std::ostringstream text;
    WriteJsonResult(text, searcher_, query.qid, query.text, result, Unfolded(result.hits), json);
    answer.results = std::move(text).str();
  }
  return answer;
}

BatchSummary AnswerBatch(Searcher& searcher, const std::vector<BatchQuery>& queries,
                         const BatchOptions& options, std::ostream& results,
                         std::ostream& messages) {
  // What one query produced: its results, and its messages, which are
  // written with the results so that they stay in query-file order.
  struct Answer {
    std::string results;
    std::string messages;
    bool failed = false;
  };
  const auto answer_one = [&](BatchAnswerer& answerer, const BatchQuery& query) {
    BatchAnswer answered = answerer.Answer(query, options.search.k);
    Answer answer;
    const auto where = [&] { return options.source + ": query " + query.qid + ": "; };
    if (answered.failed()) {
      answer.messages = "error: " + where() + answered.error + "\n";
      answer.failed = true;
      return answer;
    }
    for (const auto& warning : answered.warnings) {
      answer.messages += "warning: " + where() + warning + "\n";
    }
    answer.results = std::move(answered.results);
    return answer;
  };
  BatchSummary summary;
  summary.queries = queries.size();
  const auto write = [&](const Answer& done) {
    // Only when there is a message: messages is usually std::cerr, tied to
    // std::cout, and every write to it flushes the results, which cost a
    // system call per query.
    if (!done.messages.empty()) messages << done.messages;
    results << done.results;
    summary.failed += done.failed ? 1 : 0;
  };
  const std::size_t threads = std::max<std::size_t>(1, options.threads);
  if (threads == 1) {
    BatchAnswerer answerer(searcher, options);
    for (const BatchQuery& query : queries) write(answer_one(answerer, query));
    return summary;
  }
  // A Searcher is not thread-safe: one per thread, all over the same
  // snapshot. Workers take queries in order; this thread writes each answer
  // as soon as those before it are written, and workers stay within a
  // window ahead so memory stays bounded.
  std::vector<std::unique_ptr<Searcher>> more;
  for (std::size_t i = 1; i < threads; ++i) {
    more.push_back(std::make_unique<Searcher>(searcher.shared_snapshot()));
  }
  const std::size_t window = 64 * threads;
  std::vector<Answer> answers(queries.size());
  std::vector<char> ready(queries.size(), 0);
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t next = 0;
  std::size_t written = 0;
  std::exception_ptr failure;
  const auto work = [&](Searcher& one) {
    try {
      BatchAnswerer answerer(one, options);
      while (true) {
        std::size_t i;
        {
          std::unique_lock lock(mutex);
          changed.wait(
              lock, [&] { return failure || next >= queries.size() || next < written + window; });
          if (failure || next >= queries.size()) return;
          i = next++;
        }
        Answer done = answer_one(answerer, queries[i]);
        {
          std::lock_guard lock(mutex);
          answers[i] = std::move(done);
          ready[i] = 1;
        }
        changed.notify_all();
      }
    } catch (...) {
      std::lock_guard lock(mutex);
      if (!failure) failure = std::current_exception();
      changed.notify_all();
    }
  };
  std::vector<std::thread> pool;
  pool.emplace_back(work, std::ref(searcher));
  for (auto& one : more) pool.emplace_back(work, std::ref(*one));
  {
    std::unique_lock lock(mutex);
    while (written < queries.size()) {
      changed.wait(lock, [&] { return failure || ready[written]; });
      if (failure) break;
      const Answer done = std::move(answers[written]);
      ++written;
      lock.unlock();
      changed.notify_all();
      write(done);
      lock.lock();
    }
  }
  for (auto& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
  return summary;
}

}  // namespace fathom
