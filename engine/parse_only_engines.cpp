// Engines fiokit parses but does not run, and their options (see the header).
// fio 3.33 from Debian parses 95 of its 114 example and test job files, most
// of the rest being jobs for these engines; a user who keeps such a file in a
// suite of jobs should get it parsed, checked and then refused with the
// reason, not "unknown option". The options are syntax-checked (bool, int,
// size, enum) by the table like any other and stored nowhere: no code reads
// them, because no job with these engines runs. Names, types and defaults
// follow `fio --enghelp=ENGINE` where Debian's fio has the engine, else
// fio's HOWTO.
#include "engine/parse_only_engines.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "engine/io_engine.hpp"
#include "engine/numa.hpp"
#include "jobs/error.hpp"

namespace fiokit::engine {
namespace {

using jobs::OptType;

struct Def {
  const char* name;
  const char* help;
  std::vector<std::string> engines;  // every engine that reads it
  OptType type = OptType::str;
  const char* def = "";
  std::vector<jobs::EnumValue> values = {};
  const char* alias = nullptr;
};

// One list for all parse-only engines: an option several engines read (port,
// pool, hostname) is written once, with all of them. Options shared with an
// engine fiokit runs (io_uring's hipri, fixedbufs, ... for io_uring_cmd and
// sg) are not here: the catalog adds the engine to io_uring's definition
// (registry.cpp, kSharedWithRunnable below).
const std::vector<Def>& defs() {
  using T = OptType;
  static const std::vector<Def> d = {
      // Ceph
      {"clustername", "Cluster name for ceph", {"rbd", "rados"}},
      {"rbdname", "RBD name for RBD engine", {"rbd"}},
      {"pool", "Name of the pool (Ceph: RBD/RADOS pool; DAOS: pool label or UUID)", {"rbd", "rados", "dfs"}},
      {"clientname", "Name of the ceph client", {"rbd", "rados"}},
      {"conf", "Path of the ceph configuration file", {"rados"}, T::str, "/etc/ceph/ceph.conf"},
      {"busy_poll", "Busy poll for completions instead of sleeping", {"rbd", "rados"}, T::boolean, "0"},
      {"touch_objects", "Touch (create) objects on start", {"rados"}, T::boolean, "1"},
      // DAOS
      {"cont", "DAOS container label or UUID", {"dfs"}},
      {"chunk_size", "Chunk size of the dfs file (libhdfs: of each file)", {"dfs", "libhdfs"}, T::size, "0"},
      {"object_class", "DAOS object class of the dfs file", {"dfs"}},
      // SCSI generic
      {"readfua", "Set FUA flag (force unit access) for all Read operations", {"sg"}, T::boolean, "0"},
      {"writefua", "Set FUA flag (force unit access) for all Write operations", {"sg"}, T::boolean, "0"},
      {"sg_write_mode", "Specify SCSI WRITE mode", {"sg"}, T::enumeration, "write",
       {{"write", "WRITE (default)"}, {"write_and_verify", "WRITE AND VERIFY"}, {"verify", "WRITE AND VERIFY (old name)"},
        {"write_same", "WRITE SAME"}, {"same", "WRITE SAME (old name)"}, {"write_same_ndob", "WRITE SAME, no data-out buffer"},
        {"verify_bytchk_00", "VERIFY, BYTCHK 00"}, {"verify_bytchk_01", "VERIFY, BYTCHK 01"},
        {"verify_bytchk_11", "VERIFY, BYTCHK 11"}, {"write_stream", "WRITE STREAM(16)"}}},
      {"stream_id", "Stream ID for WRITE STREAM(16) commands", {"sg"}, T::integer, "0"},
      // network and RDMA
      {"hostname", "Hostname for net IO engine", {"net", "netsplice", "rdma"}},
      {"port", "Port to use for TCP/UDP, RDMA-CM or HDFS connections",
       {"net", "netsplice", "rdma", "libhdfs", "librpma_apm_client", "librpma_apm_server", "librpma_gpspm_client",
        "librpma_gpspm_server"},
       T::integer},
      {"protocol", "Network protocol to use", {"net", "netsplice"}, T::enumeration, "tcp",
       {{"tcp", "TCP protocol"}, {"tcpv6", "TCP protocol (IPv6)"}, {"udp", "UDP protocol"}, {"udpv6", "UDP protocol (IPv6)"},
        {"unix", "UNIX domain socket"}},
       "proto"},
      {"nodelay", "Use TCP_NODELAY on TCP connections", {"net", "netsplice"}, T::boolean, "0"},
      {"listen", "Listen for incoming TCP connections", {"net", "netsplice"}, T::flag},
      {"pingpong", "Ping-pong IO requests", {"net", "netsplice"}, T::flag},
      {"interface", "Network interface to use", {"net", "netsplice"}},
      {"ttl", "Time-to-live value for outgoing UDP multicast packets", {"net", "netsplice"}, T::integer, "1"},
      {"window_size", "Set socket buffer window size", {"net", "netsplice"}, T::size},
      {"mss", "Set TCP maximum segment size", {"net", "netsplice"}, T::integer},
      {"verb", "RDMA engine verb", {"rdma"}, T::enumeration, "write",
       {{"write", "Memory Write"}, {"read", "Memory Read"}, {"send", "Posted Send"}, {"recv", "Posted Receive"}}},
      {"bindname", "Bind for RDMA IO engine", {"rdma"}},
      {"serverip", "IP address the RPMA server listens on or the client connects to",
       {"librpma_apm_client", "librpma_apm_server", "librpma_gpspm_client", "librpma_gpspm_server"}},
      {"direct_write_to_pmem", "Data is written straight to persistent memory (no flush needed)",
       {"librpma_apm_client", "librpma_apm_server", "librpma_gpspm_client", "librpma_gpspm_server"}, T::boolean, "0"},
      {"busy_wait_polling", "Busy-wait for RPMA completions", {"librpma_apm_server", "librpma_gpspm_server"},
       T::boolean, "1"},
      // e4defrag, mtd, HDFS, GlusterFS, NBD, NFS, cuFile
      {"donorname", "File used as a block donor", {"e4defrag"}},
      {"inplace", "Alloc and free space inside defrag event", {"e4defrag"}, T::integer, "0"},
      {"skip_bad", "Skip operations against known bad blocks", {"mtd"}, T::boolean, "0"},
      {"namenode", "Name node of the HDFS cluster", {"libhdfs"}},
      {"hdfsdirectory", "HDFS directory for the files", {"libhdfs"}},
      {"volume", "Name of the Glusterfs volume", {"gfapi", "gfapi_async"}},
      {"brick", "Name of the Glusterfs brick to connect", {"gfapi", "gfapi_async"}},
      {"single-instance", "Only one glusterfs instance", {"gfapi", "gfapi_async"}, T::boolean, "1"},
      {"uri", "Name of NBD URI", {"nbd"}},
      {"nfs_url", "URL of the NFS server and export (nfs://server/export)", {"nfs"}},
      {"gpu_dev_ids", "GPU ids to use, ':'-separated", {"libcufile"}},
      {"cuda_io", "cuFile transfer mode", {"libcufile"}, T::enumeration, "cufile",
       {{"cufile", "GPUDirect Storage through cuFile"}, {"posix", "POSIX I/O with cudaMemcpy"}}},
      // HTTP, S3, Swift, WebDAV
      {"http_host", "Hostname (S3 bucket)", {"http"}, T::str, "localhost"},
      {"http_user", "HTTP user name", {"http"}},
      {"http_pass", "HTTP password", {"http"}},
      {"https", "Use HTTPS", {"http"}, T::enumeration, "off",
       {{"off", "HTTP"}, {"on", "HTTPS"}, {"insecure", "HTTPS without certificate checks"}}},
      {"http_mode", "Protocol flavour", {"http"}, T::enumeration, "webdav",
       {{"webdav", "WebDAV"}, {"swift", "OpenStack Swift"}, {"s3", "Amazon S3"}}},
      {"http_s3_region", "S3 region", {"http"}, T::str, "us-east-1"},
      {"http_s3_key", "S3 secret key", {"http"}},
      {"http_s3_keyid", "S3 key id", {"http"}},
      {"http_s3_sse_customer_key", "S3 SSE customer key", {"http"}},
      {"http_s3_sse_customer_algorithm", "S3 SSE customer algorithm", {"http"}, T::str, "AES256"},
      {"http_s3_storage_class", "S3 storage class", {"http"}, T::str, "STANDARD"},
      {"http_swift_auth_token", "Swift authentication token", {"http"}},
      {"http_verbose", "Verbosity of libcurl's output (0-2)", {"http"}, T::integer, "0"},
      // xNVMe
      {"xnvme_async", "xNVMe asynchronous backend", {"xnvme"}},
      {"xnvme_sync", "xNVMe synchronous backend", {"xnvme"}},
      {"xnvme_admin", "xNVMe admin command backend", {"xnvme"}},
      {"xnvme_dev_nsid", "xNVMe namespace id", {"xnvme"}, T::integer},
      {"xnvme_iovec", "Use vectored xNVMe commands", {"xnvme"}, T::integer, "0"},
      // io_uring passthrough
      {"cmd_type", "Specify uring-cmd type", {"io_uring_cmd"}, T::enumeration, "nvme", {{"nvme", "pass-through to an NVMe device"}}},
  };
  return d;
}

// A setter that only checks what the table's generic checks do not (bools);
// integers and sizes are range/syntax checked by jobs::apply_option.
jobs::OptionDef to_option(const Def& d) {
  jobs::Opt o(d.name, d.help);
  const OptType type = d.type;
  std::string engines;
  for (const auto& e : d.engines) engines += (engines.empty() ? "" : ", ") + e;
  o.custom(type, [type](jobs::JobSpec&, const std::string& v, const jobs::ApplyCtx&) {
     if (type == OptType::boolean) jobs::parse_bool(v);
   })
      .cat("I/O engine specific (" + engines + ")").engines(d.engines).def(d.def)
      .note("parses; a job with ioengine=" + engines + " is refused at run time");
  if (type == OptType::flag) o.valueless();
  if (type == OptType::enumeration) o.values(d.values);
  if (d.alias) o.alias(d.alias);
  return o;
}

}  // namespace

std::vector<jobs::OptionDef> parse_only_option_defs(std::string_view engine) {
  std::vector<jobs::OptionDef> out;
  // io_uring_cmd reads io_uring's options, sg and xnvme some of them: the
  // same definitions (checked by io_uring's table), listed for this engine
  // too; the catalog merges them into io_uring's entry.
  std::vector<std::string> shared;
  if (engine == "io_uring_cmd")
    shared = {"hipri", "fixedbufs", "registerfiles", "sqthread_poll", "sqthread_poll_cpu", "nonvectored", "uncached",
              "force_async"};
  else if (engine == "sg")
    shared = {"hipri"};
  else if (engine == "xnvme")
    shared = {"sqthread_poll"};
  for (auto& d : io_uring_option_defs())
    if (std::find(shared.begin(), shared.end(), d.name) != shared.end()) {
      d.engines = {std::string(engine)};
      out.push_back(std::move(d));
    }
  for (const auto& d : defs())
    if (std::find(d.engines.begin(), d.engines.end(), engine) != d.engines.end()) out.push_back(to_option(d));
  return out;
}

void refuse_unrunnable(const std::vector<jobs::JobSpec>& jobs) {
  for (const auto& j : jobs) {
    const EngineInfo* e = find_engine(j.ioengine);
    if (e && !e->make) {
      const std::string where = j.ioengine_at.file.empty() ? j.defined_at.str() : j.ioengine_at.str();
      throw jobs::ParseError(fmt::format("job '{}': ioengine={} needs {} (not available in fiokit) ({})", j.name,
                                         j.ioengine, e->needs ? e->needs : "what fiokit does not have", where));
    }
    if (!j.zonemode_zbd_at.file.empty())
      throw jobs::ParseError(fmt::format(
          "job '{}': zonemode=zbd needs zone management of a zoned block device (write pointers, zone resets, "
          "open-zone limits), which fiokit does not implement, whatever the target ({})",
          j.name, j.zonemode_zbd_at.str()));
    check_numa_nodes(j);
  }
}

}  // namespace fiokit::engine
