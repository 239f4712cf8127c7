#!/usr/bin/env python3
"""The dependency direction of DESIGN.md, enforced (issue 13 item 6).

Every stage library puts the repository root on its include path, so a header
of any stage compiles anywhere and the CMake links alone cannot stop an
include against the direction. This check reads every C++ source of every
stage folder, resolves each #include that names a file of the repository
("results/summary.hpp", <jobs/jobspec.hpp>, "../cli/x.hpp"), and fails naming
file:line and the include when the including stage may not depend on the
included one. It also checks each stage's target_link_libraries against the
same matrix, and that every source folder has a row in it (a new stage must
say where it sits).

Usage: check_deps.py [REPO_ROOT]   (default: the repository holding this file)
       check_deps.py --self-test   (builds a small tree with known violations
                                    and checks that each one is reported)
Exit 0 when clean, 1 with the violations listed on stderr.
"""
import os
import re
import sys
import tempfile

# Who may include whom (besides itself). util <- jobs <- volumes <- engine ->
# results; plot -> results; serve -> results; fetch -> jobs; results depends
# on nothing of fiokit but util; cli sits on top of everything.
STAGES = ["util", "jobs", "volumes", "engine", "results", "plot", "serve", "fetch", "cli"]
ALLOWED = {
    "util": set(),
    "jobs": {"util"},
    "volumes": {"jobs", "util"},
    "engine": {"volumes", "jobs", "results", "util"},
    "results": {"util"},
    "plot": {"results", "util"},
    "serve": {"results", "util"},
    "fetch": {"jobs", "util"},
    "cli": set(STAGES) - {"cli"},
}
# Folders with C++ that are not stages: tests (and the fuzz harnesses, which
# are tests built with another driver) may include anything; nothing may
# include them.
ANYTHING = {"tests", "fuzz"}
SOURCE_EXT = (".cpp", ".hpp", ".h", ".cc", ".hh", ".ipp", ".inl")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
LINK_RE = re.compile(r"target_link_libraries\s*\(\s*(fiokit_\w+)([^)]*)\)", re.S)


def is_build_tree(path):
    return os.path.exists(os.path.join(path, "CMakeCache.txt"))


def source_folders(root):
    """Top-level folders holding C++ sources (build trees and dot-dirs left out)."""
    out = []
    for name in sorted(os.listdir(root)):
        path = os.path.join(root, name)
        if name.startswith(".") or not os.path.isdir(path) or is_build_tree(path):
            continue
        for _dirs, _subdirs, files in os.walk(path):
            if any(f.endswith(SOURCE_EXT) for f in files):
                out.append(name)
                break
    return out


def sources_of(root, folder):
    for dirpath, subdirs, files in os.walk(os.path.join(root, folder)):
        subdirs[:] = sorted(d for d in subdirs if not is_build_tree(os.path.join(dirpath, d)))
        for f in sorted(files):
            if f.endswith(SOURCE_EXT):
                yield os.path.join(dirpath, f)


def target_folder(root, including_file, bracket, name):
    """The repository folder an include resolves to, or None (a system or
    third-party header). Tried as the compiler would: a quoted include next to
    the including file first, then from the repository root (every stage's
    include directory)."""
    candidates = []
    if bracket == '"':
        candidates.append(os.path.join(os.path.dirname(including_file), name))
    candidates.append(os.path.join(root, name))
    for c in candidates:
        c = os.path.normpath(c)
        if os.path.exists(c):
            rel = os.path.relpath(c, root)
            if rel.startswith(".."):
                return None
            return rel.split(os.sep)[0]
    # Not there (yet): a first component naming a repository folder still says
    # which stage it means ("engine/new.hpp" written before the file).
    first = os.path.normpath(name).split(os.sep)[0]
    if os.path.isdir(os.path.join(root, first)) and not first.startswith("."):
        return first
    return None


def check_includes(root, folders):
    problems, files, includes = [], 0, 0
    for folder in folders:
        if folder in ANYTHING:
            continue
        allowed = ALLOWED[folder] | {folder}
        for path in sources_of(root, folder):
            files += 1
            rel = os.path.relpath(path, root)
            with open(path, encoding="utf-8", errors="replace") as f:
                for lineno, line in enumerate(f, 1):
                    m = INCLUDE_RE.match(line)
                    if not m:
                        continue
                    target = target_folder(root, path, m.group(1), m.group(2))
                    if target is None:
                        continue
                    includes += 1
                    if target not in allowed:
                        shown = m.group(1) + m.group(2) + (">" if m.group(1) == "<" else '"')
                        problems.append(f"{rel}:{lineno}: {folder}/ includes {shown} of {target}/; "
                                        f"{folder}/ may include only {', '.join(sorted(allowed))}")
    return problems, files, includes


def check_links(root, folders):
    problems = []
    for folder in folders:
        if folder in ANYTHING:
            continue
        cmake = os.path.join(root, folder, "CMakeLists.txt")
        if not os.path.exists(cmake):
            continue
        with open(cmake, encoding="utf-8") as f:
            text = f.read()
        allowed = ALLOWED[folder] | {folder}
        for m in LINK_RE.finditer(text):
            owner = m.group(1)
            for dep in re.findall(r"\bfiokit_(\w+)", m.group(2)):
                if dep in STAGES and dep not in allowed:
                    lineno = text.count("\n", 0, m.start()) + 1
                    problems.append(f"{folder}/CMakeLists.txt:{lineno}: {owner} links fiokit_{dep}; "
                                    f"{folder}/ may depend only on {', '.join(sorted(allowed))}")
    return problems


def check(root):
    folders = source_folders(root)
    problems = [f"{f}/: a source folder with no row in the dependency matrix of {os.path.relpath(__file__, root)}; "
                "add it to STAGES/ALLOWED (or ANYTHING for a test harness)"
                for f in folders if f not in ALLOWED and f not in ANYTHING]
    folders = [f for f in folders if f in ALLOWED or f in ANYTHING]
    inc, files, includes = check_includes(root, folders)
    problems += inc + check_links(root, folders)
    return problems, files, includes


def self_test():
    """A tree with one known violation of each kind; every one must be found
    and nothing else."""
    tree = {
        "util/fd.hpp": "#pragma once\n",
        "jobs/jobspec.hpp": '#include "util/fd.hpp"\n#include <string>\n',
        "jobs/bad.cpp": '// #include "engine/run.hpp" in a comment is fine\n#include "engine/run.hpp"\n',
        "volumes/layout.cpp": '#include "jobs/jobspec.hpp"\n#include "volumes/layout.hpp"\n',
        "volumes/layout.hpp": "#pragma once\n",
        "engine/run.hpp": '#include "volumes/layout.hpp"\n#include "results/r.hpp"\n',
        "engine/up.cpp": '#include "run.hpp"\n#include "../cli/c.hpp"\n',
        "results/r.hpp": "#pragma once\n#include <fmt/format.h>\n",
        "results/r.cpp": '#include "r.hpp"\n#  include <volumes/layout.hpp>\n#include "tests/common/t.hpp"\n',
        "results/CMakeLists.txt": "target_link_libraries(fiokit_results\n  PUBLIC fiokit_util fiokit_engine\n  PRIVATE fiokit_warnings)\n",
        "plot/p.cpp": '#include "results/r.hpp"\n#include "serve/s.hpp"\n',
        "serve/s.hpp": '#include "results/r.hpp"\n',
        "cli/c.hpp": '#include "engine/run.hpp"\n#include "plot/p.cpp"\n#include "serve/s.hpp"\n',
        "newstage/n.cpp": '#include "jobs/jobspec.hpp"\n',
        "tests/common/t.hpp": '#include "cli/c.hpp"\n#include "engine/run.hpp"\n',
        "build/CMakeCache.txt": "",
        "build/gen/x.cpp": '#include "cli/c.hpp"\n',
    }
    expected = [
        ("jobs/bad.cpp:2:", "engine/"),
        ("engine/up.cpp:2:", "cli/"),
        ("results/r.cpp:2:", "volumes/"),
        ("results/r.cpp:3:", "tests/"),
        ("plot/p.cpp:2:", "serve/"),
        ("results/CMakeLists.txt:1:", "fiokit_engine"),
        ("newstage/:", "no row"),
    ]
    with tempfile.TemporaryDirectory(prefix="fiokit-deps-") as root:
        for rel, text in tree.items():
            path = os.path.join(root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        problems, _files, _includes = check(root)
    ok = True
    for where, what in expected:
        hits = [p for p in problems if p.startswith(where) and what in p]
        if len(hits) != 1:
            print(f"self-test: expected one problem at {where} naming {what}, found {len(hits)}", file=sys.stderr)
            ok = False
    if len(problems) != len(expected):
        print(f"self-test: expected {len(expected)} problems, found {len(problems)}:", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        ok = False
    print("self-test: every planted violation was reported, nothing else" if ok else "self-test FAILED")
    return 0 if ok else 1


def main(argv):
    if len(argv) > 1 and argv[1] == "--self-test":
        return self_test()
    root = os.path.abspath(argv[1]) if len(argv) > 1 else os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    problems, files, includes = check(root)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{len(problems)} dependency violation(s); the allowed directions are in {__file__}", file=sys.stderr)
        return 1
    print(f"dependency direction holds: {includes} repository includes in {files} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
