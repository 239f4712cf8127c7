// The explicit engine registry: a plain table, not static constructors (which
// static linking drops, DESIGN.md pitfalls). One row per engine: its name as
// fio spells it, its factory, what it can do (features) and its option table,
// the last two read from here so nobody constructs an engine just to ask.
// Adding an engine = one file with its factory and options + one row here.
#include <algorithm>
#include <string>

#include "engine/io_engine.hpp"

namespace fiokit::engine {

const std::vector<EngineInfo>& registered_engines() {
  // sync: queue() always answers Completed (no slat, no reap); diskless: no
  // files at all (null), so no layout, no descriptors.
  static const std::vector<EngineInfo> engines = {
      {"null", make_null_engine, {.sync = false, .diskless = true, .needs_fds = false}, nullptr},
      {"sync", make_sync_engine, {.sync = true}, nullptr},
      {"psync", make_psync_engine, {.sync = true}, nullptr},
      {"pvsync", make_pvsync_engine, {.sync = true}, nullptr},
      {"io_uring", make_io_uring_engine, {}, io_uring_option_defs},
      {"libaio", make_libaio_engine, {}, libaio_option_defs},
      // File-operation engines: no descriptor is opened for I/O; filecreate
      // has no file laid out either (it creates them).
      {"filecreate", make_filecreate_engine, {.sync = true, .diskless = true, .needs_fds = false, .no_io_stats = true}, nullptr},
      {"filestat", make_filestat_engine, {.sync = true, .needs_fds = false, .no_io_stats = true}, filestat_option_defs},
      {"filedelete", make_filedelete_engine, {.sync = true, .needs_fds = false, .no_io_stats = true}, nullptr},
      // The file-shaping engines: ftruncate/fallocate per I/O, timed as sync I/O.
      {"ftruncate", make_ftruncate_engine, {.sync = true}, nullptr},
      {"falloc", make_falloc_engine, {.sync = true}, nullptr},
      {"posixaio", make_posixaio_engine, {}, nullptr},
  };
  return engines;
}

const EngineInfo* find_engine(std::string_view name) {
  const auto& t = registered_engines();
  auto it = std::find_if(t.begin(), t.end(), [&](const EngineInfo& e) { return name == e.name; });
  return it == t.end() ? nullptr : &*it;
}

EngineFeatures IoEngine::features() const {
  const EngineInfo* e = find_engine(name());
  return e ? e->features : EngineFeatures{};
}

std::unique_ptr<IoEngine> make_engine(std::string_view name) {
  const EngineInfo* e = find_engine(name);
  return e ? e->make() : nullptr;
}

std::vector<std::string> engine_names() {
  std::vector<std::string> out;
  for (const auto& e : registered_engines()) out.emplace_back(e.name);
  return out;
}

const jobs::OptionCatalog& option_catalog() {
  static const jobs::OptionCatalog catalog = [] {
    // In table order, io_uring's before libaio's: the order jobs/ had them in
    // before they moved beside their engines (it decides ties between equally
    // close did-you-mean guesses).
    std::vector<jobs::OptionDef> added;
    for (const auto& e : registered_engines())
      if (e.options)
        for (auto& d : e.options()) added.push_back(std::move(d));
    return jobs::OptionCatalog(std::move(added));
  }();
  return catalog;
}

}  // namespace fiokit::engine
