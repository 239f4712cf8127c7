"""The fidelity case modules beside cases.py, each with the functions that
add its cases (one part of the work per module, one line here per module):
cases.py calls add_all(case) once its own cases are in the table, so the
order of the table is cases.py's, then these modules' in this order. A new
part adds its module here and its group to tests/fidelity/CMakeLists.txt."""
import importlib

MODULES = (
        ('cases_io', ('add', 'add_stats')),  # I/O patterns: "pattern", "stats"
        ('cases_flow', ('add',)),            # flow control, serialize_overlap: "flow"
        ('cases_iolog', ('add',)),           # write_iolog / read_iolog replay: "iolog"
        ('cases_fileops', ('add', 'add_shape')),  # file-operation engines: "fileops"
        ('cases_misc', ('add', 'add_errors', 'add_exit_what')),  # rw modifiers, errors: "misc"
        ('cases_ss', ('add',)),              # steady state: "ss"
        ('cases_latq', ('add',)),            # latency target search: "latq"
        ('cases_fixes2', ('add',)),          # filesize vs size, fsync=N over loops, description=: "fixes2"
        ('cases_logz', ('add',)),            # compressed logs: "logz"
        ('cases_prio', ('add',)),            # I/O priorities: "prio"
        ('cases_verify2', ('add',)),         # verify_backlog, verify_async: "verify2"
        ('cases_engines', ('add', 'add_cpuio')),  # fill_device, cpuio: "engines"
        ('cases_review', ('add',)),          # engine review fixes (cpuio end, log prio, backlog): "review"
        ('cases_exec', ('add',)),            # the exec engine, exec_prerun/postrun: "exec"
        ('cases_xverify', ('add', 'add_budget')),  # experimental_verify, loops budget: "xverify"
        ('cases_dedupe', ('add',)),          # dedupe_percentage, working set, compress: "dedupe"
        ('cases_vpat', ('add',)),            # verify=pattern without a header: "vpat"
        ('cases_series', ('add',)),          # per-second series of every run dir vs fio's log_avg_msec=1000: "series"
)


def add_all(case):
    """Calls every listed adder of every module with cases.py's case()."""
    for name, adders in MODULES:
        mod = importlib.import_module(name)
        for adder in adders:
            getattr(mod, adder)(case)
