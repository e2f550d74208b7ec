#!/usr/bin/env bash
# `policy review` on real git repositories built here: a copy of the bundled policies committed
# as the base, and one head per kind of change a reviewer meets:
#   (a) a change that only reformats: no decision changes, exit 0;
#   (b) the exchange-student exception deleted: the markdown names the decision, cites FAQ Q23,
#       and its witness case is confirmed by `policy eval` on both revisions;
#   (c) a lint warning added next to one already on the base: only the new one is new;
#   (d) a broken test: review says it newly fails, and `policy test --format junit` has exactly
#       that failure;
#   (e) the weekly hours limit raised from a date next year: reported from that date;
#   (f) a new exception no test makes apply: listed among the changed rules without a test;
#   (g) the change of (b) on a population of cases (--population): the counts of each change are
#       those of `policy eval` on each revision, case by case;
# and bad input (a revision that does not exist, a path absent on one side, a base that does
# not compile, a shallow clone without the base): each a clear message and exit 2.
# The markdown of (b) and the SARIF of (e) are golden files (tests/golden/review/); run with
# POLICY_GOLDEN_UPDATE=1 to rewrite them. Run by CTest as `review_cli`.
#   bash tests/review_cli.sh path/to/policy
set -euo pipefail
policy="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
root="$(cd "$(dirname "$0")/.." && pwd)"
golden="$root/tests/golden/review"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
export POLICY_TODAY=2025-09-01
# shellcheck source=scripts/lib/policy_repo.sh
source "$root/scripts/lib/policy_repo.sh"
git_sandbox "$work" review
repo="$work/repo"
policy_repo "$repo"
cd "$repo"
base="$(git rev-parse HEAD)"
employment=policies/hk/employment.policy

# Each head is a branch from the base with one commit.
head_commit() {  # NAME MESSAGE: commit the work tree on branch NAME, then return to main
  git checkout -q -b "$1"
  git add -A
  git commit -qm "$2"
  git checkout -q main
}

review() {  # EXPECTED_EXIT ARGS...: run policy review, check its exit code
  local expected="$1"
  shift
  set +e
  "$policy" review "$@" > "$work/out" 2> "$work/err"
  local code=$?
  set -e
  [[ "$code" == "$expected" ]] || { cat "$work/out" "$work/err"; fail "policy review $*: exit $code, expected $expected"; }
}

check_golden() {  # FILE GOLDEN
  if [[ "${POLICY_GOLDEN_UPDATE:-}" == 1 ]]; then
    cp "$1" "$2"
  fi
  diff -u "$2" "$1" || fail "$(basename "$2") differs from the golden file (POLICY_GOLDEN_UPDATE=1 rewrites it)"
}

# (a) Only reformatting: blank lines and a comment. Nothing to report.
git checkout -q -b reformat
sed -i 's|^decision part_time_on_campus_allowed|\n\n// (reformatted)\ndecision part_time_on_campus_allowed|' "$employment"
git commit -qam "reformat"
git checkout -q main
review 0 --base main --head reformat --format markdown policies
grep -q "Policy review: no decision decides differently" "$work/out" || fail "(a) verdict: $(head -3 "$work/out")"
grep -q "DecisionChanged\|#### \`" "$work/out" && fail "(a) lists a change"
echo "ok (a) a reformatting changes nothing"

# (b) The exchange-student exception deleted (FAQ Q23).
git checkout -q -b no-exchange-exception
python3 - "$employment" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
start = text.index('  /// "Non-local exchange students ... may take up study/curriculum-related internship but not\n  /// part-time on-campus employment')
end = text.index('    then false\n', start) + len('    then false\n')
open(path, 'w').write(text[:start].rstrip('\n') + '\n' + text[end:])
PY
git commit -qam "drop the exchange-student exception"
git checkout -q main
review 1 --base main --head no-exchange-exception --format markdown --fail-on change policies
md="$work/out"
grep -q "hk.employment.part_time_on_campus_allowed" "$md" || fail "(b) the decision is not named"
grep -q "ImmD FAQ Q23" "$md" || fail "(b) FAQ Q23 is not cited"
grep -q 'exception `exchange_students`' "$md" || fail "(b) the exception that decided before is not named"
grep -q "Non-local exchange students" "$md" || fail "(b) the sentence of Q23 is not quoted"
grep -q "tests newly fail\|test newly fails" "$md" || fail "(b) the tests it breaks are not reported"
check_golden "$md" "$golden/exchange_exception_deleted.md"
# The witness: the interpreter gives false on the base and true on the head.
review 1 --base main --head no-exchange-exception --format json policies
python3 - "$work/out" "$work" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
change = next(c for c in report["changes"] if c["decision"] == "hk.employment.part_time_on_campus_allowed")
assert change["status"] == "different", change
json.dump(change["witness"], open(sys.argv[2] + "/witness.json", "w"))
open(sys.argv[2] + "/witness_date", "w").write(change["as_of"])
assert any(r["source"] == "ImmD FAQ Q23" for r in change["rules_before"]), change["rules_before"]
PY
date="$(cat "$work/witness_date")"
mkdir -p "$work/base" "$work/head"
git archive main policies | tar -x -C "$work/base"
git archive no-exchange-exception policies | tar -x -C "$work/head"
before="$("$policy" eval -d hk.employment.part_time_on_campus_allowed --as-of "$date" -i "$work/witness.json" "$work/base/policies" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["value"])')"
after="$("$policy" eval -d hk.employment.part_time_on_campus_allowed --as-of "$date" -i "$work/witness.json" "$work/head/policies" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["value"])')"
[[ "$before" == False && "$after" == True ]] || fail "(b) the witness gives $before -> $after, expected False -> True"
echo "ok (b) the deleted exception: named, cited, witness confirmed ($before -> $after as of $date)"

# (g) The same change on a population: the example cases as JSON Lines (the exchange student
# three times). How many cases change, from what to what, must be what `policy eval` on each
# revision says case by case.
python3 - "$root/examples/cases" "$work/population.jsonl" <<'PY'
import json, os, sys
names = sorted(f for f in os.listdir(sys.argv[1]) if f.endswith(".json"))
names += ["hk_exchange_student.json"] * 2
with open(sys.argv[2], "w") as out:
    for name in names:
        out.write(json.dumps(json.load(open(os.path.join(sys.argv[1], name)))) + "\n")
PY
expected="$(while IFS= read -r line; do
  printf '%s' "$line" > "$work/one.json"
  b="$("$policy" eval -d hk.employment.part_time_on_campus_allowed --as-of 2025-09-01 -i "$work/one.json" "$work/base/policies" --format json | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["value"]))')"
  h="$("$policy" eval -d hk.employment.part_time_on_campus_allowed --as-of 2025-09-01 -i "$work/one.json" "$work/head/policies" --format json | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["value"]))')"
  [[ "$b" != "$h" ]] && echo "$b -> $h"
done < "$work/population.jsonl" | sort | uniq -c | awk '{print $2, $3, $4, $1}')"
review 1 --base main --head no-exchange-exception --as-of 2025-09-01 --population "$work/population.jsonl" \
  --format json policies
got="$(python3 - "$work/out" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))["population"]
assert p["cases"] == 10 and p["as_of"] == "2025-09-01", p
d = next(d for d in p["decisions"] if d["decision"] == "hk.employment.part_time_on_campus_allowed")
for c in sorted(d["changes"], key=lambda c: (json.dumps(c["old"]["value"]), json.dumps(c["new"]["value"]))):
    print(json.dumps(c["old"]["value"]), "->", json.dumps(c["new"]["value"]), c["cases"])
PY
)"
[[ -n "$expected" && "$got" == "$expected" ]] || fail "(g) population: review says [$got], policy eval case by case [$expected]"
review 1 --base main --head no-exchange-exception --as-of 2025-09-01 --population "$work/population.jsonl" \
  --format markdown policies
grep -q "#### On the population" "$work/out" || fail "(g) the markdown has no population section"
grep -q '| `hk.employment.part_time_on_campus_allowed` | 3 of 10 | `false` | `true` | 3 |' "$work/out" ||
  fail "(g) the markdown's population row: $(grep -A4 'On the population' "$work/out")"
review 2 --base main --head no-exchange-exception --population "$work/no-such-file.jsonl" policies
grep -q "cannot read the cases file" "$work/err" || fail "(g) a missing population file: $(cat "$work/err")"
echo "ok (g) the population: $(echo "$got" | tr '\n' ';') as policy eval says case by case"

# (c) A lint warning next to one already on the base: only the new one is new.
git checkout -q -b warned
cat > policies/hk/notes.policy <<'POLICY'
/// Helpers kept for a later change.
module hk.notes

/// Not used yet.
def first_helper(x: Int) -> Int = x + 1
POLICY
git add -A
git commit -qm "a helper nothing uses yet"
git checkout -q -b more-warned
cat >> policies/hk/notes.policy <<'POLICY'

/// Not used either.
def second_helper(x: Int) -> Int = x + 2
POLICY
git commit -qam "another helper nothing uses"
git checkout -q main
review 0 --base warned --head more-warned --format json policies
python3 - "$work/out" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
lint = [f for f in report["findings"] if f["tool"] == "lint"]
new = [f for f in lint if f["new"]]
old = [f for f in lint if not f["new"]]
assert len(new) == 1 and "second_helper" in new[0]["diagnostic"]["message"], lint
assert len(old) == 1 and "first_helper" in old[0]["diagnostic"]["message"], lint
assert report["summary"]["new_warnings"] == 1 and report["summary"]["existing_findings"] == 1, report["summary"]
PY
review 1 --base warned --head more-warned --fail-on warning policies
grep -q "1 new warning" "$work/out" || fail "(c) human verdict: $(head -2 "$work/out")"
echo "ok (c) of two warnings, only the added one is new"

# (d) A broken test: the review says so, and the JUnit report has exactly that failure.
git checkout -q -b broken-test
sed -i '0,/  expect part_time_max_hours_per_week(c) == 20/s//  expect part_time_max_hours_per_week(c) == 21/' "$employment"
git commit -qam "break a test"
review 1 --base main --head broken-test policies
grep -q "1 test newly fails" "$work/out" || fail "(d) verdict: $(head -2 "$work/out")"
set +e
"$policy" test --format junit -o "$work/junit.xml" policies 2> "$work/err"
code=$?
set -e
git checkout -q main
[[ "$code" == 1 ]] || fail "(d) policy test exit $code"
python3 - "$work/junit.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
failures = root.findall(".//testcase/failure")
assert len(failures) == 1, [f.get("message") for f in failures]
case = root.find(".//testcase[failure]")
assert case.get("name") == "a full-time local undergraduate may work part-time on campus, 20 hours a week", case.attrib
assert case.get("classname") == "hk.employment" and case.get("file") == "policies/hk/employment.policy", case.attrib
assert "21" in failures[0].text and "20" in failures[0].text, failures[0].text
assert int(root.get("failures")) == 1 and int(root.get("tests")) > 50, root.attrib
PY
echo "ok (d) the broken test: newly failing in the review, the one failure in JUnit"

# (e) The weekly limit raised to 24 hours from 2027-01-01 (after POLICY_TODAY): a change from then.
git checkout -q -b raise-2027
sed -i 's|^  value 20 effective from 2014-03-17$|  value 20 effective from 2014-03-17 until 2026-12-31\n  value 24 effective from 2027-01-01|' "$employment"
grep -q "value 24 effective from 2027-01-01" "$employment" || fail "(e) the edit did not apply"
git commit -qam "24 hours a week from 2027"
git checkout -q main
review 1 --base main --head raise-2027 --fail-on change --format json policies
python3 - "$work/out" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
changes = {c["decision"]: c for c in report["changes"]}
p = changes["hk.employment.part_time_hours_per_week"]
assert p["value_changes"][0]["from"] == "2027-01-01" and p["value_changes"][0]["new"] == "24", p
m = changes["hk.employment.part_time_max_hours_per_week"]
assert m["status"] == "different" and m["differs_from"] == "2027-01-01", m
assert m["as_of"] >= "2027-01-01", m
PY
review 1 --base main --head raise-2027 --fail-on change --format sarif policies
check_golden "$work/out" "$golden/weekly_limit_raised.sarif"
# Without --fail-on change a change of behaviour alone does not fail the review.
review 0 --base main --head raise-2027 policies
echo "ok (e) a change from next year is reported from 2027-01-01"

# (f) A new exception no test makes apply (the tests only see its condition fail): listed as a
# changed rule without a test; the rules of the same decision that did not change are not.
git checkout -q -b untested-exception
python3 - "$employment" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
anchor = "  exception exchange_students to relaxation_2014\n"
new = (
    "  exception longer_than_ten_years to relaxation_2014\n"
    "    source \"ImmD FAQ Q20\"\n"
    "    when c.programme.normal_duration_months > 120\n"
    "    then false\n\n"
)
assert anchor in text
open(path, "w").write(text.replace(anchor, new + anchor, 1))
PY
git commit -qam "a new exception without a test"
git checkout -q main
review 0 --base main --head untested-exception --format json policies
python3 - "$work/out" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
untested = report["untested_changed_rules"]
assert [(u["decision"], u["kind"], u["name"]) for u in untested] == [
    ("hk.employment.part_time_on_campus_allowed", "exception", "longer_than_ten_years")], untested
assert untested[0]["file"] == "policies/hk/employment.policy" and untested[0]["line"] > 0, untested
assert untested[0]["reached"] > 0, untested  # the tests evaluate its condition, never true
PY
review 0 --base main --head untested-exception --format markdown policies
grep -q "#### Changed rules no test makes apply" "$work/out" || fail "(f) the markdown section"
grep -q 'exception `longer_than_ten_years` of `hk.employment.part_time_on_campus_allowed`' "$work/out" || fail "(f) the markdown line"
echo "ok (f) a new exception no test makes apply is listed"

# The work tree against HEAD (the default): an edit not yet committed.
git checkout -q raise-2027
sed -i 's|^  value 24 effective from 2027-01-01$|  value 25 effective from 2027-01-01|' "$employment"
review 0 policies
grep -q "hk.employment.part_time_hours_per_week: 24 -> 25 from 2027-01-01" "$work/out" || fail "work tree: $(cat "$work/out")"
git checkout -q -- . && git checkout -q main
echo "ok the work tree against HEAD"

# Bad input: each a clear message and exit 2.
review 2 --base no-such-branch policies
grep -q "no commit \`no-such-branch\`" "$work/err" || fail "unknown revision: $(cat "$work/err")"
review 2 --base main --head warned policies/hk/notes.policy
grep -q "does not exist in revision" "$work/err" || fail "path absent on the base: $(cat "$work/err")"
git checkout -q -b broken-base
echo "this is not a policy" > policies/hk/broken.policy
git add -A && git commit -qm "a file that does not compile"
git checkout -q -b fixed-head
git rm -q policies/hk/broken.policy && git commit -qm "fixed"
git checkout -q main
review 2 --base broken-base --head fixed-head policies
grep -q "the base does not compile" "$work/out" || fail "broken base: the report does not say so"
grep -q "do not compile on the base" "$work/err" || fail "broken base: $(cat "$work/err")"
review 1 --base main --head broken-base policies
grep -q "the head does not compile" "$work/out" || fail "broken head: $(head -3 "$work/out")"
git clone -q --depth 1 --branch raise-2027 "file://$repo" "$work/shallow"
(cd "$work/shallow" && "$policy" review --base "$base" policies > "$work/out" 2> "$work/err") && fail "shallow: exit 0"
grep -q "shallow clone" "$work/err" || fail "shallow clone: $(cat "$work/err")"
(cd "$work" && "$policy" review policies > "$work/out" 2> "$work/err") && fail "outside a repository: exit 0"
grep -q "not inside a git repository\|does not exist" "$work/err" || fail "outside a repository: $(cat "$work/err")"
echo "ok bad input: unknown revision, absent path, broken base, broken head, shallow clone"
