#!/usr/bin/env python3
"""The docs cannot drift from the tool: every shell example whose output is shown is run.

Reads README.md and docs/*.md (docs/diagnostics.md has its own generator and check:
docs/tools/gen_diagnostics.py --check). A fenced block with lines starting with `$ ` is an
example: each `$ ` line (continued by lines ending in a backslash) is a command, and the lines
after it up to the next `$ ` line are the output it must print (stdout and stderr together).
A line `...` in the shown output stands for any number of lines, and `[...]` inside a line for any
text (a timing, a commit hash). Commands run in a scratch
directory that sees the repository's policies, examples, docs, tests and stdlib, with
`build/cli/policy` and `policy` meaning the binary under test and POLICY_TODAY=2025-09-01.

An example that cannot run here (a server, a database, a git history) is marked by the line
`<!-- doc-test: skip: REASON -->` just before its fence; a block that shows no output is not run,
and in a block that does, a command shown without output must print nothing. With POLICY_GOLDEN_UPDATE=1 the shown output of every failing example without `...` is
rewritten from what the command printed.

Usage: doc_examples.py POLICY_BINARY [FILE.md ...]
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
TODAY = '2025-09-01'
SKIP = re.compile(r'^<!-- doc-test: skip: .+ -->$')
FENCE = re.compile(r'^```(\w*)\s*$')


class Example:
    def __init__(self, path, line, command, expected, out_start, out_end, block_end):
        self.path, self.line, self.command, self.expected = path, line, command, expected
        # Where the shown output is in the file's lines: [out_start, out_end).
        self.out_start, self.out_end, self.block_end = out_start, out_end, block_end


def examples_in(path):
    lines = open(path, encoding='utf-8').read().split('\n')
    found, found_in_block, i = [], [], 0
    while i < len(lines):
        if not FENCE.match(lines[i]):
            i += 1
            continue
        start = i
        end = i + 1
        while end < len(lines) and not lines[end].startswith('```'):
            end += 1
        skipped = start > 0 and SKIP.match(lines[start - 1].strip())
        j = start + 1
        while j < end and not skipped:
            if not lines[j].startswith('$ '):
                j += 1
                continue
            first = j
            command = [lines[j][2:]]
            while command[-1].endswith('\\') and j + 1 < end:
                j += 1
                command.append(lines[j])
            j += 1
            out_start = j
            while j < end and not lines[j].startswith('$ '):
                j += 1
            expected = lines[out_start:j]
            found_in_block.append(Example(path, first + 1, '\n'.join(command), expected, out_start, j, end))
        # A block is run when it shows some output: then every command of it, in order (a
        # command shown without output must print nothing: `cp`, `sed` preparing the next one).
        if any(any(line.strip() for line in e.expected) for e in found_in_block):
            found.extend(found_in_block)
        found_in_block = []
        i = end + 1
    return found


def trimmed(lines):
    lines = [line.rstrip() for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def line_matches(expected, actual):
    """`[...]` inside a shown line stands for any text (a timing, a commit hash)."""
    if '[...]' not in expected:
        return expected == actual
    pattern = '.*'.join(re.escape(part) for part in expected.split('[...]'))
    return re.fullmatch(pattern, actual) is not None


def matches(expected, actual):
    """`...` alone on a line in expected matches any run of lines (also none)."""
    expected, actual = trimmed(expected), trimmed(actual)

    def go(e, a):
        if e == len(expected):
            return a == len(actual)
        if expected[e] == '...':
            return any(go(e + 1, k) for k in range(a, len(actual) + 1))
        return a < len(actual) and line_matches(expected[e], actual[a]) and go(e + 1, a + 1)

    return go(0, 0)


def scratch_dir(binary):
    work = tempfile.mkdtemp(prefix='policy-doctest-')
    for name in ('policies', 'examples', 'docs', 'tests', 'stdlib', 'bench', 'python'):
        if os.path.exists(os.path.join(ROOT, name)):
            os.symlink(os.path.join(ROOT, name), os.path.join(work, name))
    os.makedirs(os.path.join(work, 'build', 'cli'))
    os.makedirs(os.path.join(work, 'bin'))
    for link in (os.path.join(work, 'build', 'cli', 'policy'), os.path.join(work, 'bin', 'policy')):
        os.symlink(binary, link)
    return work


def run(example, work):
    env = dict(os.environ)
    env['POLICY_TODAY'] = TODAY
    env['PATH'] = os.path.join(work, 'bin') + os.pathsep + env.get('PATH', '')
    env.pop('NO_COLOR', None)
    try:
        done = subprocess.run(['bash', '-c', example.command], cwd=work, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=120)
        text = done.stdout.decode('utf-8', 'replace')
    except subprocess.TimeoutExpired:
        text = '(timed out after 120 s)\n'
    lines = text.split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    return lines


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    binary = os.path.abspath(sys.argv[1])
    files = sys.argv[2:] or (['README.md'] + [f for f in sorted(glob.glob('docs/*.md', root_dir=ROOT))
                                             if f != 'docs/diagnostics.md'])
    update = os.environ.get('POLICY_GOLDEN_UPDATE') == '1'
    work = scratch_dir(binary)
    failures, count = 0, 0
    try:
        for rel in files:
            path = os.path.join(ROOT, rel)
            rewrites = []
            for example in examples_in(path):
                count += 1
                actual = run(example, work)
                if matches(example.expected, actual):
                    continue
                if update and not any(line.strip() == '...' or '[...]' in line for line in example.expected):
                    rewrites.append((example, actual))
                    print(f'{rel}:{example.line}: output rewritten')
                    continue
                failures += 1
                print(f'{rel}:{example.line}: the shown output differs from what the command prints')
                print('  $ ' + example.command.replace('\n', '\n  '))
                print('  --- shown in the doc')
                print('\n'.join('  ' + line for line in example.expected))
                print('  +++ printed by the tool')
                print('\n'.join('  ' + line for line in actual))
            if rewrites:
                lines = open(path, encoding='utf-8').read().split('\n')
                for example, actual in sorted(rewrites, key=lambda r: -r[0].out_start):
                    lines[example.out_start:example.out_end] = actual
                open(path, 'w', encoding='utf-8').write('\n'.join(lines))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if count == 0:
        print('no shell examples found: the doc-test runner is reading the wrong files')
        return 1
    if failures:
        print(f'{failures} of {count} shell examples differ from the tool '
              '(POLICY_GOLDEN_UPDATE=1 rewrites those without "...")')
        return 1
    print(f'docs: all {count} shell examples print what the docs show')
    return 0


if __name__ == '__main__':
    sys.exit(main())
