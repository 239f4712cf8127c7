// The explicit engine registry: a plain table, not static constructors (which
// static linking drops, DESIGN.md pitfalls). One row per engine: its name as
// fio spells it, its factory, what it can do (features) and its option table,
// the last two read from here so nobody constructs an engine just to ask.
// Adding an engine = one file with its factory and options + one row here.
#include <algorithm>
#include <string>

#include "engine/io_engine.hpp"
#include "engine/parse_only_engines.hpp"

namespace fiokit::engine {

const std::vector<EngineInfo>& registered_engines() {
  // What each engine can do (sync, diskless, ...) is its row of
  // jobs/engine_traits.cpp, copied in below: one table for every stage.
  static const std::vector<EngineInfo> engines = [] {
    std::vector<EngineInfo> rows = {
      {"null", make_null_engine, {}, nullptr},
      {"sync", make_sync_engine, {}, nullptr},
      {"psync", make_psync_engine, {}, nullptr},
      {"pvsync", make_pvsync_engine, {}, nullptr},
      {"io_uring", make_io_uring_engine, {}, io_uring_option_defs},
      {"libaio", make_libaio_engine, {}, libaio_option_defs},
      {"filecreate", make_filecreate_engine, {}, nullptr},
      {"filestat", make_filestat_engine, {}, filestat_option_defs},
      {"filedelete", make_filedelete_engine, {}, nullptr},
      {"ftruncate", make_ftruncate_engine, {}, nullptr},
      {"falloc", make_falloc_engine, {}, nullptr},
      {"posixaio", make_posixaio_engine, {}, nullptr},
      {"cpuio", make_cpuio_engine, {}, cpuio_option_defs},
      {"exec", make_exec_engine, {}, exec_option_defs},
      // Parsed, not run: no factory; `needs` is what the run's refusal says
      // (engine/parse_only_engines.cpp). Their options are that file's.
#define FIOKIT_PARSE_ONLY(NAME, NEEDS) \
  {NAME, nullptr, {}, +[] { return parse_only_option_defs(NAME); }, NEEDS}
      FIOKIT_PARSE_ONLY("rdma", "an RDMA NIC with libibverbs and librdmacm"),
      FIOKIT_PARSE_ONLY("rbd", "librbd and a Ceph cluster"),
      FIOKIT_PARSE_ONLY("rados", "librados and a Ceph cluster"),
      FIOKIT_PARSE_ONLY("sg", "SCSI commands to a SCSI generic device (/dev/sgN, /dev/bsg)"),
      FIOKIT_PARSE_ONLY("nbd", "libnbd and an NBD server"),
      FIOKIT_PARSE_ONLY("dfs", "the DAOS file system library and a DAOS pool"),
      FIOKIT_PARSE_ONLY("libhdfs", "libhdfs and an HDFS cluster"),
      FIOKIT_PARSE_ONLY("libpmem", "libpmem and persistent memory"),
      FIOKIT_PARSE_ONLY("dev-dax", "libpmem and a device-DAX persistent memory device"),
      FIOKIT_PARSE_ONLY("pmemblk", "libpmemblk and persistent memory"),
      FIOKIT_PARSE_ONLY("xnvme", "libxnvme and an NVMe device"),
      FIOKIT_PARSE_ONLY("io_uring_cmd", "NVMe passthrough commands to an NVMe generic device (/dev/ngXnY)"),
      FIOKIT_PARSE_ONLY("libiscsi", "libiscsi and an iSCSI target"),
      FIOKIT_PARSE_ONLY("gfapi", "libgfapi and a GlusterFS volume"),
      FIOKIT_PARSE_ONLY("gfapi_async", "libgfapi and a GlusterFS volume"),
      FIOKIT_PARSE_ONLY("http", "libcurl and an HTTP (WebDAV, Swift or S3) server"),
      FIOKIT_PARSE_ONLY("mtd", "libmtd and an MTD flash device"),
      FIOKIT_PARSE_ONLY("libcufile", "NVIDIA cuFile (GPUDirect Storage) and a CUDA GPU"),
      FIOKIT_PARSE_ONLY("ime_psync", "DDN IME's native client library and an IME server"),
      FIOKIT_PARSE_ONLY("ime_psyncv", "DDN IME's native client library and an IME server"),
      FIOKIT_PARSE_ONLY("ime_aio", "DDN IME's native client library and an IME server"),
      FIOKIT_PARSE_ONLY("net", "a network peer (fiokit measures storage, not sockets)"),
      FIOKIT_PARSE_ONLY("netsplice", "a network peer and splice(2) (fiokit measures storage, not sockets)"),
      FIOKIT_PARSE_ONLY("nfs", "libnfs and an NFS server"),
      FIOKIT_PARSE_ONLY("e4defrag", "ext4 online defragmentation (EXT4_IOC_MOVE_EXT), which fiokit does not issue"),
      FIOKIT_PARSE_ONLY("libzbc", "libzbc and a zoned SCSI/ATA device"),
      FIOKIT_PARSE_ONLY("librpma_apm_client", "librpma, an RDMA NIC and persistent memory"),
      FIOKIT_PARSE_ONLY("librpma_apm_server", "librpma, an RDMA NIC and persistent memory"),
      FIOKIT_PARSE_ONLY("librpma_gpspm_client", "librpma, an RDMA NIC and persistent memory"),
      FIOKIT_PARSE_ONLY("librpma_gpspm_server", "librpma, an RDMA NIC and persistent memory"),
      FIOKIT_PARSE_ONLY("cpp_null", "a C++ engine plugin (fio's external-engine example); use ioengine=null"),
#undef FIOKIT_PARSE_ONLY
    };
    for (auto& e : rows) e.features = jobs::engine_traits(e.name);
    return rows;
  }();
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
  return e && e->make ? e->make() : nullptr;
}

std::vector<std::string> engine_names() {
  std::vector<std::string> out;
  for (const auto& e : registered_engines())
    if (e.make) out.emplace_back(e.name);
  return out;
}

const jobs::OptionCatalog& option_catalog() {
  static const jobs::OptionCatalog catalog = [] {
    // In table order, io_uring's before libaio's: the order jobs/ had them in
    // before they moved beside their engines (it decides ties between equally
    // close did-you-mean guesses).
    std::vector<jobs::OptionDef> added;
    std::vector<std::string> names;
    for (const auto& e : registered_engines()) {
      names.emplace_back(e.name);
      if (!e.options) continue;
      for (auto& d : e.options()) {
        // An option several engines read is defined by each (fio lists it in
        // each engine's --enghelp); the catalog keeps the first definition,
        // valid for all of them.
        auto same = std::find_if(added.begin(), added.end(), [&](const jobs::OptionDef& a) { return a.name == d.name; });
        if (same == added.end()) {
          added.push_back(std::move(d));
          continue;
        }
        for (const auto& en : d.engines)
          if (std::find(same->engines.begin(), same->engines.end(), en) == same->engines.end()) same->engines.push_back(en);
      }
    }
    return jobs::OptionCatalog(std::move(added), std::move(names));
  }();
  return catalog;
}

}  // namespace fiokit::engine
