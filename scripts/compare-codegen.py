#!/usr/bin/env python3
"""Compares the machine code of two builds of one module, function by function,
to show that a refactor (files moved, declarations renamed) left the code alone.

    scripts/compare-codegen.py A/release/CelerArray.build B/release/CelerArray.build \
        [OLD=NEW ...]        # mangled-name pieces renamed in B, e.g. 16numpyPairwiseSum=11pairwiseSum
    LOOSE=1 scripts/compare-codegen.py ...   # also ignore where code and data landed

Disassembles every .o (objdump -d -r); branch targets inside a function become
offsets from its start, relocations keep their symbol, clone and local-label
numbers and trailing padding are ignored. LOOSE=1 also ignores rip-relative
displacements, branches out of the function without a relocation and
.text+offset relocations: layout, which moves when declarations move between
files (a release build compiles one LLVM module per source file). What LOOSE
still reports comes from LLVM merging or outlining identical code differently
across those modules, or from build paths embedded in trap messages.
"""
import glob, hashlib, os, re, subprocess, sys
NUM = re.compile(r'(\.TA|\.llvm|\.cold)?\.\d+\b')
LOOSE = os.environ.get('LOOSE') == '1'
LOCAL = re.compile(r'\.L(CPI|JTI|BB|tmp)\d+(_\d+)?')
def functions(d, renames):
    funcs = {}
    for o in sorted(glob.glob(d + '/**/*.o', recursive=True)):
        out = subprocess.run(['objdump', '-d', '--no-show-raw-insn', '-r', o], capture_output=True, text=True).stdout
        for a_, b_ in renames: out = out.replace(a_, b_)
        cur = None
        for line in out.split('\n'):
            m = re.match(r'^([0-9a-f]+) <(.+)>:$', line)
            if m:
                cur = [NUM.sub(r'\1.N', m.group(2)), int(m.group(1), 16), []]
                funcs.setdefault(cur[0], []).append(cur); continue
            if cur is None or not line.strip() or line.startswith('Disassembly of section'): continue
            mi = re.match(r'^\s*([0-9a-f]+):\s*(.*)$', line)
            if mi and mi.group(2).startswith('R_'): cur[2].append((None, mi.group(2)))
            elif mi: cur[2].append((int(mi.group(1), 16), re.sub(r'\s*#.*$', '', mi.group(2))))
            else: cur[2].append((None, line.strip()))   # relocation line
    result = {}
    for name, copies in funcs.items():
        bodies = []
        for _, start, ins in copies:
            addrs = [a for a, _ in ins if a is not None]
            end = (max(addrs) + 1) if addrs else start
            norm = []
            for a, text in ins:
                if a is None:
                    r_ = LOCAL.sub(r'.L\1', NUM.sub(r'\1.N', re.sub(r'^[0-9a-f]+:\s*', '', text)))
                    if LOOSE: r_ = re.sub(r'\.text(\.[^+\s]*)?\+0x[0-9a-f]+', '.text+OFF', r_)
                    norm.append(r_); continue
                mb = re.match(r'^(j\w+|call)\s+([0-9a-f]+)\s*(<[^>]*>)?', text)
                if mb:
                    t = int(mb.group(2), 16)
                    sym = NUM.sub(r'\1.N', mb.group(3) or '?')
                    norm.append(f"{mb.group(1)} +{t - start:x}" if start <= t < end + 16 else f"{mb.group(1)} {sym if not LOOSE else 'EXT'}")
                else:
                    text = re.sub(r'\s*<[^>]*>', '', text)
                    if LOOSE: text = re.sub(r'-?0x[0-9a-f]+\(%rip\)', 'D(%rip)', text)
                    norm.append(text)
            while norm and re.match(r'^(data16 |cs )*(nop\w*|xchg\s+%ax,%ax|int3)\b', norm[-1]): norm.pop()
            bodies.append('\n'.join(norm))
        result[name] = hashlib.sha1('\n--\n'.join(sorted(set(bodies))).encode()).hexdigest()
    return result
renames = [tuple(x.split('=')) for x in sys.argv[3:]]
a, b = functions(sys.argv[1], []), functions(sys.argv[2], renames)
common = set(a) & set(b)
diff = sorted(k for k in common if a[k] != b[k])
print(f"functions: {len(a)} vs {len(b)}; identical: {len(common) - len(diff)}; differ: {len(diff)}; only in A: {len(set(a) - set(b))}; only in B: {len(set(b) - set(a))}")
for k in diff[:15]: print('  differs:', k[:140])
for k in sorted(set(a) - set(b))[:15]: print('  only A:', k[:140])
for k in sorted(set(b) - set(a))[:15]: print('  only B:', k[:140])
