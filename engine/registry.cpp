// The explicit engine registry: a plain table, not static constructors (which
// static linking drops, DESIGN.md pitfalls). Adding an engine = one file with
// its factory + one row here.
#include <string>

#include "engine/io_engine.hpp"

namespace fiokit::engine {
namespace {

struct Entry {
  const char* name;
  std::unique_ptr<IoEngine> (*make)();
};
constexpr Entry kEngines[] = {
    {"null", make_null_engine},     {"sync", make_sync_engine},     {"psync", make_psync_engine},
    {"pvsync", make_pvsync_engine}, {"libaio", make_libaio_engine}, {"io_uring", make_io_uring_engine},
};

}  // namespace

std::unique_ptr<IoEngine> make_engine(std::string_view name) {
  for (const auto& e : kEngines)
    if (name == e.name) return e.make();
  return nullptr;
}

std::vector<std::string> engine_names() {
  std::vector<std::string> out;
  for (const auto& e : kEngines) out.emplace_back(e.name);
  return out;
}

}  // namespace fiokit::engine
