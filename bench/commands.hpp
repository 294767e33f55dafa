// The fathom-bench subcommands. Each takes the words after its name and
// returns the process exit code; UsageError and fathom::Error escape to
// main(), which reports them.
#pragma once

#include <string>
#include <vector>

namespace fathom::bench {

int RunGenerateCorpus(const std::vector<std::string>& args);
int RunGenerateQueries(const std::vector<std::string>& args);
int RunQueries(const std::vector<std::string>& args);
int RunBatchBench(const std::vector<std::string>& args);
int RunAnalyze(const std::vector<std::string>& args);
int RunAddFields(const std::vector<std::string>& args);

}  // namespace fathom::bench
