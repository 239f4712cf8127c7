#!/usr/bin/env python3
"""Lists the job options fio's HOWTO documents, one name per line (aliases too).

Usage: gen_howto_options.py HOWTO.rst > tests/jobs/howto_options.txt

fio's HOWTO (fio 3.33; Debian ships it as /usr/share/doc/fio/HOWTO.rst.gz: gunzip it first, or
take HOWTO.rst from the fio source) marks every option with ".. option::".
The ones written "--name" are command-line options of fio itself, not job
options, and are skipped. An entry such as "readwrite=str, rw=str" gives
both names; "fixedbufs : [io_uring]" names the engines after the colon.
test_options.cpp checks that fiokit's option table knows every name listed.
"""
import re
import sys


def names(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\.\. option::\s*(.*)", line)
            if not m:
                continue
            spec = m.group(1).split(" : ")[0].strip()
            if spec.startswith("-"):
                continue
            for part in spec.split(", "):
                name = re.split(r"[=\s]", part.strip())[0]
                if name and name not in out:
                    out.append(name)
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print("\n".join(names(sys.argv[1])))
