#!/usr/bin/env python3
"""mmt's benchmark: whole-process timings of mmt beside the tools people use instead.

    python3 bench/bench.py [--size-mib 1024] [--rounds 5] [--dir target/bench]

It builds mmt (cargo build --release), generates its inputs (the seed's lorem text repeated to
--size-mib, and a copy with 16 rare needles planted), warms the page cache, then times whole
commands side by side: every round runs each command of a group in rotating order, and the
report gives the median of the rounds and ratios against mmt. A command that runs in under a
quarter of a second and changes nothing runs several times in its turn (about half a second's
worth, at most 25 runs), and the round keeps their median: one run of a 2 ms or a 150 ms command
swung a ratio by 20 % on this shared machine. Peers (rg, GNU grep, sed, sd, cp,
python3) that are not installed are reported and skipped; nothing is installed. Each mmt
command also runs once more, untimed, for its peak resident set (the kernel's high-water mark,
file-backed map pages included) and its peak RssAnon (anonymous memory: heap, stacks,
copy-on-write copies; sampled every 2 ms). Heap memory is measured with valgrind's massif at two
input sizes, when valgrind is there. Every goal is reported as met or not.

Group 7 times trees: the project's own dependencies vendored from its Cargo.lock (`cargo
vendor`), copied four times over (about 20,000 files), with a literal planted in 100 files;
mmt beside rg, and a replace round trip (the literal renamed and back) beside fastmod and the
`rg -l | xargs sd` and `rg -l | xargs sed -i` pipelines. A round trip restores what it changed,
so it too runs several times in its turn (about 1.5 s worth), with the disk synced, untimed,
after each run: fastmod, sd and sed leave their writes to the kernel, and the next command
would otherwise be charged for them. Group 7 also times the tree at `-j1` and `-j2` beside rg's, and
`--files-from` a sorted list of its files beside the walk. Group 3 times `mmt undo` of the dense
replace (the replace then its undo, beside the replace then the replace back). Group 8 times
`--copy` previews of a dense replace beside the real one. Group 9 times `grep -n -o` (matches
numbered by their lines) and `grep -n` (the lines, as `rg -n`) over the large file beside the
same grep without them and `rg -n`.
Group 10 counts the matches of a look-behind (a pattern for the backtracking engine, PCRE2)
over the large file on every core, beside Python's `re.finditer` over a map and `rg -P`.
Group 7 also renames a word in hundreds of the tree's files and back (the wide rewrite), with
the journal, without it, and with fastmod, and times two such round trips on different files at
once beside one after the other. Group 11 times an undo of a run of 500 files with 100 runs
kept (`MMT_UNDO_RUNS`), beside the same replace and a replace back.

It is not part of the test suite: timings belong to a machine, not to a pass/fail test.
"""

import argparse
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOREM = (ROOT / "fixtures" / "lorem.txt").read_bytes()
NEEDLE = b"QZXNEEDLEQZ"  # 11 bytes, absent from the lorem text
SAME = b"qzxneedleqz"  # same length
LONGER = b"QZXNEEDLE-LONGER-QZ"  # a length change
SEED_REGEX = r"(\.\W+)?([^.]?nulla[^.]*?\.)"
LINE_REGEX = r"\w+ulla\w*"  # matches no newline: grep cuts the file at line ends
PLANTED = "QZXPLANTEDQZ"  # planted in 100 files of the tree
RENAMED = "QZXPLANTED_AND_RENAMEDQZ"  # what the tree replace renames it to, and back

PY_FIND_COUNT = r"""
import mmap, sys
with open(sys.argv[1], "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
    needle, count, pos = sys.argv[2].encode(), 0, 0
    while (pos := m.find(needle, pos)) != -1:
        count, pos = count + 1, pos + len(needle)
    print(count)
"""

PY_REPLACE_SAME_LENGTH = r"""
import mmap, sys
with open(sys.argv[1], "r+b") as f, mmap.mmap(f.fileno(), 0) as m:
    old, new, pos = sys.argv[2].encode(), sys.argv[3].encode(), 0
    while (pos := m.find(old, pos)) != -1:
        m[pos:pos + len(old)] = new
        pos += len(old)
    m.flush()
"""

PY_REGEX_COUNT_PLAIN = r"""
import mmap, re, sys
pattern = re.compile(sys.argv[2].encode())
with open(sys.argv[1], "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
    print(sum(1 for _ in pattern.finditer(m)))
"""

LOOK_BEHIND = r"(?<=amet, )\w+"  # needs backtracking: runs on PCRE2
WIDE, WIDE_NEW = "with_capacity", "with_room"  # a word in hundreds of the tree's files
UNDO_FILES, UNDO_HISTORY = 500, 100  # group 11: an undo of a run of 500 files, 100 runs kept

PY_REGEX_COUNT = r"""
import mmap, re, sys
pattern = re.compile(sys.argv[2].encode(), re.DOTALL | re.IGNORECASE | re.MULTILINE)
with open(sys.argv[1], "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
    print(sum(1 for _ in pattern.finditer(m)))
"""


# mmt's path (set in main), and the memory of every mmt command measured, for the summary.
MMT = [None]
MEMORY = {}


def have(tool):
    return shutil.which(tool) is not None


ROUND_SECONDS = 0.5  # what one turn of a quick, read-only command runs for, about
# What one turn of a replace round trip (which restores what it changed) runs for, about: one
# run of each moved a ratio by 30 % on this noisy machine.
ROUND_TRIP_SECONDS = 1.5


class Command:
    """One contestant: a name, its argv, and the argv that undoes its change (for writers, so
    every round starts from the same bytes)."""

    def __init__(self, name, argv, needs=None, undo=None, repeat_for=ROUND_SECONDS, settle=False):
        self.name, self.argv, self.undo = name, argv, undo
        self.needs = needs or argv[0]
        self.times = []
        # A command under half of `repeat_for` that needs no undo runs that long in each turn.
        self.repeat_for = repeat_for
        # Sync the disk (untimed) after each run: for a writer that leaves its writes to the
        # kernel, so that the next command is not charged for them.
        self.settle = settle

    def settle_after_run(self):
        if self.settle:
            os.sync()

    def available(self):
        return have(self.needs)


def run_timed(argv):
    # Output goes to a pipe, not /dev/null: GNU grep stops at the first match when it sees
    # /dev/null as its output, which would time nothing.
    start = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"bench: {argv[0]} failed ({proc.returncode}): {proc.stderr.decode(errors='replace')}")
    return elapsed


def proc_status_kib(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure_memory(argv):
    """Peak resident memory of one untimed run, in KiB: the kernel's high-water mark of the
    whole resident set (VmHWM: file-backed map pages included), and RssAnon (anonymous memory:
    the heap, stacks and copy-on-write copies), read from /proc every 2 ms while it runs, since
    the kernel keeps no peak of RssAnon. (wait4's ru_maxrss is not used: it counts the forked
    Python before the exec.) A command over in under 2 ms may show 0."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    drain = threading.Thread(target=proc.stdout.read, daemon=True)
    drain.start()
    peak_anon = peak_rss = 0
    while True:
        peak_anon = max(peak_anon, proc_status_kib(proc.pid, "RssAnon"))
        peak_rss = max(peak_rss, proc_status_kib(proc.pid, "VmHWM"))
        pid, _status, _usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.002)
    drain.join()
    proc.returncode = 0
    return peak_rss, peak_anon


ROUND_RUNS_MAX = 25


def run_turn(command):
    """One command's turn in a round: one run, or for a quick command that needs no undo, the
    median of about `command.repeat_for` seconds of runs."""
    first = run_timed(command.argv)
    command.settle_after_run()
    if command.undo or first >= command.repeat_for / 2:
        return first
    times = [first]
    while sum(times) < command.repeat_for and len(times) < ROUND_RUNS_MAX:
        times.append(run_timed(command.argv))
        command.settle_after_run()
    return statistics.median(times)


def run_group(title, commands, rounds):
    present = [c for c in commands if c.available()]
    missing = [c.name for c in commands if not c.available()]
    for i in range(rounds):
        order = present[i % len(present):] + present[:i % len(present)]
        for command in order:
            command.times.append(run_turn(command))
            if command.undo:
                subprocess.run(command.undo, stdout=subprocess.DEVNULL, check=True)
                # Untimed: let the disk finish this run's writes, so that the next command is
                # not charged for them.
                os.sync()
    medians = {c.name: statistics.median(c.times) for c in present}
    # Memory of mmt's own commands, in one more run each (untimed: sampling costs time).
    memory = {}
    for command in present:
        if command.needs == MMT[0]:
            memory[command.name] = measure_memory(command.argv)
            if command.undo:
                subprocess.run(command.undo, stdout=subprocess.DEVNULL, check=True)
                os.sync()
    MEMORY.update({f"{title}: {name}": m for name, m in memory.items()})
    return {"title": title, "medians": medians, "missing": missing, "memory": memory}


def print_group(group, goals):
    print(f"\n### {group['title']}\n")
    mmt = next(iter(group["medians"].values()))
    print("| command | median | vs mmt | peak RSS | peak RssAnon |")
    print("|---|---:|---:|---:|---:|")
    for name, median in group["medians"].items():
        rss, anon = group["memory"].get(name, (None, None))
        mem = f"{rss / 1024:.1f} MiB | {anon / 1024:.1f} MiB" if rss is not None else "| "
        print(f"| `{name}` | {median * 1000:.1f} ms | x{median / mmt:.2f} | {mem} |")
    for name in group["missing"]:
        print(f"| `{name}` | not installed, skipped | | | |")
    for text, ratio, limit, better_is_lower in goals(group["medians"]):
        if ratio is None:
            print(f"\nGoal: {text}: not measured (peer missing)")
            continue
        if limit is None:
            print(f"\nReported: {text}: measured x{ratio:.2f}")
            continue
        ok = ratio <= limit if better_is_lower else ratio >= limit
        print(f"\nGoal: {text}: measured x{ratio:.2f} -> {'met' if ok else 'NOT met'}")


def ratio(medians, a, b):
    if a in medians and b in medians:
        return medians[a] / medians[b]
    return None


def make_inputs(workdir, size):
    workdir.mkdir(parents=True, exist_ok=True)
    big = workdir / "lorem-big.txt"
    if not big.exists() or big.stat().st_size != size:
        reps = size // len(LOREM)
        with open(big, "wb") as out:
            chunk = LOREM * 4096
            written = 0
            while written + len(chunk) <= reps * len(LOREM):
                out.write(chunk)
                written += len(chunk)
            out.write(LOREM * ((reps * len(LOREM) - written) // len(LOREM)))
            out.write(b"x" * (size - reps * len(LOREM)))
    rare = workdir / "rare.txt"
    shutil.copyfile(big, rare)
    with open(rare, "r+b") as f:
        for i in range(16):
            f.seek((size // 16) * i + 1000)
            f.write(NEEDLE)
    small = workdir / "small.txt"
    small.write_bytes(LOREM[:1024] if len(LOREM) >= 1024 else (LOREM * 2)[:1024])
    return big, rare, small


def make_tree(workdir, copies=4, planted=100):
    """The vendored dependencies, `copies` times over, in a directory of its own that is its own
    repository root (so the project's .gitignore, which ignores target/, does not apply), with
    PLANTED appended to `planted` source files chosen at an even stride."""
    tree = workdir / "tree"
    done = tree / ".complete"
    if done.exists():
        return tree
    if tree.exists():
        shutil.rmtree(tree)
    vendor = workdir / "vendor"
    if not vendor.exists():
        subprocess.run(["cargo", "vendor", "--locked", "--versioned-dirs", str(vendor)], cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    (tree / ".git").mkdir(parents=True)
    for i in range(copies):
        shutil.copytree(vendor, tree / f"copy{i}", symlinks=True)
    sources = sorted(p for p in tree.rglob("*.rs") if p.is_file())
    stride = max(1, len(sources) // planted)
    for path in sources[::stride][:planted]:
        with open(path, "ab") as f:
            f.write(f"// {PLANTED}\n".encode())
    done.write_text("")
    return tree


def tree_stats(tree):
    files = [p for p in tree.rglob("*") if p.is_file() and ".git" not in p.parts]
    return len(files), sum(p.stat().st_size for p in files)


def warm_tree(tree):
    for path in tree.rglob("*"):
        if path.is_file():
            path.read_bytes()


def warm(*paths):
    for path in paths:
        with open(path, "rb") as f:
            while f.read(1 << 24):
                pass


def massif_peak(argv, workdir):
    out = workdir / "massif.out"
    subprocess.run(["valgrind", "--tool=massif", f"--massif-out-file={out}", *argv],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peaks = [int(m) for m in re.findall(r"mem_heap_B=(\d+)", out.read_text())]
    extra = [int(m) for m in re.findall(r"mem_heap_extra_B=(\d+)", out.read_text())]
    return max(a + b for a, b in zip(peaks, extra)) if peaks else None


def heap_table(mmt, workdir):
    print("\n### Heap memory (valgrind massif, peak heap bytes)\n")
    if not have("valgrind"):
        print("valgrind is not installed: skipped")
        return
    sizes = [64 << 20, 512 << 20]
    files = {}
    for size in sizes:
        sub = workdir / f"heap-{size >> 20}"
        _, rare, _ = make_inputs(sub, size)
        files[size] = rare
    cases = [
        ("find --count", lambda f: [mmt, "find", f, NEEDLE.decode(), "--count"]),
        ("grep --count (seed regex)", lambda f: [mmt, "grep", f, SEED_REGEX, "-i", "--dot-all", "--multi-line", "--count"]),
        ("replace, same length, 16 hits", lambda f: [mmt, "replace", f, NEEDLE.decode(), SAME.decode()]),
        ("--copy replace preview, 16 hits", lambda f: [mmt, "--copy", "replace", f, NEEDLE.decode(), LONGER.decode()]),
        ("replace, length changes, 16 hits", lambda f: [mmt, "replace", f, NEEDLE.decode(), LONGER.decode()]),
    ]
    print("| command | 64 MiB input | 512 MiB input | grows with the file? |")
    print("|---|---:|---:|---|")
    for name, argv in cases:
        peaks = []
        for size in sizes:
            peaks.append(massif_peak([str(a) for a in argv(files[size])], workdir))
            if "replace" in name and "--copy" not in name:  # undo, whichever edit it was
                for changed in (SAME, LONGER):
                    subprocess.run([mmt, "-q", "replace", files[size], changed.decode(), NEEDLE.decode()])
        small, large = peaks
        grows = "no" if large is not None and small is not None and large <= small + 64 * 1024 else "YES"
        print(f"| `mmt {name}` | {small / 1024:.0f} KiB | {large / 1024:.0f} KiB | {grows} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--dir", default=str(ROOT / "target" / "bench"))
    parser.add_argument("--skip-heap", action="store_true")
    parser.add_argument("--only", default="1,2,3,4,5,6,7,8,9,10,11",
                        help="which groups to run, by number (default: all eleven)")
    args = parser.parse_args()

    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    mmt = str(ROOT / "target" / "release" / "mmt")
    MMT[0] = mmt
    workdir = Path(args.dir)
    # The benchmark's runs keep their journals and undo data beside its inputs.
    os.environ["MMT_STATE_DIR"] = str(workdir / "state")
    size = args.size_mib << 20
    big, rare, small = make_inputs(workdir, size)
    warm(big, rare)
    n, s, l = NEEDLE.decode(), SAME.decode(), LONGER.decode()
    only = {int(g) for g in args.only.split(",")}
    py = sys.executable

    print(f"## mmt benchmark: {args.size_mib} MiB inputs, median of {args.rounds} rounds")
    print(f"\nMachine: {platform.node()}, {os.cpu_count()} cores, {platform.platform()}, "
          f"Python {platform.python_version()}")
    versions = []
    for tool, flag in [("rg", "--version"), ("sd", "--version"), ("grep", "--version"), ("sed", "--version")]:
        if have(tool):
            first = subprocess.run([tool, flag], capture_output=True, text=True).stdout.splitlines()
            versions.append(first[0] if first else tool)
        else:
            versions.append(f"{tool}: not installed")
    print("Peers: " + "; ".join(versions))

    # 1. find --count of a rare literal
    if 1 in only:
        g = run_group("find --count of a rare literal", [
            Command("mmt find --count", [mmt, "find", rare, n, "--count"], needs=mmt),
            Command("rg --count-matches -F", ["rg", "--count-matches", "-F", n, rare]),
            Command("grep -c -F", ["grep", "-c", "-F", n, rare]),
            Command("python mmap find loop", [py, "-c", PY_FIND_COUNT, rare, n], needs=py),
        ], args.rounds)
        print_group(g, lambda m: [("mmt / rg, every core on one file (at most x0.6)", ratio(m, "mmt find --count", "rg --count-matches -F"), 0.6, True)])

    # 2. same-length replace of 16 rare hits
    if 2 in only:
        g = run_group("replace, same length, 16 rare hits", [
            Command("mmt replace", [mmt, "-q", "replace", rare, n, s], needs=mmt,
                    undo=[mmt, "-q", "replace", rare, s, n]),
            Command("mmt --no-journal replace", [mmt, "-q", "--no-journal", "replace", rare, n, s], needs=mmt,
                    undo=[mmt, "-q", "--no-journal", "replace", rare, s, n]),
            Command("rg --count-matches -F (scan only)", ["rg", "--count-matches", "-F", n, rare]),
            Command("sed -i", ["sed", "-i", f"s/{n}/{s}/g", rare], undo=["sed", "-i", f"s/{s}/{n}/g", rare]),
            Command("sd -F", ["sd", "-F", n, s, rare], undo=["sd", "-F", s, n, rare]),
            Command("python mmap loop", [py, "-c", PY_REPLACE_SAME_LENGTH, rare, n, s], needs=py,
                    undo=[py, "-c", PY_REPLACE_SAME_LENGTH, rare, s, n]),
        ], args.rounds)
        print_group(g, lambda m: [
            ("mmt / rg scan (at most x1.5)", ratio(m, "mmt replace", "rg --count-matches -F (scan only)"), 1.5, True),
            ("sed -i / mmt (at least x20)", ratio(m, "sed -i", "mmt replace"), 20, False),
            ("journal overhead: mmt / mmt --no-journal (at most x1.10)",
             ratio(m, "mmt replace", "mmt --no-journal replace"), 1.10, True),
        ])

    # 3. same-length replace of every consectetuer (millions of hits)
    if 3 in only:
        g = run_group("replace, same length, every 'consectetuer' (millions of hits)", [
            Command("mmt replace", [mmt, "-q", "replace", big, "consectetuer", "reutetcesnoc"], needs=mmt,
                    undo=[mmt, "-q", "--no-journal", "replace", big, "reutetcesnoc", "consectetuer"]),
            Command("mmt --no-journal replace", [mmt, "-q", "--no-journal", "replace", big, "consectetuer", "reutetcesnoc"], needs=mmt,
                    undo=[mmt, "-q", "--no-journal", "replace", big, "reutetcesnoc", "consectetuer"]),
            Command("python mmap loop", [py, "-c", PY_REPLACE_SAME_LENGTH, big, "consectetuer", "reutetcesnoc"], needs=py,
                    undo=[mmt, "-q", "replace", big, "reutetcesnoc", "consectetuer"]),
            Command("sed -i", ["sed", "-i", "s/consectetuer/reutetcesnoc/g", big],
                    undo=[mmt, "-q", "replace", big, "reutetcesnoc", "consectetuer"]),
            Command("sd -F", ["sd", "-F", "consectetuer", "reutetcesnoc", big],
                    undo=[mmt, "-q", "replace", big, "reutetcesnoc", "consectetuer"]),
            # The floor of a change on every page: each byte read and written back in place.
            Command("dd, every page read and written in place",
                    ["dd", f"if={big}", f"of={big}", "bs=16M", "conv=notrunc,fdatasync", "status=none"]),
        ], args.rounds)
        print_group(g, lambda m: [
            # Restated: the floor is dd's, not Python's loop (reported, no longer a goal).
            ("mmt / python mmap loop", ratio(m, "mmt replace", "python mmap loop"), None, True),
            ("mmt / dd's floor (at most x1.5)",
             ratio(m, "mmt replace", "dd, every page read and written in place"), 1.5, True),
            ("journal overhead: mmt / mmt --no-journal",
             ratio(m, "mmt replace", "mmt --no-journal replace"), None, True),
        ])
        # Undo of the same dense replace: the replace, then its undo, beside the replace, then
        # the replace back (two replaces). Run from the input's directory, as `mmt undo` undoes
        # the last run under the current directory.
        cd = f"cd {shlex.quote(str(workdir))} && "
        fwd = f"{mmt} -q replace {shlex.quote(str(big))} consectetuer reutetcesnoc"
        g = run_group("undo of the dense replace (replace, then undo)", [
            Command("mmt replace, then mmt undo", ["sh", "-c", f"{cd}{fwd} && {mmt} -q undo"], needs=mmt,
                    repeat_for=0),
            Command("mmt replace, then replace back",
                    ["sh", "-c", f"{cd}{fwd} && {mmt} -q replace {shlex.quote(str(big))} reutetcesnoc consectetuer"],
                    needs=mmt, repeat_for=0),
        ], args.rounds)
        print_group(g, lambda m: [
            ("undo / the replace itself: (replace + undo) / (replace + replace back) (at most x1.25,"
             " i.e. undo at most x1.5 of the replace)",
             ratio(m, "mmt replace, then mmt undo", "mmt replace, then replace back"), 1.25, True),
        ])

    # 4. length-changing replace of 16 hits
    if 4 in only:
        copy = workdir / "copy.txt"
        g = run_group("replace, length changes, 16 rare hits (atomic rewrite)", [
            Command("mmt replace", [mmt, "-q", "replace", rare, n, l], needs=mmt,
                    undo=[mmt, "-q", "replace", rare, l, n]),
            Command("cp", ["cp", rare, copy], undo=["rm", "-f", copy]),
            Command("cp, then sync the copy", ["sh", "-c", 'cp "$1" "$2" && sync "$2"', "sh", rare, copy],
                    undo=["rm", "-f", copy]),
            Command("cp to a temporary name, mv over the original",
                    ["sh", "-c", 'cp "$1" "$1.tmp" && mv "$1.tmp" "$1"', "sh", rare], undo=["true"]),
            Command("cp to a temporary name, sync it, mv over the original",
                    ["sh", "-c", 'cp "$1" "$1.tmp" && sync "$1.tmp" && mv "$1.tmp" "$1"', "sh", rare],
                    undo=["true"]),
            Command("sed -i", ["sed", "-i", f"s/{n}/{l}/g", rare], undo=[mmt, "-q", "replace", rare, l, n]),
            Command("sd -F", ["sd", "-F", n, l, rare], undo=[mmt, "-q", "replace", rare, l, n]),
        ], args.rounds)
        print_group(g, lambda m: [
            ("mmt / cp+sync+mv, the same durable atomic replace (at most x0.85)",
             ratio(m, "mmt replace", "cp to a temporary name, sync it, mv over the original"), 0.85, True),
            # Restated: sd syncs nothing; the durable floor is cp+sync+mv (reported).
            ("mmt / sd -F", ratio(m, "mmt replace", "sd -F"), None, True),
        ])

    # 5. the seed's regex
    if 5 in only:
        g = run_group("grep of the seed's regex (count)", [
            Command("mmt grep --count", [mmt, "grep", big, SEED_REGEX, "-i", "--dot-all", "--multi-line", "--count"], needs=mmt),
            Command("rg -U --count-matches", ["rg", "-U", "--no-unicode", "-i", "--multiline-dotall", "--count-matches", SEED_REGEX, big]),
            Command("python re over mmap", [py, "-c", PY_REGEX_COUNT, big, SEED_REGEX], needs=py),
        ], max(1, args.rounds // 2 + 1))
        print_group(g, lambda m: [("mmt / rg (at most x0.3)", ratio(m, "mmt grep --count", "rg -U --count-matches"), 0.3, True)])
        # A regex that matches no newline: cut at line ends, searched on every core.
        g = run_group("grep --count of a regex within lines (cut at line ends)", [
            Command("mmt grep --count", [mmt, "grep", big, LINE_REGEX, "--count"], needs=mmt),
            Command("mmt -j1 grep --count", [mmt, "-j1", "grep", big, LINE_REGEX, "--count"], needs=mmt),
            Command("rg --count-matches", ["rg", "--no-unicode", "--count-matches", LINE_REGEX, big]),
        ], args.rounds)
        print_group(g, lambda m: [
            ("mmt / rg", ratio(m, "mmt grep --count", "rg --count-matches"), None, True),
            ("every core / one thread", ratio(m, "mmt grep --count", "mmt -j1 grep --count"), None, True),
        ])

    # 6. a few bytes far into a large file
    if 6 in only:
        g = run_group("read/slice 16 bytes at offset 1e9 (vs a 1 KiB file)", [
            Command("mmt read, large file", [mmt, "read", big, "16", "--seek", str(min(10**9, size - 16))], needs=mmt),
            Command("mmt read, 1 KiB file", [mmt, "read", small, "16"], needs=mmt),
            Command("mmt slice, large file", [mmt, "slice", big, f"{min(10**9, size - 16)}+16"], needs=mmt),
            Command("mmt slice, 1 KiB file", [mmt, "slice", small, "0+16"], needs=mmt),
            Command("mmt find --count, 1 KiB file", [mmt, "find", small, "consectetuer", "--count"], needs=mmt),
            Command("mmt -j1 find --count, 1 KiB file", [mmt, "-j1", "find", small, "consectetuer", "--count"], needs=mmt),
        ], args.rounds * 4)
        print_group(g, lambda m: [
            ("read: large / small (at most x1.2)", ratio(m, "mmt read, large file", "mmt read, 1 KiB file"), 1.2, True),
            ("slice: large / small (at most x1.2)", ratio(m, "mmt slice, large file", "mmt slice, 1 KiB file"), 1.2, True),
            ("threads do not slow a 1 KiB file: default / -j1 (at most x1.1)",
             ratio(m, "mmt find --count, 1 KiB file", "mmt -j1 find --count, 1 KiB file"), 1.1, True),
        ])

    # 7. a tree of about 20,000 files
    if 7 in only:
        tree = make_tree(workdir)
        files, size_bytes = tree_stats(tree)
        warm_tree(tree)
        t, p, r = str(tree), PLANTED, RENAMED
        round_trip = lambda fwd, back: ["sh", "-c", f"{fwd} && {back}"]
        trip = dict(repeat_for=ROUND_TRIP_SECONDS, settle=True)
        # The files the walk searches, sorted, as a list: what --files-from is timed on.
        listed = workdir / "tree-files.txt"
        walked = subprocess.run(["rg", "--files", "--sort", "path", t], capture_output=True, check=True).stdout
        listed.write_bytes(walked)
        g = run_group(f"a tree: find --count of a literal in 100 of {files} files ({size_bytes >> 20} MiB)", [
            Command("mmt find --count", [mmt, "find", t, p, "--count"], needs=mmt),
            Command("rg -c -F", ["rg", "-c", "-F", p, t]),
            Command("mmt -j1 find --count", [mmt, "-j1", "find", t, p, "--count"], needs=mmt),
            Command("rg -j1 -c -F", ["rg", "-j1", "-c", "-F", p, t]),
            Command("mmt -j2 find --count", [mmt, "-j2", "find", t, p, "--count"], needs=mmt),
            Command("rg -j2 -c -F", ["rg", "-j2", "-c", "-F", p, t]),
            Command("mmt find --count --files-from (sorted list)",
                    [mmt, "find", "--files-from", str(listed), p, "--count"], needs=mmt),
        ], args.rounds)
        print_group(g, lambda m: [
            ("mmt / rg (at most x1.0)", ratio(m, "mmt find --count", "rg -c -F"), 1.0, True),
            ("mmt -j2 / mmt -j1 (at most x0.56)", ratio(m, "mmt -j2 find --count", "mmt -j1 find --count"), 0.56, True),
            ("rg -j2 / rg -j1, for comparison", ratio(m, "rg -j2 -c -F", "rg -j1 -c -F"), None, True),
            ("--files-from a sorted list / the walk (at most x1.0)",
             ratio(m, "mmt find --count --files-from (sorted list)", "mmt find --count"), 1.0, True),
        ])
        g = run_group("a tree: grep --count of a regex", [
            Command("mmt grep --count", [mmt, "grep", t, r"QZX\w+QZ", "--count"], needs=mmt),
            Command("rg -c", ["rg", "-c", r"QZX\w+QZ", t]),
            Command("mmt -j1 grep --count", [mmt, "-j1", "grep", t, r"QZX\w+QZ", "--count"], needs=mmt),
            Command("mmt -j2 grep --count", [mmt, "-j2", "grep", t, r"QZX\w+QZ", "--count"], needs=mmt),
        ], args.rounds)
        print_group(g, lambda m: [
            ("mmt / rg (at most x1.0)", ratio(m, "mmt grep --count", "rg -c"), 1.0, True),
            ("mmt -j2 / mmt -j1 (at most x0.56)", ratio(m, "mmt -j2 grep --count", "mmt -j1 grep --count"), 0.56, True),
        ])
        g = run_group("a tree: replace a literal in 100 files and back (round trip)", [
            Command("mmt replace", round_trip(f"{mmt} -q replace {t} {p} {r}", f"{mmt} -q replace {t} {r} {p}"),
                    needs=mmt, **trip),
            Command("fastmod --accept-all -F",
                    round_trip(f"fastmod --accept-all -F {p} {r} {t}", f"fastmod --accept-all -F {r} {p} {t}"),
                    needs="fastmod", **trip),
            Command("rg -l -0 | xargs -0 sd -F",
                    round_trip(f"rg -l -0 -F {p} {t} | xargs -0 sd -F {p} {r}",
                               f"rg -l -0 -F {r} {t} | xargs -0 sd -F {r} {p}"), needs="sd", **trip),
            Command("rg -l -0 | xargs -0 sed -i",
                    round_trip(f"rg -l -0 -F {p} {t} | xargs -0 sed -i s/{p}/{r}/g",
                               f"rg -l -0 -F {r} {t} | xargs -0 sed -i s/{r}/{p}/g"), needs="rg", **trip),
        ], args.rounds)
        print_group(g, lambda m: [
            ("mmt / fastmod (at most x0.9)", ratio(m, "mmt replace", "fastmod --accept-all -F"), 0.9, True),
            ("mmt / rg | sd (at most x0.9)", ratio(m, "mmt replace", "rg -l -0 | xargs -0 sd -F"), 0.9, True),
        ])
        # The wide rewrite: a word in hundreds of files (`with_capacity`, a word of Rust's std
        # that the vendored crates use everywhere), renamed and back.
        wide = sum(1 for _ in subprocess.run(["rg", "-l", "-w", WIDE, t], capture_output=True,
                                             check=True).stdout.splitlines())
        g = run_group(f"a tree: replace the word {WIDE} in {wide} files and back (round trip)", [
            Command("mmt replace -w",
                    round_trip(f"{mmt} -q replace {t} {WIDE} {WIDE_NEW} -w",
                               f"{mmt} -q replace {t} {WIDE_NEW} {WIDE} -w"), needs=mmt, **trip),
            Command("mmt --no-journal replace -w",
                    round_trip(f"{mmt} -q --no-journal replace {t} {WIDE} {WIDE_NEW} -w",
                               f"{mmt} -q --no-journal replace {t} {WIDE_NEW} {WIDE} -w"), needs=mmt, **trip),
            Command("fastmod --accept-all",
                    round_trip(f"fastmod --accept-all '\\b{WIDE}\\b' {WIDE_NEW} {t}",
                               f"fastmod --accept-all '\\b{WIDE_NEW}\\b' {WIDE} {t}"),
                    needs="fastmod", **trip),
        ], args.rounds)
        print_group(g, lambda m: [
            ("mmt / fastmod (at most x1.0)", ratio(m, "mmt replace -w", "fastmod --accept-all"), 1.0, True),
            ("--no-journal / the journal (at most x1.0)",
             ratio(m, "mmt --no-journal replace -w", "mmt replace -w"), 1.0, True),
        ])
        # Two runs at once on different files: neither waits for the other (no lock but the
        # files' own), beside the same two one after the other.
        halves = (f"{t}/copy0", f"{t}/copy1")
        one = lambda d: f"{mmt} -q replace {d} {WIDE} {WIDE_NEW} -w && {mmt} -q replace {d} {WIDE_NEW} {WIDE} -w"
        g = run_group("a tree: two round trips on different files, at once and one after the other", [
            Command("two runs at once", ["sh", "-c", f"({one(halves[0])}) & ({one(halves[1])}); wait"],
                    needs=mmt, **trip),
            Command("one after the other", ["sh", "-c", f"{one(halves[0])} && {one(halves[1])}"],
                    needs=mmt, **trip),
        ], args.rounds)
        print_group(g, lambda m: [
            ("at once / one after the other (at most x1.0)",
             ratio(m, "two runs at once", "one after the other"), 1.0, True),
        ])

    # 8. previews of a dense replace, and their memory
    if 8 in only:
        g = run_group("--copy previews of a dense replace (every 'consectetuer')", [
            Command("mmt replace, same length", [mmt, "-q", "replace", big, "consectetuer", "reutetcesnoc"], needs=mmt,
                    undo=[mmt, "-q", "--no-journal", "replace", big, "reutetcesnoc", "consectetuer"]),
            # The preview is printed (to /dev/null, not through the harness's pipe): under -q
            # mmt prints nothing, so it renders no preview either.
            Command("mmt --copy replace, same length (copy-on-write map)",
                    ["sh", "-c", 'exec "$0" --copy replace "$1" consectetuer reutetcesnoc >/dev/null 2>&1',
                     mmt, big], needs=mmt),
            Command("mmt --copy replace, length changes",
                    ["sh", "-c", 'exec "$0" --copy replace "$1" consectetuer consect >/dev/null 2>&1',
                     mmt, big], needs=mmt),
            Command("mmt --copy replace | head -3", ["sh", "-c", f'"$1" --copy replace "$2" consectetuer consect | head -3',
                                                    "sh", mmt, big], needs="sh"),
        ], max(1, args.rounds // 2 + 1))
        print_group(g, lambda m: [
            ("preview / the real replace, same length (at most x2)",
             ratio(m, "mmt --copy replace, same length (copy-on-write map)", "mmt replace, same length"), 2.0, True),
        ])

    # 9. line numbers and whole lines over one large file
    if 9 in only:
        rare_regex = r"QZX\w+QZ"
        g = run_group("grep -n over one large file: line numbers counted as the scan goes", [
            Command("mmt grep", [mmt, "grep", rare, rare_regex], needs=mmt),
            Command("mmt grep -n -o", [mmt, "grep", rare, rare_regex, "-n", "-o"], needs=mmt),
            Command("mmt grep -n", [mmt, "grep", rare, rare_regex, "-n"], needs=mmt),
            Command("rg -n", ["rg", "-n", "--no-unicode", rare_regex, rare]),
        ], args.rounds)
        print_group(g, lambda m: [
            ("grep -n -o / grep (at most x1.1)", ratio(m, "mmt grep -n -o", "mmt grep"), 1.1, True),
            ("grep -n / rg -n (at most x1.0)", ratio(m, "mmt grep -n", "rg -n"), 1.0, True),
        ])

    # 10. the backtracking engine
    if 10 in only:
        g = run_group("grep --count of a look-behind (the backtracking engine, PCRE2)", [
            Command("mmt grep --count", [mmt, "grep", big, LOOK_BEHIND, "--count"], needs=mmt),
            Command("mmt -j1 grep --count", [mmt, "-j1", "grep", big, LOOK_BEHIND, "--count"], needs=mmt),
            Command("rg -P --count-matches", ["rg", "-P", "--no-unicode", "--count-matches", LOOK_BEHIND, big]),
            Command("python re over mmap", [py, "-c", PY_REGEX_COUNT_PLAIN, big, LOOK_BEHIND], needs=py),
        ], max(1, args.rounds // 2 + 1))
        print_group(g, lambda m: [
            ("mmt / python re, every core (at most x0.25)", ratio(m, "mmt grep --count", "python re over mmap"), 0.25, True),
            ("mmt / rg -P", ratio(m, "mmt grep --count", "rg -P --count-matches"), None, True),
            ("every core / one thread", ratio(m, "mmt grep --count", "mmt -j1 grep --count"), None, True),
        ])

    # 11. undo with a history of runs kept
    if 11 in only:
        tree = workdir / "undo-tree"
        if tree.exists():
            shutil.rmtree(tree)
        tree.mkdir()
        for i in range(UNDO_FILES):
            (tree / f"f{i:03}.txt").write_bytes(f"alpha {i}\nbeta\n".encode())
        history = workdir / "undo-state"
        if history.exists():
            shutil.rmtree(history)
        env = dict(os.environ, MMT_STATE_DIR=str(history), MMT_UNDO_RUNS=str(UNDO_HISTORY + 10))
        for i in range(UNDO_HISTORY // 2):
            for old, new in (("alpha", "omega"), ("omega", "alpha")):
                subprocess.run([mmt, "-q", "replace", str(tree), old, new], env=env, check=True)
        prefix = f"MMT_STATE_DIR={history} MMT_UNDO_RUNS={UNDO_HISTORY + 10}"
        d = str(tree)
        g = run_group(f"undo of a {UNDO_FILES}-file run with {UNDO_HISTORY} runs kept", [
            Command("replace; undo", ["sh", "-c", f"{prefix} {mmt} -q replace {d} beta gamma && "
                                                  f"{prefix} {mmt} -q undo"], needs=mmt, settle=True),
            # Its two runs undone after each turn, untimed: the history stays as large.
            Command("replace; replace back",
                    ["sh", "-c", f"{prefix} {mmt} -q replace {d} beta gamma && "
                                 f"{prefix} {mmt} -q replace {d} gamma beta"],
                    undo=["sh", "-c", f"{prefix} {mmt} -q undo && {prefix} {mmt} -q undo"],
                    needs=mmt, settle=True),
        ], args.rounds)
        print_group(g, lambda m: [
            ("replace; undo / replace; replace back (at most x1.25)",
             ratio(m, "replace; undo", "replace; replace back"), 1.25, True),
        ])

    if MEMORY:
        worst_name, (worst_rss, worst_anon) = max(MEMORY.items(), key=lambda kv: kv[1][1])
        print("\n### Memory: peak RssAnon of every mmt command above\n")
        print(f"Largest: {worst_anon / 1024:.1f} MiB ({worst_name}).")
        ok = worst_anon <= 64 * 1024
        print(f"\nGoal: peak RssAnon of every command (at most 64 MiB): measured "
              f"{worst_anon / 1024:.1f} MiB -> {'met' if ok else 'NOT met'}")

    if not args.skip_heap:
        heap_table(mmt, workdir)


if __name__ == "__main__":
    main()
