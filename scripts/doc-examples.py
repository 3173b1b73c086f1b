#!/usr/bin/env python3
"""Run every shell example of README.md and docs/*.md, as doctests do.

The rule (docs/compare.md, "Running the documentation's examples"):

* Examples are the fenced blocks tagged ```sh, ```bash or ```console.
  In sh/bash blocks every line that is not blank or a comment is a command
  (a trailing backslash continues it). In console blocks the commands are
  the lines that start with "$ "; the other lines are output and are not
  compared (timings differ from run to run). Untagged blocks (output,
  synopses, formats) and other languages are not run.
* Markers, read from comments (`# doc-test: …` on a command's line or on a
  comment line before it, which then applies to the next command) or from
  an HTML comment `<!-- doc-test: … -->` just above a block (the whole
  block):
    exit N            the command must exit with status N (default 0)
    skip (REASON)     not run; REASON is printed (e.g. "needs the Python peers")
    writes F [F…]     files the command must leave (besides those it names
                      with an output option)
    file NAME         (above any block) the block's text is written to NAME
                      before the page's examples run
* Each page runs in a temporary folder of its own, its commands in order, so
  a later example finds what an earlier one wrote. `celer` is the built
  release binary (`swift run -c release celer` and `.build/release/celer`
  mean the same binary); CELER_DOCS_QUICK=1 shortens long runs (presets
  become `small`, one timed run); the machine-ceilings cache is a fresh
  temporary one. Install and build commands (apt-get, pip, swift build,
  swift test, swift package) are not run: CI runs them itself.
* Checked: the exit status, and every file the command writes: the values
  of --out, -o, --output, --report (report.md, results.json, speedups.svg
  inside it), --flamegraph, --callgrind, --speedscope, --collapsed,
  --mem-plot, --dat, a `> FILE` redirection, `celer render NAME` without
  --out (NAME.png), `celer mprof run` without -o (mprofile_*.dat), and the
  `writes` marker. A file must exist and not be empty; .png files must be
  PNGs, .svg files SVG, .json files JSON. A command expected to fail must
  not create or change any of its files.

Usage: scripts/doc-examples.py [--celer PATH] [--list] [--self-test] [FILE.md …]
Exit status: 0 every example passed (or was skipped), 1 one failed, 2 bad usage.
"""
import argparse
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FENCE = re.compile(r"^(\s*)```+\s*([A-Za-z0-9_+-]*)")
MARK = re.compile(r"doc-test:\s*(.*?)\s*(?:-->)?\s*$")
NOT_RUN = ("apt-get ", "sudo ", "pip ", "pip3 ", "python3 -m pip", "swift build", "swift test", "swift package")
OUTPUT_OPTIONS = ("--out", "-o", "--output", "--flamegraph", "--callgrind", "--speedscope",
                  "--collapsed", "--mem-plot", "--dat")
TIMEOUT = 300


class Example:
    def __init__(self, page, line, command, marks):
        self.page, self.line, self.command = page, line, command
        self.expect, self.skip, self.writes = 0, None, []
        for m in marks:
            self.apply(m)

    def apply(self, mark):
        word, _, rest = mark.partition(" ")
        if word == "exit":
            self.expect = int(rest.split()[0])
        elif word == "skip":
            self.skip = rest.strip().strip("()") or "marked skip"
        elif word == "writes":
            self.writes += shlex.split(rest)
        else:
            raise SystemExit(f"{self.page}:{self.line}: unknown doc-test marker '{mark}'")

    def where(self):
        return f"{os.path.relpath(self.page, ROOT)}:{self.line}"


def marker(text):
    """The doc-test marker in a line's comment, or None."""
    i = text.find("doc-test:")
    if i < 0 or "#" not in text[:i] and "<!--" not in text[:i]:
        return None
    return MARK.search(text[i:]).group(1)


def comment_free(line):
    """A shell line without its trailing comment (quotes respected enough for our docs)."""
    out, quote = [], None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            break
        out.append(ch)
    return "".join(out).rstrip()


def parse(page):
    """(examples, files) of one Markdown page."""
    lines = open(page, encoding="utf-8").read().split("\n")
    examples, files = [], []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        lang, start = m.group(2).lower(), i
        block_marks = []
        j = start - 1
        while j >= 0 and lines[j].strip().startswith("<!--"):
            mk = marker(lines[j])
            if mk:
                block_marks.insert(0, mk)
            j -= 1
        end = start + 1
        while end < len(lines) and not FENCE.match(lines[end]):
            end += 1
        body = lines[start + 1:end]
        i = end + 1
        file_marks = [mk for mk in block_marks if mk.startswith("file ")]
        for mk in file_marks:
            files.append((mk.split(None, 1)[1].strip(), "\n".join(body) + "\n"))
        block_marks = [mk for mk in block_marks if not mk.startswith("file ")]
        if lang not in ("sh", "bash", "console", "shell"):
            continue
        pending, k = [], 0
        while k < len(body):
            raw, number = body[k], start + 2 + k
            k += 1
            if lang == "console":
                if not raw.startswith("$ "):
                    continue
                raw = raw[2:]
            stripped = raw.strip()
            if not stripped:
                continue
            if stripped.startswith("#"):
                mk = marker(stripped)
                if mk:
                    pending.append(mk)
                continue
            command_lines = [raw]
            while command_lines[-1].rstrip().endswith("\\") and k < len(body):
                nxt = body[k]
                k += 1
                command_lines.append(nxt[2:] if lang == "console" and nxt.startswith("> ") else nxt)
            marks = list(block_marks) + pending
            pending = []
            for cl in command_lines:
                mk = marker(cl)
                if mk:
                    marks.append(mk)
            text = "\n".join(comment_free(cl) for cl in command_lines)
            examples.append(Example(page, number, text, marks))
    return examples, files


def normalise(command):
    """The command as run: `swift run -c release celer` is the built `celer`."""
    c = re.sub(r"\bswift run (-c release |--configuration release )?celer\b", "celer", command)
    return re.sub(r"(^|\s)\.build/release/celer\b", r"\1celer", c)


def written_files(command):
    """Files a command says it writes (see the module docstring)."""
    words = shlex.split(command.replace("\\\n", " "), comments=False)
    files = []
    for a, b in zip(words, words[1:] + [None]):
        for opt in OUTPUT_OPTIONS:
            if a == opt and b:
                files.append(b)
            elif a.startswith(opt + "=") and opt.startswith("--"):
                files.append(a.split("=", 1)[1])
        if a == "--report" and b:
            files += [os.path.join(b, n) for n in ("report.md", "results.json", "speedups.svg")]
        if a == ">" and b:
            files.append(b)
    if "celer" in words:
        rest = words[words.index("celer") + 1:]
        if rest[:1] == ["render"] and len(rest) > 1 and not any(w == "--out" or w.startswith("--out=") for w in rest):
            files.append(rest[1] + ".png")
        if rest[:2] == ["mprof", "run"] and not any(w in ("-o", "--output") for w in rest[:rest.index("--")]
                                                      if "--" in rest):
            files.append("mprofile_*.dat")
    return files


def check_file(path):
    """None if `path` is a complete file of its kind, else why not."""
    matches = glob.glob(path)
    if not matches:
        return "not written"
    for p in matches:
        if os.path.getsize(p) == 0:
            return "empty"
        data = open(p, "rb").read()
        if p.endswith(".png") and not data.startswith(b"\x89PNG\r\n\x1a\n"):
            return "not a PNG"
        if p.endswith(".svg") and b"<svg" not in data[:4096]:
            return "not an SVG"
        if p.endswith(".json"):
            try:
                json.loads(data)
            except ValueError as e:
                return f"not JSON ({e})"
    return None


def run_page(page, examples, files, env, only_list, quiet=False):
    results = []
    if only_list:
        for ex in examples:
            state = (f"skip ({ex.skip})" if ex.skip
                     else "skip (install or build step)" if normalise(ex.command).lstrip().startswith(NOT_RUN)
                     else f"exit {ex.expect}" if ex.expect else "run")
            print(f"{ex.where():28} {state:34} {ex.command.splitlines()[0]}")
        return results
    work = tempfile.mkdtemp(prefix="celer-doc-" + os.path.basename(page).replace(".md", "") + "-")
    for name, text in files:
        with open(os.path.join(work, name), "w", encoding="utf-8") as f:
            f.write(text)
    for ex in examples:
        command = normalise(ex.command)
        if ex.skip:
            results.append((ex, "SKIP", ex.skip, 0.0))
            continue
        if command.lstrip().startswith(NOT_RUN):
            results.append((ex, "SKIP", "install or build step (CI runs these itself)", 0.0))
            continue
        outputs = written_files(command) + ex.writes
        for f in outputs:
            # Relative folders an example writes into exist in a checkout (docs/img/…): make them.
            parent = os.path.dirname(f)
            if ex.expect == 0 and parent and not os.path.isabs(f) and ".." not in f.split("/"):
                os.makedirs(os.path.join(work, parent), exist_ok=True)
        def state(f):
            return sorted((p, os.stat(p).st_mtime_ns, os.stat(p).st_size) for p in glob.glob(os.path.join(work, f)))
        before = {f: state(f) for f in outputs}
        t0 = time.monotonic()
        try:
            p = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=work, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=TIMEOUT)
            status, output = p.returncode, p.stdout.decode("utf-8", "replace")
        except subprocess.TimeoutExpired as e:
            status, output = None, (e.stdout or b"").decode("utf-8", "replace")
        took = time.monotonic() - t0
        problems = []
        if status is None:
            problems.append(f"did not finish within {TIMEOUT} s")
        elif status != ex.expect:
            problems.append(f"exit status {status}, expected {ex.expect}")
        for f in outputs:
            why = check_file(os.path.join(work, f))
            if ex.expect == 0 and why:
                problems.append(f"{f}: {why}")
            elif ex.expect != 0 and state(f) != before[f]:
                problems.append(f"{f}: written by a command that failed")
        if problems:
            tail = "\n".join("      | " + l for l in output.rstrip().split("\n")[-15:])
            results.append((ex, "FAIL", "; ".join(problems) + "\n" + tail, took))
        else:
            results.append((ex, "ok", f"{len(outputs)} file(s) checked" if outputs else "", took))
        if quiet:
            continue
        print(f"{results[-1][1]:4} {took:6.1f} s  {ex.where():28} {command.splitlines()[0][:90]}", flush=True)
        if results[-1][1] == "FAIL":
            print(results[-1][2], flush=True)
    shutil.rmtree(work, ignore_errors=True)
    return results


SELF_TEST_PAGE = """# fixture
<!-- doc-test: file hello.txt -->
```text
hello
```

```sh
cat hello.txt > copy.txt
false                         # doc-test: exit 1
true                          # doc-test: exit 3
touch made.txt                # doc-test: writes missing.txt
# doc-test: skip (needs nothing)
false
```

```console
$ echo one > one.json
"not json"
$ test -s one.json \\
>   && true
```
"""
# (line, verdict) the checker must give for the fixture: it must catch a wrong
# status, a file not written and a malformed one, and honour the markers.
SELF_TEST_EXPECTED = [(8, "ok"), (9, "ok"), (10, "FAIL"), (11, "FAIL"), (13, "SKIP"), (17, "FAIL"), (19, "ok")]


def self_test(env):
    """Runs the fixture page; returns 0 if every verdict is the expected one."""
    with tempfile.TemporaryDirectory() as d:
        page = os.path.join(d, "fixture.md")
        with open(page, "w") as f:
            f.write(SELF_TEST_PAGE)
        examples, files = parse(page)
        results = run_page(page, examples, files, env, False, quiet=True)
    got = [(ex.line, verdict) for ex, verdict, _, _ in results]
    if got != SELF_TEST_EXPECTED:
        print(f"doc-examples: self-test FAILED: {got} != {SELF_TEST_EXPECTED}", file=sys.stderr)
        return 1
    print("doc-examples: self-test passed (the checker catches a wrong status, a missing and a malformed file)")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--celer", default=os.path.join(ROOT, ".build", "release", "celer"),
                    help="the celer binary (default: .build/release/celer)")
    ap.add_argument("--list", action="store_true", help="list the examples and their markers; run nothing")
    ap.add_argument("--self-test", action="store_true", help="check the checker on a fixture page, then run the pages")
    ap.add_argument("pages", nargs="*", help="Markdown files (default: README.md and docs/*.md)")
    args = ap.parse_args()
    pages = args.pages or [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    if not args.list and not os.access(args.celer, os.X_OK):
        print(f"doc-examples: no celer binary at {args.celer}; build it first (swift build -c release)", file=sys.stderr)
        return 2
    bindir = tempfile.mkdtemp(prefix="celer-doc-bin-")
    cache = tempfile.mkdtemp(prefix="celer-doc-cache-")
    if not args.list:
        os.symlink(os.path.abspath(args.celer), os.path.join(bindir, "celer"))
    env = dict(os.environ)
    env.update(PATH=bindir + os.pathsep + env.get("PATH", ""), CELER_DOCS_QUICK="1", XDG_CACHE_HOME=cache,
               CELER_PEERS_DIR=os.path.join(ROOT, "peers"), PYTHONDONTWRITEBYTECODE="1")
    if args.self_test and self_test(env) != 0:
        return 1
    start = time.monotonic()
    results = []
    for page in pages:
        examples, files = parse(page)
        results += run_page(page, examples, files, env, args.list)
    shutil.rmtree(bindir, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    if args.list:
        return 0
    fails = [r for r in results if r[1] == "FAIL"]
    skips = [r for r in results if r[1] == "SKIP"]
    for ex, _, why, _ in skips:
        print(f"skip        {ex.where():28} {why}: {ex.command.splitlines()[0][:70]}")
    print(f"doc-examples: {len(results)} examples in {time.monotonic() - start:.0f} s: "
          f"{len(results) - len(fails) - len(skips)} ok, {len(fails)} failed, {len(skips)} skipped")
    for ex, _, why, _ in fails:
        print(f"FAILED {ex.where()}: {ex.command.splitlines()[0]}: {why.splitlines()[0]}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
