// Subcommands of the fiokit binary. Each returns the process exit code:
// 0 ok, 1 a job or I/O failed, 2 usage or parse error, 130/143 after a signal.
#pragma once
#include <string>
#include <vector>

namespace fiokit::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

int cmd_run(const std::vector<std::string>& args);
int cmd_serve(const std::vector<std::string>& args);
int cmd_plot(const std::vector<std::string>& args);
int cmd_container(const std::vector<std::string>& args);
int cmd_compare(const std::vector<std::string>& args);
int cmd_volumes(const std::vector<std::string>& args);
int cmd_sweep(const std::vector<std::string>& args);
int cmd_merge(const std::vector<std::string>& args);

}  // namespace fiokit::cli
