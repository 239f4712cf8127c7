// Reports of a compare-gate Comparison, each a pure function of it (DESIGN.md
// rule 7): a terminal table, Markdown for CI job summaries and merge-request
// comments, JUnit XML for GitLab/Jenkins test reports, and JSON for scripts.
//
// JUnit mapping: one <testsuite> per comparison; one <testcase> per job x
// direction x metric (classname "<job>.<dir>", name the metric), a regression
// as <failure type="regression">, a metric that cannot be compared as
// <error type="invalid">; reasons not tied to one metric (interrupted run, job
// error, option mismatch, host) are <testcase name="validity N"> with an
// <error>; without such reasons one passing "validity" testcase says the
// checks ran. The shape fits the schema in tests/compare/junit.xsd.
#pragma once
#include <string>

#include "results/compare.hpp"

namespace fiokit::results {

std::string render_gate_table(const Comparison& c);
std::string render_gate_markdown(const Comparison& c);
std::string render_gate_junit(const Comparison& c);
std::string render_gate_json(const Comparison& c);

// "5.00k IOPS", "19.5 MiB/s", "181 ns", "1.25 ms": the value as a person reads it.
std::string format_metric_value(double v, const std::string& unit);

}  // namespace fiokit::results
