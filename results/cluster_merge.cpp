// The merged results.json of a cluster run (cluster_merge.hpp): reads each
// member's results, lays every host's jobs side by side in fio's "jobs"
// (tagged with the host), and adds the "cluster" object (members, failed
// ones, start skew, the aggregate of cluster_aggregate.cpp). Each member's
// text is first read by read_fio_json, so whatever the merge accepts every
// reader of fio's JSON (serve, compare, plot) accepts too.
#include "results/cluster_merge.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "results/cluster_aggregate.hpp"
#include "results/json_reader.hpp"

namespace fiokit::results {
namespace {

using cluster_detail::ojson;

const std::set<std::string>& known_states() {
  static const std::set<std::string> s = {"done", "failed", "missing", "running", "joined"};
  return s;
}

// The first JSON document after any leading text (fio prints messages there),
// trailing text allowed, as read_fio_json reads it.
ojson parse_results(const std::string& text) {
  const size_t start = text.find('{');
  if (start == std::string::npos) throw std::runtime_error("no '{' in the results");
  try {
    return ojson::parse(text.begin() + static_cast<std::ptrdiff_t>(start), text.end(), nullptr, true, false);
  } catch (const nlohmann::json::parse_error&) {
    const size_t end = text.rfind('}');
    return ojson::parse(text.substr(start, end == std::string::npos || end < start ? 0 : end - start + 1));
  }
}

// fiokit's own per-run extras of a member: "fiokit": {"cluster": {...}} as an
// object (or as a string holding one, as the writer keeps unknown extras).
std::optional<ojson> cluster_extras(const ojson& doc) {
  const auto f = doc.find("fiokit");
  if (f == doc.end() || !f->is_object()) return std::nullopt;
  const auto c = f->find("cluster");
  if (c == f->end()) return std::nullopt;
  if (c->is_object()) return *c;
  if (c->is_string()) {
    const ojson inner = ojson::parse(c->get<std::string>(), nullptr, false);
    if (inner.is_object()) return inner;
  }
  return std::nullopt;
}

// The host a member's results name: fiokit's "fiokit"."cluster"."host", else
// the first job's "hostname" (fio's client/server output names it per job).
std::string reported_host(const ojson& doc) {
  if (const auto extras = cluster_extras(doc)) {
    const auto h = extras->find("host");
    if (h != extras->end() && h->is_string() && !h->get<std::string>().empty()) return h->get<std::string>();
  }
  if (const auto jobs = doc.find("jobs"); jobs != doc.end() && jobs->is_array())
    for (const ojson& j : *jobs) {
      if (!j.is_object()) continue;
      if (const auto h = j.find("hostname"); h != j.end() && h->is_string()) return h->get<std::string>();
    }
  return {};
}

struct Member {
  const ClusterMember* in = nullptr;
  std::optional<ojson> doc;   // the member's results, when it sent readable ones
  std::string results_error;  // why a failed member's results were skipped
  std::string host;
  int64_t started_ns = 0;
  bool summed = false;
};

Member read_member(const ClusterMember& m) {
  Member r;
  r.in = &m;
  r.summed = cluster_state_summed(m.state);
  r.host = m.host;
  r.started_ns = m.started_unix_ns;
  if (m.results_json.empty()) return r;
  try {
    (void)read_fio_json(m.results_json);  // the schema every reader needs
    ojson doc = parse_results(m.results_json);
    if (!doc.is_object() || !doc.contains("jobs") || !doc["jobs"].is_array())
      throw std::runtime_error("no \"jobs\" array");
    for (const ojson& j : doc["jobs"])
      if (!j.is_object()) throw std::runtime_error("a job is not an object");
    r.doc = std::move(doc);
  } catch (const std::exception& e) {
    if (r.summed)
      throw std::runtime_error(fmt::format("member {}{}: cannot read its results: {}", m.index,
                                           m.host.empty() ? "" : " (host " + m.host + ")", e.what()));
    r.results_error = e.what();
    return r;
  }
  const auto extras = cluster_extras(*r.doc);
  if (r.started_ns == 0 && extras) {
    const auto s = extras->find("started_unix_ns");
    if (s != extras->end() && s->is_number_integer()) r.started_ns = s->get<int64_t>();
  }
  if (r.host.empty()) r.host = reported_host(*r.doc);
  return r;
}

bool member_interrupted(const ojson& doc) {
  const auto f = doc.find("fiokit");
  if (f == doc.end() || !f->is_object()) return false;
  for (const char* k : {"interrupted", "incomplete"})
    if (const auto it = f->find(k); it != f->end() && it->is_boolean() && it->get<bool>()) return true;
  return false;
}

// fiokit's per-job extras of one member, aligned with its "jobs" (one entry
// per job, so the reader's match by position holds in the merged list).
std::vector<ojson> fiokit_jobs_of(const ojson& doc) {
  const ojson& jobs = doc["jobs"];
  std::vector<ojson> out;
  const ojson* fj = nullptr;
  if (const auto f = doc.find("fiokit"); f != doc.end() && f->is_object())
    if (const auto it = f->find("jobs"); it != f->end() && it->is_array() && it->size() == jobs.size()) fj = &*it;
  for (size_t i = 0; i < jobs.size(); ++i) {
    const ojson name = jobs[i].value("jobname", ojson(""));
    const ojson group = jobs[i].value("groupid", ojson(0));
    if (fj && (*fj)[i].is_object() && (*fj)[i].value("jobname", ojson()) == name) {
      out.push_back((*fj)[i]);
    } else {
      ojson e = ojson::object();
      e["jobname"] = name;
      e["groupid"] = group;
      out.push_back(std::move(e));
    }
  }
  return out;
}

// The earliest member run's "timestamp", "timestamp_ms" and "time".
void copy_header(ojson& out, const std::vector<Member>& ms) {
  const Member* first = nullptr;
  int64_t best = 0;
  for (const Member& m : ms) {
    if (!m.doc) continue;
    const auto t = m.doc->find("timestamp");
    const int64_t ts = t != m.doc->end() && t->is_number_integer() ? t->get<int64_t>() : 0;
    if (!first || (ts > 0 && (best <= 0 || ts < best))) first = &m, best = ts;
  }
  out["fio version"] = first ? first->doc->value("fio version", ojson("fiokit")) : ojson("fiokit");
  for (const char* k : {"timestamp", "timestamp_ms"}) out[k] = first ? first->doc->value(k, ojson(0)) : ojson(0);
  out["time"] = first ? first->doc->value("time", ojson("")) : ojson("");
  for (const Member& m : ms)
    if (m.doc && m.doc->contains("global options")) {
      out["global options"] = (*m.doc)["global options"];
      break;
    }
}

ojson member_json(const Member& m) {
  ojson o = ojson::object();
  o["index"] = m.in->index;
  o["host"] = m.host;
  o["state"] = m.in->state;
  o["exit_code"] = m.in->exit_code;
  o["error"] = m.in->error;
  o["started_unix_ns"] = m.started_ns;
  o["jobs"] = m.doc ? (*m.doc)["jobs"].size() : 0;
  if (!m.results_error.empty()) o["results_error"] = m.results_error;
  return o;
}

}  // namespace

std::string cluster_results_host(const std::string& results_json) {
  try {
    const ojson doc = parse_results(results_json);
    return doc.is_object() ? reported_host(doc) : std::string();
  } catch (const std::exception&) {
    return {};
  }
}

bool cluster_state_summed(const std::string& state) {
  return state == "done" || state == "running" || state == "joined";
}

std::string merge_cluster_results(const ClusterMeta& meta, const std::vector<ClusterMember>& members) {
  std::vector<const ClusterMember*> order;
  std::set<int> seen;
  for (const ClusterMember& m : members) {
    if (!known_states().count(m.state))
      throw std::invalid_argument(fmt::format("member {}: unknown state \"{}\"", m.index, m.state));
    if (!seen.insert(m.index).second) throw std::invalid_argument(fmt::format("member index {} given twice", m.index));
    order.push_back(&m);
  }
  std::sort(order.begin(), order.end(), [](const auto* a, const auto* b) { return a->index < b->index; });
  std::vector<Member> ms;
  for (const ClusterMember* m : order) ms.push_back(read_member(*m));

  ojson out = ojson::object();
  copy_header(out, ms);
  ojson jobs = ojson::array(), disk_util = ojson::array(), fiokit_jobs = ojson::array();
  std::vector<cluster_detail::HostJob> summed;
  bool interrupted = meta.incomplete;
  for (const Member& m : ms) {
    if (!m.doc) continue;
    if (m.summed && member_interrupted(*m.doc)) interrupted = true;
    const std::vector<ojson> fj = fiokit_jobs_of(*m.doc);
    const ojson& mj = (*m.doc)["jobs"];
    for (size_t i = 0; i < mj.size(); ++i) {
      ojson job = mj[i];
      if (!m.host.empty() || !job.contains("hostname")) job["hostname"] = m.host;
      if (!job.contains("fiokit") || !job["fiokit"].is_object()) job["fiokit"] = ojson::object();
      job["fiokit"]["host_index"] = m.in->index;
      jobs.push_back(std::move(job));
      fiokit_jobs.push_back(fj[i]);
      if (m.summed) summed.push_back({m.in->index, i, &mj[i]});
    }
    if (const auto du = m.doc->find("disk_util"); du != m.doc->end() && du->is_array())
      for (ojson d : *du)
        if (d.is_object()) {
          d["hostname"] = m.host;
          disk_util.push_back(std::move(d));
        }
  }
  ojson aggregate = cluster_detail::aggregate_jobs(summed);
  out["jobs"] = std::move(jobs);
  if (!disk_util.empty()) out["disk_util"] = std::move(disk_util);

  ojson cluster = ojson::object();
  cluster["run"] = meta.run;
  cluster["size"] = meta.size;
  cluster["start_unix_ns"] = meta.start_unix_ns;
  int64_t lo = 0, hi = 0;
  bool any_start = false;
  for (const Member& m : ms)
    if (m.started_ns != 0) {
      lo = any_start ? std::min(lo, m.started_ns) : m.started_ns;
      hi = any_start ? std::max(hi, m.started_ns) : m.started_ns;
      any_start = true;
    }
  // Unsigned: the exact difference for hi >= lo, whatever values a member sent.
  const uint64_t skew_ns = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  cluster["start_skew_ms"] = any_start ? ojson(static_cast<double>(skew_ns) / 1e6) : ojson(nullptr);
  ojson list = ojson::array(), failed = ojson::array();
  for (const Member& m : ms) {
    list.push_back(member_json(m));
    if (m.in->state == "failed" || m.in->state == "missing") {
      ojson f = ojson::object();
      f["index"] = m.in->index;
      f["host"] = m.host;
      f["state"] = m.in->state;
      f["error"] = m.in->error;
      failed.push_back(std::move(f));
    }
  }
  cluster["members"] = std::move(list);
  cluster["failed"] = std::move(failed);
  cluster["aggregate"] = std::move(aggregate);
  out["cluster"] = std::move(cluster);

  ojson fiokit = ojson::object();
  if (meta.incomplete) fiokit["incomplete"] = true;
  fiokit["interrupted"] = interrupted;
  fiokit["jobs"] = std::move(fiokit_jobs);
  out["fiokit"] = std::move(fiokit);
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace fiokit::results
