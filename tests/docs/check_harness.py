#!/usr/bin/env python3
# The docs test must be able to fail: run_doc_commands.py on a made-up repo
# whose README holds a good line, a bad one and a line with an unknown
# placeholder must exit 1 naming the two bad lines by file:line, run the good
# one, and join continuation lines and a multi-line loop into one command each;
# of a `console` block, a line listed in NOT_RUN is reported as not run and an
# unlisted one (kubectl without a cluster) fails.
# usage: check_harness.py FIOKIT_BIN
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_doc_commands  # noqa: E402

README = """# t

```sh
build/fiokit run --name=ok --ioengine=null --size=1m --output-format=json   # fine
build/fiokit run --name=bad --ioengine=null --size=1m --bs=4kfoo
build/fiokit compare BASELINE_RUN CURRENT_RUN
```

```sh
build/fiokit run --parse-only \\
  --name=joined --ioengine=null --size=1m
for x in 1 2; do
  true
done
```

```text
not a command
```

```console
kubectl create namespace fiokit
kubectl get nodes
```
"""


def main():
    fiokit = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="fiokit-docs-harness-") as repo:
        for d in ("examples", "docker"):
            os.makedirs(os.path.join(repo, d))
        with open(os.path.join(repo, "README.md"), "w") as f:
            f.write(README)
        cmds = run_doc_commands.extract(repo, "README.md")
        texts = [c.text for c in cmds]
        lines = [c.line for c in cmds]
        fails = []
        if len(cmds) != 7 or [c.console for c in cmds] != [False] * 5 + [True] * 2:
            fails.append(f"7 commands expected (the last 2 console), got {len(cmds)}: {texts}")
        elif not (texts[3].startswith("build/fiokit run --parse-only --name=joined") and lines == [4, 5, 6, 10, 12, 22, 23]
                  and texts[4].startswith("for x in 1 2; do") and texts[4].endswith("done")):
            fails.append(f"joined wrongly: {list(zip(lines, texts))}")
        p = subprocess.run([sys.executable, os.path.join(HERE, "run_doc_commands.py"), repo, fiokit],
                           capture_output=True, text=True)
        out = p.stdout + p.stderr
        if p.returncode != 1:
            fails.append(f"exit {p.returncode}, 1 expected")
        for want in ("ok   README.md:4:", "FAIL README.md:5:", "FAIL README.md:6:", "ok   README.md:10:",
                     "BASELINE_RUN: no run directory", "not run here README.md:22: kubectl create namespace fiokit",
                     "FAIL README.md:23:"):
            if want not in out:
                fails.append(f"missing {want!r} in the output")
        if fails:
            print("\n".join(fails) + "\n--- output:\n" + out)
            return 1
        print("the docs harness fails bad lines by file:line and runs the good ones")
        return 0


if __name__ == "__main__":
    sys.exit(main())
