#!/usr/bin/env python3
# Generates docs/diagnostics.md: runs every example against the built `policy`
# binary and pastes the real output (short format) under it. Fails if an example does not
# produce its code.
import os, re, shutil, subprocess, sys, tempfile, json

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
POLICY = os.environ.get('POLICY', os.path.join(ROOT, 'build', 'cli', 'policy'))
KINDS = os.path.join(ROOT, 'compiler', 'diag', 'kinds.def')

kinds = []
for line in open(KINDS):
    m = re.match(r'X\(([EW]\d{4}), (\w+), (\w+), "(.*)"\)', line)
    if m:
        kinds.append((m.group(1), m.group(2), m.group(4)))

# Shared input-error policy.
CASE_POLICY = '''module demo

enum Mode { full_time, part_time }

record Worker {
  name: Text
  born: Date
  mode: Mode
  hours: Int
  rate: Decimal
  skills: Set<Text>
  notice: Duration
  manager: Text?
  nickname?: Text
}

decision weekly_hours(w: Worker) -> Int
  default 0
  rule full when w.mode == full_time then 40
'''
GOOD = {"name": "Ann", "born": "1990-01-02", "mode": "full_time", "hours": 38, "rate": 12.5,
        "skills": ["first aid"], "notice": "P4W", "manager": None}


def jdump(d):
    return json.dumps(d, ensure_ascii=False)


E = {}  # code -> dict(meaning, files, cmd, fix, note)

E['E0100'] = dict(
    meaning='A path given on the command line does not exist or cannot be read: a policy file '
            'or directory, or the case file of `policy eval --input`.',
    cmd='policy check polices/',
    files={'policies/demo.policy': 'module demo\n'},
    fix='Check the path. Directories are searched recursively for files ending in `.policy`; '
        'the case file must be readable (or use `-i -` to read it from standard input).')

E['E0101'] = dict(
    short=True,
    meaning='A policy file contains bytes that are not UTF-8, typically because it was saved in '
            'a legacy encoding such as Latin-1 or GBK. The file is not parsed further.',
    prose_example='a file saved as Latin-1 whose text literal contains `café` (the byte `E9`):',
    files={'demo.policy': b'module demo\nconst cafe_name: Text = "caf\xe9"\n'},
    show_files=False,
    fix='Save the file as UTF-8 (without changing its text). The location points at the first '
        'invalid byte.')

E['E0102'] = dict(
    meaning='The text does not follow the grammar: a missing keyword, a stray token, an '
            'unclosed bracket. The message names what was found; the help lists what the parser '
            'expected at that point. A file with syntax errors is not checked further, so fix '
            'these first.',
    files={'demo.policy': '''module demo

decision fee(age: Int) -> Int
  default 10
  rule child when age < 12 5
'''},
    fix='Here `then` is missing: `rule child when age < 12 then 5`. Other common causes: a '
        '`default` or decision `source` after the first rule (they must come before the '
        'rules), a missing comma between record-literal fields, `=` instead of `:` in a record '
        'literal (`R { f: v }`) or `:` instead of `=` in `with` (`r with { f = v }`). A number, '
        '`%` and `-` written together (`20%-5`) are reported as ambiguous: write `20% - 5` for '
        'a percentage minus 5 or `20 % -5` for a remainder.')

E['E0103'] = dict(
    short=True,
    meaning='An expression is nested deeper than the limits. The limits keep the parser and the '
            'later passes from running out of stack. Two are checked: at most 256 levels within '
            'one clause, counting open brackets, the `<` of generic types, and the `not`, `-`, '
            '`if`, `match` and aggregate tokens since the start of the clause (every `-` counts, '
            'also in subtraction and negative numbers); and at most 1,000 levels of the parse '
            'tree, which a long chain of operators (`a and b and ... and z` with a thousand '
            'terms) reaches. See "Limits" in [language.md](language.md#12-limits).',
    prose_example='a constant written as `((((...1...))))` with 300 pairs of brackets:',
    files={'demo.policy': 'module demo\nconst deep: Int = ' + '(' * 300 + '1' + ')' * 300 + '\n'},
    show_files=False,
    fix='Split the expression into named constants or functions (`def`). For a long list of '
        'negative numbers or a long chain of subtractions, split it over several constants.')

E['E0104'] = dict(
    meaning='A text literal has no closing `"` on its line. Text literals cannot span lines.',
    files={'demo.policy': 'module demo\nconst greeting: Text = "hello\n'},
    fix='Add the closing quote. For a line break inside the text write `\\n`; to join long '
        'texts use `+`.')

E['E0105'] = dict(
    meaning='A character that cannot start any token: a symbol the language does not use '
            '(`#`, `@`, `$`, `&`, `;`, ...), a curly quote, or a combining mark in a name.',
    files={'demo.policy': 'module demo\nconst total: Int = 3 # 4\n'},
    fix='Remove the character, or put it inside a text literal. Comments start with `//`. '
        'Use straight double quotes `"` for text. Write accented letters in names precomposed.')

E['E0106'] = dict(
    meaning='A literal is malformed or out of range: a date that does not exist, an integer '
            'larger than 9223372036854775807, a decimal or percentage that cannot be held exactly '
            '(more than 18 decimal places, or 10^17 or more in magnitude; `0.5%` has 3), or an '
            'unknown escape in text.',
    files={'demo.policy': r'''module demo
const start: Date = 2023-02-29
const big: Int = 99999999999999999999
const label: Text = "a\qb"
const ratio: Decimal = 0.1234567890123456789
'''},
    fix='Write a real date (the help says how many days the month has), a smaller number, fewer '
        'decimal places, or one of the escapes `\\n`, `\\t`, `\\"`, `\\\\`.')

E['E0107'] = dict(
    short=True,
    meaning='A policy file is larger than 4 MiB (4,194,304 bytes). It is not parsed.',
    prose_example='a file of 4,194,320 bytes:',
    files={'demo.policy': 'module demo\n// ' + 'x' * (4 * 1024 * 1024) + '\n'},
    show_files=False,
    fix='Split the module into several modules that import each other. Generated data belongs '
        'in case files (JSON), not in policies.')

E['E0108'] = dict(
    short=True,
    meaning='Evaluating a declaration could nest more than 10,000 expressions deep, counting '
            'along its deepest chain of calls: each call adds the depth at which it is made to '
            'the depth of the function it calls. Recursion is already impossible (E0210); this '
            'limit also bounds the depth, so that no case can exhaust the evaluator\'s stack. It '
            'is checked when the policies are loaded, not when a case is evaluated.',
    prose_example='a chain of 6,000 functions, each calling the previous one:',
    files={'demo.policy': 'module demo\ndef f0(x: Int) -> Int = x\n' + ''.join(
        f'def f{i}(x: Int) -> Int = f{i - 1}(x) + 1\n' for i in range(1, 6000))},
    show_files=False,
    fix='Shorten the chain: compute intermediate results in decisions or functions that do not '
        'call each other in sequence, or combine steps into one expression.')

E['E0201'] = dict(
    meaning='A name is used that is not a local name, not declared in the module, not imported, '
            'and not a value of a visible enum. The help suggests a close match when there is one.',
    files={'demo.policy': '''module demo

const limit: Int = 20

def within_limit(hours: Int) -> Bool = hours <= limt
'''},
    fix='Correct the spelling, declare the name, or import it (`import some.module (Name)`, or '
        'use it qualified: `module.Name`). A call to an unknown function is reported the same '
        'way.')

E['E0202'] = dict(
    meaning='An `import` names a module that none of the loaded files declares. Only the files '
            'and directories given on the command line (and the built-in `std.*` modules) are '
            'loaded.',
    files={'demo.policy': 'module demo\n\nimport hk.cases\n'},
    fix='Correct the module name (the help suggests a close one), or pass the file or directory '
        'that declares it, e.g. `policy check policies/` instead of a single file.')

E['E0203'] = dict(
    meaning='A field is read, given in a record literal, or updated with `with`, but the record '
            'type has no field of that name.',
    files={'demo.policy': '''module demo

record Person {
  name: Text
  age: Int
}

def adult(p: Person) -> Bool = p.agee >= 18
'''},
    fix='Use one of the record\'s fields (the help suggests the closest; the label shows where '
        'the record is declared), or add the field to the record.')

E['E0204'] = dict(
    meaning='Two declarations have the same name in one scope: two top-level declarations of a '
            'module (of any kind: a constant and a function clash too), two values of an enum, '
            'two parameters, or two rules of a decision.',
    files={'demo.policy': '''module demo

const limit: Int = 20
const limit: Int = 30
'''},
    fix='Rename or remove one of them. Names are case-sensitive, and rule names only need to be '
        'unique within their decision.')

E['E0205'] = dict(
    meaning='Modules import each other in a cycle. The note lists the cycle.',
    files={'a.policy': 'module demo.a\n\nimport demo.b\n', 'b.policy': 'module demo.b\n\nimport demo.a\n'},
    fix='Move the declarations that both modules need into a third module that both import, '
        'so imports only go one way.')

E['E0206'] = dict(
    meaning='Two loaded files declare the same module. Each module lives in exactly one file.',
    files={'a.policy': 'module demo\n', 'b.policy': 'module demo\n'},
    fix='Rename one of the modules, or merge the files. This also happens when a copy of a file '
        'lies in a directory given on the command line.')

E['E0207'] = dict(
    meaning='A type name is not a built-in type (`Bool`, `Int`, `Decimal`, `Text`, `Date`, '
            '`Duration`, `List<T>`, `Set<T>`), and no enum, record or type alias of that name '
            'is declared or imported. Also reported when the name belongs to something that is '
            'not a type, or for a generic other than `List` and `Set`.',
    files={'demo.policy': 'module demo\n\ndef weekly(hours: Integer) -> Int = hours * 5\n'},
    fix='Use a declared type (`Int` here), or import the type by name: '
        '`import some.module (TypeName)`, or qualified: `module.TypeName`.')

E['E0208'] = dict(
    meaning='An import list `import a.b (Name)`, or a qualified name `b.Name`, names a '
            'declaration that the module does not have.',
    files={'case.policy': 'module demo.case\n\nrecord Case {\n  age: Int\n}\n',
           'rules.policy': 'module demo.rules\n\nimport demo.case (Cases)\n'},
    fix='Correct the name (the help suggests the closest declaration of that module).')

E['E0209'] = dict(
    meaning='A bare enum value name belongs to more than one visible enum, and the context does '
            'not say which enum is meant.',
    files={'demo.policy': '''module demo

enum Mode { full_time, part_time }
enum Contract { full_time, casual }

const usual = full_time
'''},
    fix='Write the value qualified (`Mode.full_time`), or give the context a type: '
        '`const usual: Mode = full_time`. In comparisons, put the operand whose type is known '
        'on the left: `m == full_time`, not `full_time == m`.')

E['E0210'] = dict(
    meaning='A function, constant or decision depends on itself, directly or through others; or '
            'a type alias is defined in terms of itself. Recursion is not allowed so that every '
            'evaluation terminates. The note lists the cycle.',
    files={'demo.policy': '''module demo

def countdown(n: Int) -> Int = if n <= 0 then 0 else countdown(n - 1)
'''},
    fix='Compute the value directly, usually with an aggregate (`sum`, `count`, `all`, ...) '
        'over a list, or with arithmetic.')

E['E0211'] = dict(
    meaning='A qualified enum value `Enum.value`, or a `match` pattern, names a value that the '
            'enum does not have.',
    files={'demo.policy': '''module demo

enum Mode { full_time, part_time }

const usual: Mode = Mode.fulltime
'''},
    fix='Use one of the enum\'s values (the help suggests the closest), or add the value to the '
        'enum.')

E['E0301'] = dict(
    meaning='An expression has a different type from the one required: by a declared type, a '
            'parameter, a field, a decision\'s result type, a condition (`Bool`), the other '
            'branches of an `if` or `match`, or the other elements of a collection. Also '
            'reported for `is none`/`is some` or `??` on a value that is never `none`, for '
            '`in` with an element of the wrong type, and for `none`/`some(x)` patterns on a '
            'value that is not optional. The note says what required the type.',
    files={'demo.policy': 'module demo\n\nconst limit: Int = "20"\n'},
    fix='Make the expression produce the required type, or change the declared type. `Int` '
        'converts to `Decimal` by itself; nothing else converts implicitly. For an optional '
        'value, handle `none` first (`??`, `match`, or `is some`); for a number that should be '
        'a duration, add a unit (`7 days`).')

E['E0302'] = dict(
    meaning='A call is wrong: the callee is not a function, decision or builtin; the number of '
            'arguments differs from the parameters; a builtin does not accept the argument '
            'types; or a function, decision or builtin is named without being called.',
    files={'demo.policy': '''module demo

def shift_hours(days: Int) -> Int = days * 8

const a: Int = shift_hours(1, 2)
const b: Int = year(2024)
'''},
    fix='Pass one argument per parameter, of the declared types. For builtins the help shows '
        'the signature (see "Builtins" in [language.md](language.md#8-builtins)).')

E['E0303'] = dict(
    meaning='An operator is applied to operands it does not accept: arithmetic on non-numbers, '
            '`Date + Int`, `Duration + Duration`, ordering (`<`) on enums, booleans, records or '
            'optionals, `in` with something that is not a list or set, field access on a value '
            'that is not a record, `with` on a non-record, `match` on a value that is neither an '
            'enum nor optional, `sum` over non-numbers, a duration whose count is not an `Int`.',
    files={'demo.policy': 'module demo\n\nconst deadline: Date = 2024-03-01 + 14\n'},
    fix='Follow the help. Here the number needs a unit: `2024-03-01 + 14 days`. The operator '
        'table is in [language.md](language.md#arithmetic); use `days_between(a, b)` for the '
        'days between two dates.')

E['E0304'] = dict(
    meaning='A `match` does not cover every case: some enum value, or `none` for an optional, '
            'has no arm.',
    files={'demo.policy': '''module demo

enum Mode { full_time, part_time, distance }

def weekly(m: Mode) -> Int = match m { full_time => 40, part_time => 20 }
'''},
    fix='Add an arm for each missing case (listed in the message), or end with `_ => ...` for '
        'all the rest.')

E['E0305'] = dict(
    meaning='A field of an optional record is read (or updated with `with`) without handling '
            'the case where the record is `none`.',
    files={'demo.policy': '''module demo

record Job {
  hours: Int
}

record Person {
  job: Job?
}

def hours(p: Person) -> Int = p.job.hours
'''},
    fix='Test it first, which narrows the type: `if p.job is some then p.job.hours else 0`, or '
        '`p.job is some and p.job.hours > 30`; or use `match p.job { none => 0, some(j) => '
        'j.hours }`. With `with`, replace the whole optional field instead of a field inside it.')

E['E0306'] = dict(
    meaning='The type of an expression cannot be worked out: an empty `[]`/`{}` or `none` '
            'with nothing around it that says what it holds, or a `map` whose body is one.',
    files={'demo.policy': 'module demo\n\nconst nothing = []\n'},
    fix='Give the declaration a type: `const nothing: List<Int> = []`.')

E['E0307'] = dict(
    meaning='A record literal leaves out a field whose type is not optional.',
    files={'demo.policy': '''module demo

record Person {
  name: Text
  age: Int
  nickname: Text?
}

const ann: Person = Person { name: "Ann" }
'''},
    fix='Give every field listed in the message. Fields of an optional type (`T?` or '
        '`name?: T`) may be left out and are then `none`.')

E['E0308'] = dict(
    meaning='The same field is given twice in a record literal or updated twice in one `with`, '
            'or a record declares a field twice.',
    files={'demo.policy': '''module demo

record Person {
  name: Text
  age: Int
}

const ann: Person = Person { name: "Ann", age: 30, age: 31 }
'''},
    fix='Remove one of them.')

E['E0309'] = dict(
    meaning='A `match` pattern can never be chosen, because earlier arms already cover it '
            '(including a `_` arm).',
    files={'demo.policy': '''module demo

enum Mode { full_time, part_time }

def weekly(m: Mode) -> Int = match m { full_time => 40, _ => 20, part_time => 10 }
'''},
    fix='Remove the pattern, or move it before the arm that covers it. `_` must come last.')

E['E0310'] = dict(
    meaning='A duration in days or weeks is ordered (`<`, `<=`, `>`, `>=`, `min`, `max`) against '
            'one in months or years, and the checker can see both units. Whether 4 weeks are '
            'shorter than a month depends on the month, so the comparison has no single answer. '
            'The same comparison on durations read from a case is E0913.',
    files={'demo.policy': '''module demo

record Stay {
  entered: Date
}

decision short_course(s: Stay) -> Bool
  default false
  rule r when 4 weeks < 1 month then true
'''},
    fix='Compare the dates the durations lead to, for the date that matters: '
        '`s.entered + 4 weeks < s.entered + 1 month`. Or write both in the same kind of unit.')

E['E0401'] = dict(
    meaning='An `exception ... to NAME` names a rule that the decision does not have. An '
            'exception can only override rules of its own decision.',
    files={'demo.policy': '''module demo

decision fee(age: Int) -> Int
  default 10
  rule child when age < 12 then 5
  exception infant to chld when age < 2 then 0
'''},
    fix='Correct the rule name (the help suggests the closest one).')

E['E0402'] = dict(
    meaning='Exceptions override each other in a cycle (`a` overrides `b`, which overrides `a`), '
            'or an exception names itself. Then no rule would be more specific than the other.',
    files={'demo.policy': '''module demo

decision fee(age: Int) -> Int
  default 10
  exception a to b when age < 12 then 5
  exception b to a when age < 6 then 0
'''},
    fix='Decide which rule is the more specific one and keep only that direction. Here `b` '
        '(under 6) is more specific: remove `to b` from `a` and make it a `rule`.')

E['E0403'] = dict(
    meaning='A decision has no rules and no `default`, so it could never produce a value.',
    files={'demo.policy': 'module demo\n\ndecision fee(age: Int) -> Int\n'},
    fix='Add `default <value>` or at least one `rule NAME ... then <value>`.')

E['E0404'] = dict(
    meaning='A rule\'s `effective from D1 until D2` ends before it starts, so the rule could '
            'never be in effect. Both dates are inclusive, so `from` and `until` may be the same '
            'day.',
    files={'demo.policy': '''module demo

decision fee(age: Int) -> Int
  default 10
  rule promo effective from 2024-12-31 until 2024-01-01 then 5
'''},
    fix='Swap the dates, or remove `until`.')

E['E0405'] = dict(
    meaning='`policy eval` was asked to evaluate a decision that cannot read its input from a '
            'JSON case: it must take exactly one parameter, of a record type.',
    files={'demo.policy': '''module demo

decision fee(age: Int, student: Bool) -> Int
  default 10
  rule child when age < 12 then 5
'''},
    json={'case.json': {"age": 8, "student": False}},
    cmd='policy eval demo.policy -d demo.fee -i case.json',
    fix='Declare a record for the case and take it as the only parameter: '
        '`record Rider { age: Int, student: Bool }` and `decision fee(r: Rider) -> Int`. '
        'Decisions with other parameters can still be called from other decisions and tests.')

E['E0406'] = dict(
    meaning='A constant uses `as_of`, the evaluation date. Constants are computed once, when the '
            'policies are loaded, before any evaluation date is known.',
    files={'demo.policy': '''module demo

const today: Date = as_of
'''},
    cmd='policy check demo.policy',
    fix='Use a function (`def today() -> Date = as_of`) or compute the value inside the decision '
        'that needs it.')

E['E0407'] = dict(
    meaning='Two values of a `parameter` are in effect on the same day, so reading the parameter '
            'would depend on the order of the lines. Periods include both their dates and open '
            'ends reach to the start or end of time.',
    files={'demo.policy': '''module demo

parameter weekly_limit: Int
  value 20 effective from 2014-03-17
  value 24 effective from 2030-01-01
'''},
    fix='End each value the day before the next starts: '
        '`value 20 effective from 2014-03-17 until 2029-12-31`.')

E['E0408'] = dict(
    meaning='A `parameter` has no value on some dates between two of its values: the earlier one '
            'ends more than a day before the later one starts. Reading the parameter on those dates '
            'would fail for every case (E0915), so it is an error, reported with the two lines to '
            'fix. Before the first value and after a last value that ends with `until` are not gaps: '
            'they say when the parameter starts and stops, and `policy lint` reports a rule that '
            'still reads it then (W0107). Periods include both their dates.',
    files={'demo.policy': '''module demo

parameter weekly_limit: Int
  value 20 effective from 2014-03-17 until 2026-12-30
  value 24 effective from 2027-01-01
'''},
    fix='End the earlier value the day before the later one starts (`until 2026-12-31`), or start '
        'the later one the day after the earlier one ends. If the law really lapses for a while, '
        'say so on what reads the parameter: date the rules or decisions that read it, so that they '
        'are not in effect then.')

E['E0501'] = dict(
    meaning='An `expect` in a test was false. When the expectation is `a == b`, the notes show '
            'both values.',
    files={'demo.policy': '''module demo

def weekly_hours(days: Int) -> Int = days * 8

test "a full week" {
  expect weekly_hours(5) == 45
}
'''},
    cmd='policy test demo.policy',
    human=True,
    fix='Either the policy or the test is wrong: compare the left and right sides. A test '
        'stops at its first failing `expect`.')

E['E0901'] = dict(
    meaning='The case file given to `policy eval` is not valid JSON. The message gives the line '
            'and column and what the JSON parser expected.\n\nThe examples of this and the '
            'following input errors use this policy, `demo.policy`; a correct case for it is '
            '`' + jdump(GOOD) + '`.',
    files={'demo.policy': CASE_POLICY},
    json={'case.json': '{"name": "Ann",}'},
    cmd='policy eval demo.policy -d demo.weekly_hours -i case.json',
    fix='Correct the JSON: no trailing commas, keys and strings in double quotes, no comments.')

E['E0902'] = dict(
    shared=True,
    meaning='The case lacks a key that its record type requires. Every field must be present '
            'in JSON, including fields of type `T?` (which may be `null`); only fields declared '
            '`name?: T` may be left out.',
    files={'demo.policy': CASE_POLICY},
    json={'case.json': {k: v for k, v in GOOD.items() if k != 'manager'}},
    cmd='policy eval demo.policy -d demo.weekly_hours -i case.json',
    fix='Add the key (here `"manager": null`), or, if the key may really be missing from cases, '
        'declare the field `manager?: Text` in the record.')

E['E0903'] = dict(
    shared=True,
    meaning='A case value has the wrong JSON type for its field: a string where a number is '
            'declared, a number with a fraction for an `Int`, an object for a list, a malformed '
            'duration, and so on. Also reported for an array that repeats an element where a '
            '`Set` is declared.',
    files={'demo.policy': CASE_POLICY},
    json={'case.json': dict(GOOD, hours="38", skills=["first aid", "first aid"])},
    cmd='policy eval demo.policy -d demo.weekly_hours -i case.json',
    fix='Write the value as the type requires (see the table "Case records in JSON" in '
        '[language.md](language.md#case-records-in-json)): integers without quotes or '
        'fractions, dates as `"YYYY-MM-DD"`, durations as `"P4W"`, sets without repeats.')

E['E0904'] = dict(
    shared=True,
    meaning='A case value for an enum field is not one of the enum\'s JSON spellings. The note '
            'lists them.',
    files={'demo.policy': CASE_POLICY},
    json={'case.json': dict(GOOD, mode="fulltime")},
    cmd='policy eval demo.policy -d demo.weekly_hours -i case.json',
    fix='Use one of the listed spellings. A value declared `name as "text"` is spelled `"text"` '
        'in JSON, not `"name"`.')

E['E0905'] = dict(
    shared=True,
    meaning='A case date is a string, but not a real date in the form `YYYY-MM-DD` between '
            '0001-01-01 and 9999-12-31.',
    files={'demo.policy': CASE_POLICY},
    json={'case.json': dict(GOOD, born="1990-02-30")},
    cmd='policy eval demo.policy -d demo.weekly_hours -i case.json',
    fix='Write an existing date with a four-digit year and two-digit month and day: '
        '`"1990-02-28"`.')

E['E0906'] = dict(
    shared=True,
    meaning='`policy eval --decision` names a decision that no loaded policy declares. '
            'Decisions are named with their module.',
    files={'demo.policy': CASE_POLICY},
    json={'case.json': GOOD},
    cmd='policy eval demo.policy -d weekly_hours -i case.json',
    fix='Use the qualified name the help suggests (`demo.weekly_hours`); '
        '`policy check --list PATHS` lists all decisions.')

E['E0907'] = dict(
    shared=True,
    meaning='The case file is larger than 16 MiB, or nests arrays and objects more than 64 '
            'levels deep.',
    prose_example='a case file whose arrays nest 70 levels deep (`[[[[...]]]]`):',
    files={'demo.policy': CASE_POLICY},
    json={'case.json': '[' * 70 + ']' * 70},
    show_json=False,
    cmd='policy eval demo.policy -d demo.weekly_hours -i case.json',
    fix='Cases are records of facts about one case; if yours is this large or deep, it '
        'probably holds data that does not belong in one case.')

E['E0908'] = dict(
    shared=True,
    meaning='A case object has a key that its record type does not declare. Unknown keys are '
            'rejected rather than ignored, so that a misspelt key is not silently lost.',
    files={'demo.policy': CASE_POLICY},
    json={'case.json': dict(GOOD, nick_name="Annie")},
    cmd='policy eval demo.policy -d demo.weekly_hours -i case.json',
    fix='Remove the key, correct its spelling (the help suggests a close field; here the field '
        'is `nickname`), or add the field to the record.')

E['E0909'] = dict(
    shared=True,
    meaning='A case number cannot be held by its type: an integer beyond the 64-bit range, or a '
            'number for a `Decimal` with more than 18 decimal places or beyond its range. Numbers '
            'are read from their digits, never rounded through a floating-point value.',
    files={'demo.policy': CASE_POLICY},
    json={'case.json': '{"name": "Ann", "born": "1990-01-02", "mode": "full_time", '
                       '"hours": 9223372036854775808, "rate": 1e30, "skills": [], '
                       '"notice": "P4W", "manager": null}'},
    cmd='policy eval demo.policy -d demo.weekly_hours -i case.json',
    fix='Check the value; it is most likely a data error. Round a finer decimal to 18 places '
        'before it is written into the case.')

LEAVE = '''module demo.leave

record Employee {
  years: Int
  manager: Bool
}

decision annual_leave_days(e: Employee) -> Int
  rule standard when e.years < 5 then 14
  rule long_service when e.years >= 5 then 18
  rule managers when e.manager then 20
'''

E['E0910'] = dict(
    meaning='For this case, two rules of a decision apply, neither is overridden by an exception, '
            'and they give different results. The labels show both rules and, when the decision '
            'was used by another, where it was needed. Conflicts depend on the case, so '
            '`policy check` cannot find them; write tests for the combinations.',
    files={'leave.policy': LEAVE},
    json={'case.json': {"years": 6, "manager": True}},
    cmd='policy eval leave.policy -d demo.leave.annual_leave_days -i case.json',
    human=True,
    fix='Say which rule wins with an exception: `exception managers to standard, long_service` '
        '(an `exception` replaces the `rule managers` line). Or make the conditions exclusive, '
        'for example by adding `and not e.manager` to the other two rules.')

E['E0911'] = dict(
    meaning='A decision was needed by another decision, a function or a test, but none of its '
            'rules applied and it has no default. (When the decision asked for by `policy eval` '
            'itself is not applicable, that is a normal answer, not an error.)',
    files={'demo.policy': '''module demo

record Employee {
  years: Int
  manager: Bool
}

decision parking_spaces(e: Employee) -> Int
  rule managers when e.manager then 1

decision monthly_parking_fee(e: Employee) -> Int
  default 0
  rule paying when parking_spaces(e) > 0 then 50
'''},
    json={'case.json': {"years": 2, "manager": False}},
    cmd='policy eval demo.policy -d demo.monthly_parking_fee -i case.json',
    fix='Give the needed decision a `default` (here `default 0`), or only use it when it '
        'applies (`when e.manager and parking_spaces(e) > 0`).')

E['E0912'] = dict(
    meaning='Arithmetic failed during evaluation: division or remainder by zero, an `Int`, '
            '`Decimal` or `Duration` result too large for its type, or a date before year 1 or '
            'after 9999. Errors in constants are reported when the policies are loaded.',
    files={'demo.policy': '''module demo

record Pay {
  total: Int
  hours: Int
}

decision hourly_rate(p: Pay) -> Int
  rule r then p.total / p.hours
'''},
    json={'case.json': {"total": 400, "hours": 0}},
    cmd='policy eval demo.policy -d demo.hourly_rate -i case.json',
    fix='Guard the operation (`when p.hours > 0`), or check the case data.')

E['E0913'] = dict(
    meaning='A day-based duration (days, weeks) was compared with a month-based one (months, '
            'years) with `<`, `<=`, `>`, `>=`, `min` or `max`. There is no single answer: four '
            'weeks are shorter than some months and longer than others. (`==` between them is '
            'simply `false`.)',
    shared_extra=True,
    files={'demo.policy': CASE_POLICY + '''
decision short_notice(w: Worker) -> Bool
  default false
  rule short when w.notice < 1 month then true
'''},
    json={'case.json': GOOD},
    cmd='policy eval demo.policy -d demo.short_notice -i case.json',
    fix='Compare dates instead: `as_of + w.notice < as_of + 1 month` gives the answer for a '
        'given date. Or express both durations in the same kind of unit.')

E['E0914'] = dict(
    shared=True,
    meaning='A command-line argument is malformed: currently a `--as-of` date (or the '
            '`POLICY_TODAY` environment variable) that is not a real `YYYY-MM-DD` date.',
    files={'demo.policy': CASE_POLICY},
    json={'case.json': GOOD},
    cmd='policy eval demo.policy -d demo.weekly_hours -i case.json --as-of 2024-13-01',
    fix='Write the date as `YYYY-MM-DD`, e.g. `--as-of 2024-09-01`.')


E['E0915'] = dict(
    meaning='A parameter was read on an evaluation date that none of its values covers, for '
            'example before the first one takes effect.',
    files={'demo.policy': '''module demo

record Job {
  hours: Int
}

parameter weekly_limit: Int
  value 20 effective from 2014-03-17

decision over_limit(j: Job) -> Bool
  default false
  rule r when j.hours > weekly_limit then true
'''},
    json={'case.json': {"hours": 22}},
    cmd='policy eval demo.policy -d demo.over_limit -i case.json --as-of 2014-03-16',
    fix='Evaluate as of a date the parameter covers, add a value for the earlier period, or give '
        'the decision the same `effective from` so that it is simply not applicable earlier.')

E['E0916'] = dict(
    meaning='A list could not be built: `dates_every` was given a step that is not positive, '
            'or a list built during evaluation would have more than 1,000,000 items (`dates_every`, '
            '`flatten`, or joining lists with `+`). Joining texts with `+` has the same limit, in '
            'bytes.',
    files={'demo.policy': '''module demo

record Period {
  first: Date
  last: Date
}

decision days(p: Period) -> Int
  rule r then length(dates_every(p.first, p.last, 0 days))
'''},
    json={'case.json': {"first": "2024-01-01", "last": "2024-12-31"}},
    cmd='policy eval demo.policy -d demo.days -i case.json',
    fix='Use a positive step (`1 day`, `1 week`, `1 month`). For long periods, count with '
        '`days_between` or `working_days_between` instead of listing every day.')

E['E0918'] = dict(
    shared=True,
    meaning='A row of the CSV file given to `policy batch` cannot be split into the cells its '
            'header names: a quote inside a cell that does not start with one, text after a '
            'closing quote, a quoted cell never closed, or a row with more or fewer cells than the '
            'header has columns. The row becomes an error row with its line number (the header is '
            'line 1) and the run goes on with the next row; the exit code is 1.',
    files={'demo.policy': CASE_POLICY},
    data={'cases.csv': 'name,born,mode,hours,rate,skills,notice,manager\n'
                       'Ann,1990-01-02,full_time,38,12.5,"[""first aid""]",P4W,\n'
                       'Bo "the boss",1985-03-04,part_time,20,15,[],P2W,\n'
                       'Cy,1999-12-31,part_time,10,9.75,[],P1W,,\n'},
    cmd='policy batch demo.policy -d demo.weekly_hours -i cases.csv --format csv --quiet',
    expect='E0918',
    fix='Quote a cell that holds a quote, a comma or a line break, writing each quote inside it '
        'twice (`"Bo ""the boss"""`), and give every row as many cells as the header has '
        'columns. Spreadsheet programs do both when they save as CSV.')

E['E0919'] = dict(
    meaning='`policy sql` cannot express a construct in SQL with the language\'s semantics exactly, so '
            'it refuses the decision that uses it rather than compile something that could give a '
            'different answer: a decision whose value is a record, a set of records, a decision '
            'called on a record other than the case, a decision on parameters other than one case '
            'record, or columns (`--columns`) that do not fit the case record. Every decision that '
            'needs a refused one is refused too; the others are still written, and the exit code is 1.',
    files={'demo.policy': CASE_POLICY + '''
record Pay { hours: Int, rate: Decimal }

decision pay(w: Worker) -> Pay
  rule always then Pay { hours: w.hours, rate: w.rate }
'''},
    cmd='policy sql demo.policy -d demo.weekly_hours,demo.pay -o demo.sql',
    expect='E0919',
    fix='Give the decision a value SQL can hold (a scalar, an enum, a list or set of those), for '
        'example one decision per field (`pay_hours`, `pay_rate`), or keep it on the interpreter '
        '(`policy batch`), which evaluates every decision.')

E['E0917'] = dict(
    meaning='An evaluation took more than 100,000,000 steps, counting each call of a function or '
            'decision and each item an aggregate visits, or built more than 256 MiB of values '
            '(lists, texts, sets and records made while evaluating). Policies cannot recurse or '
            'loop forever, but nested aggregates over long lists can take a very long time; the '
            'limits turn that into an error, after roughly a second, instead of a service that '
            'hangs or runs out of memory.',
    files={'demo.policy': '''module demo

record Period {
  first: Date
  last: Date
}

decision pairs(p: Period) -> Int
  rule r then
    sum a in dates_every(p.first, p.last, 1 day):
      count b in dates_every(p.first, p.last, 1 day): a < b
'''},
    json={'case.json': {"first": "2000-01-01", "last": "2040-12-31"}},
    cmd='policy eval demo.policy -d demo.pairs -i case.json',
    fix='Count without nesting: for "pairs of days" compute the number arithmetically, or '
        'restrict the inner list with `filter` first.')

E['W0101'] = dict(
    meaning='A function or constant is declared but no rule, default, function, constant or test '
            'uses it. Declarations of the standard library are not reported.',
    files={'demo.policy': '''module demo

const limit: Int = 20
const old_limit: Int = 16

decision max_hours(x: Int) -> Int
  source "ImmD FAQ Q20"
  rule r then limit
'''},
    cmd='policy lint demo.policy',
    fix='Remove the declaration, or use it where it was meant to be used.')

E['W0102'] = dict(
    meaning='An exception has no `when` condition and no effective period, so it applies to every '
            'case on every date: the rules it overrides can never give their value.',
    files={'demo.policy': '''module demo

decision allowed(exchange: Bool) -> Bool
  source "ImmD FAQ Q20, Q23"
  default false
  rule relaxation when not exchange then true
  exception exchange_students to relaxation then false
'''},
    cmd='policy lint demo.policy',
    fix='Give the exception the condition under which it applies (here `when exchange`), or '
        'remove the rule it makes dead.')

E['W0103'] = dict(
    meaning='A decision has no `source` clause, and none of its rules has one either, so its '
            'explanations cannot cite the paragraph of law it encodes.',
    files={'demo.policy': '''module demo

decision within_limit(hours: Int) -> Bool
  default false
  rule r when hours <= 20 then true
'''},
    cmd='policy lint demo.policy',
    fix='Add `source "..."` to the decision or to each rule, naming the paragraph it encodes.')

E['W0104'] = dict(
    meaning='The set has tests, but none of them makes this rule (or exception) apply: its '
            'condition never holds in any test, so nothing checks the value it gives. The tests '
            'run as `policy test` runs them, as of `--as-of` (default: today) unless they say '
            '`as of`.',
    files={'demo.policy': '''module demo

decision max_hours(summer_break: Bool) -> Int
  source "ImmD FAQ Q29, Q31"
  rule term when not summer_break then 20
  rule summer when summer_break then 40

test "term time" {
  expect max_hours(false) == 20
}
'''},
    cmd='policy lint demo.policy',
    fix='Add a test with a case for which the rule\'s condition holds, and expect its value.')

E['W0105'] = dict(
    meaning='A test evaluates decisions, but not one rule\'s condition is evaluated while it runs: '
            'the decisions are not in effect on the test\'s date, or every rule is overridden. '
            'Such a test passes whatever the rules say. A test that says `expect ... is not '
            'applicable` checks exactly that, and is not reported.',
    files={'demo.policy': '''module demo

decision max_hours(x: Int) -> Int
  source "ImmD FAQ Q20"
  effective from 2014-03-17
  default 0
  rule relaxation when x > 0 then 20

test "the relaxation" as of 2014-01-01 {
  expect max_hours(1) == max_hours(1)
}
'''},
    cmd='policy lint demo.policy',
    fix='Check the test\'s `as of` date and its case; to test that a decision is not in effect, '
        'write `expect max_hours(1) is not applicable`.')

E['W0106'] = dict(
    meaning='Every rule of a decision (not counting exceptions) is dated and the decision has no '
            '`effective` period of its own, so it is in effect only while one of its rules is; and '
            'there are dates between two of its rules when none is. On those dates the decision is '
            'not applicable (JSON `null`), and a decision or test that needs it stops with E0911. A '
            'scheme that lapsed and came back may mean that, so this is a warning; most often the '
            'rules are versions of one rule and one of them was ended a day early.',
    files={'demo.policy': '''module demo

decision weekly_limit(term_time: Bool) -> Int
  source "ImmD FAQ Q20"
  rule limit_2014
    effective from 2014-03-17 until 2026-12-30
    when term_time
    then 20
  rule limit_2027
    effective from 2027-01-01
    when term_time
    then 24
'''},
    cmd='policy lint demo.policy',
    fix='End the earlier rule the day before the later one starts (`until 2026-12-31`). If the '
        'decision should answer on those dates although no rule applies, give it its own period '
        '(`effective from 2014-03-17`): its default, or *not applicable* without one, then answers '
        'there.')

E['W0107'] = dict(
    meaning='A rule, exception or default is in effect on dates when a parameter it reads (itself, '
            'or through the functions it calls) has no value: before the parameter\'s first value, '
            'or after a last value that ends with `until`. Every evaluation that reads it then fails '
            'with E0915. A parameter that stops on purpose is read only by rules dated like it; '
            'one ended in preparation for a new value that was never added is not. The rule\'s '
            'dates are its own `effective` period and its decision\'s; a condition on `as_of` that '
            'keeps the rule from reading the parameter is not looked at, and neither is a read '
            'inside `e as of d`, whose date the case gives.',
    files={'demo.policy': '''module demo

record Job {
  hours: Int
}

parameter weekly_limit: Int
  source "ImmD FAQ Q20"
  value 20 effective from 2014-03-17 until 2026-12-31

decision over_limit(j: Job) -> Bool
  source "ImmD FAQ Q20"
  effective from 2014-03-17
  default false
  rule over when j.hours > weekly_limit then true
'''},
    cmd='policy lint demo.policy',
    fix='Add the value that was meant to follow (`value 24 effective from 2027-01-01`), or, if the '
        'law really ends, end the decision or rule with it (`effective from 2014-03-17 until '
        '2026-12-31`).')

E['W0108'] = dict(
    meaning='A test without `as of` runs as of the day it is run (`--as-of`, else `POLICY_TODAY`, '
            'else today), and a decision or parameter it evaluates changes after that day: a rule '
            'or value takes effect or ends, or the decision itself does. From that date the test '
            'checks a different law, and may start failing with nobody having changed anything. '
            'The decisions a test evaluates are those it reaches on its date when lint runs it '
            '(not those it evaluates inside `e as of d`, on a date of its own).',
    files={'demo.policy': '''module demo

record Job {
  hours: Int
}

parameter weekly_limit: Int
  source "ImmD FAQ Q20"
  value 20 effective from 2014-03-17 until 2026-12-31
  value 24 effective from 2027-01-01

decision over_limit(j: Job) -> Bool
  source "ImmD FAQ Q20"
  effective from 2014-03-17
  default false
  rule over when j.hours > weekly_limit then true

test "21 hours are over the limit" {
  expect over_limit(Job { hours: 21 })
}
'''},
    cmd='policy lint --as-of 2025-09-01 demo.policy',
    fix='Give the test the date it was written for (`test "21 hours are over the limit" as of '
        '2025-09-01`), and test the new period in a test of its own (`as of 2027-01-01`).')

E['W0109'] = dict(
    meaning='A decision writes a number that is the value of a parameter of its own module, in a '
            'rule (or default) that is in effect while the parameter has that value. A parameter '
            'exists so that a change of the law is one new `value` line; the number written out '
            'keeps the old value when the parameter changes, and nothing says so. Numbers in '
            'functions, constants and tests are not reported, nor are 0 and 1, nor the count of a '
            'duration (`20 weeks`).',
    files={'demo.policy': '''module demo

record Job {
  hours: Int
}

parameter weekly_limit: Int
  source "ImmD FAQ Q20"
  value 20 effective from 2014-03-17

decision over_limit(j: Job) -> Bool
  source "ImmD FAQ Q20"
  effective from 2014-03-17
  default false
  rule over when j.hours > 20 then true
'''},
    cmd='policy lint demo.policy',
    fix='Read the parameter (`when j.hours > weekly_limit`). If the number is equal only by '
        'chance, name it with a `const` (`const full_time_hours: Int = 20`) to say so.')

ANALYZE_POLICY = '''module demo

record Student {
  age: Int
  exchange: Bool
  weeks: Int
}

decision may_work(s: Student) -> Bool
  source "ImmD FAQ Q20"
  default false
  rule degree_students
    source "ImmD FAQ Q20"
    when s.age >= 18
    then true
  rule exchange_students
    source "ImmD FAQ Q23"
    when s.exchange
    then false
'''

E['W0201'] = dict(
    meaning='`policy analyze` found a case to which two rules apply, neither an exception to the other, '
            'with different results: evaluating that case stops with E0910. The witness is an example '
            'case (from `--cases`, default `examples/cases`) with the fewest changes Z3 could find, and '
            'the interpreter has reproduced the conflict on it before it is shown.',
    files={'demo.policy': ANALYZE_POLICY,
           'cases/adult.json': '{"age": 30, "exchange": false, "weeks": 0}\n'},
    cmd='policy analyze demo.policy --cases cases',
    fix='Say which rule wins with `exception exchange_students to degree_students`, or make the two '
        'conditions exclusive.')

E['W0202'] = dict(
    meaning='Z3 proved that a rule applies to no case on any date (or on the `--as-of` date): its '
            'conditions contradict each other or its effective period, or an exception to it applies '
            'whenever it would. The proof holds even where the encoding approximates (an approximated '
            'value is left free), so a dead rule is never reported on a guess.',
    files={'demo.policy': '''module demo

record Student {
  age: Int
}

decision band(s: Student) -> Int
  source "ImmD FAQ Q20"
  default 0
  rule minors
    when s.age < 18 and s.age > 65
    then 1
'''},
    cmd='policy analyze demo.policy',
    fix='Correct the condition (here `or` was meant, or the bounds are swapped), or delete the rule.')

E['W0203'] = dict(
    meaning='A decision without a `default` is in effect but no rule applies to some case: it is not '
            'applicable there, and a decision that needs it stops with E0911. The witness shows such a '
            'case, reproduced by the interpreter.',
    files={'demo.policy': '''module demo

record Student {
  age: Int
}

decision band(s: Student) -> Int
  source "ImmD FAQ Q20"
  rule minors
    when s.age < 18
    then 1
  rule seniors
    when s.age >= 65
    then 3
'''},
    cmd='policy analyze demo.policy',
    fix='Add a `default`, or a rule for the cases shown (here ages 18 to 64).')

E['W0204'] = dict(
    meaning='A question `policy analyze` could answer neither way. Z3 found a case only in the '
            'approximate part of the encoding (a list read from the case record, say, whose items are '
            'not modelled) and the interpreter did not reproduce it, and the bounded search from the '
            'example cases found no witness either. The note lists what the encoding approximated. It '
            'is a note, not a warning: exit 0 unless `--strict`.',
    files={'demo.policy': '''module demo

record Job {
  hours: Int
}

record Student {
  jobs: List<Job>
}

decision overloaded(s: Student) -> Bool
  source "ImmD FAQ Q29"
  default false
  rule many_long_jobs
    when (count j in s.jobs: j.hours == 7919) >= 40
    then true
'''},
    cmd='policy analyze demo.policy',
    fix='Nothing is wrong as far as is known. Add an example case close to the situation (`--cases`) '
        'so the search can reach it, or rewrite the condition without the approximated construct.')

SHARED_NOTE = '`demo.policy` is the file shown under E0901.'


def run_example(code, ex):
    d = tempfile.mkdtemp(prefix='diag')
    for name, text in ex.get('files', {}).items():
        path = os.path.join(d, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'wb') as f:
            f.write(text if isinstance(text, bytes) else text.encode())
    for name, obj in ex.get('json', {}).items():
        with open(os.path.join(d, name), 'w') as f:
            f.write(obj if isinstance(obj, str) else json.dumps(obj, indent=2) + '\n')
    for name, text in ex.get('data', {}).items():  # other input files (CSV), written as they are
        with open(os.path.join(d, name), 'w') as f:
            f.write(text)
    cmd = ex.get('cmd')
    if cmd is None:
        cmd = 'policy check ' + ' '.join(sorted(ex['files']))
        ex['cmd'] = cmd
    if ex.get('short') and not cmd.startswith('policy check --format short'):
        cmd = cmd.replace('policy check', 'policy check --format short', 1)
        ex['cmd'] = cmd
    argv = cmd.split()
    argv[0] = POLICY
    env = dict(os.environ, NO_COLOR='1', POLICY_TODAY='2025-09-01')
    r = subprocess.run(argv, cwd=d, capture_output=True, text=True, env=env)
    out = (r.stdout + r.stderr)
    shutil.rmtree(d)
    # An error that is a row of output rather than a rendered diagnostic (policy batch) says
    # which text shows it.
    if ex.get('expect', '[' + code + ']') not in out:
        print('EXAMPLE FOR', code, 'DID NOT PRODUCE IT:\n', out, file=sys.stderr)
        sys.exit(1)
    return out.rstrip('\n'), r.returncode


def fence(lang, text):
    return '```' + lang + '\n' + text.rstrip('\n') + '\n```\n'


out = []
out.append(open(os.path.join(ROOT, 'docs', 'tools', 'diagnostics_intro.md')).read())
for code, name, summary in kinds:
    ex = E[code]
    text, rc = run_example(code, ex)
    # Drop the trailing "N errors found" and the PASS/FAIL lines for brevity only when human.
    out.append(f'## {code}: {summary}\n')
    out.append(ex['meaning'] + '\n')
    if ex.get('prose_example'):
        out.append('Example: ' + ex['prose_example'] + '\n')
    else:
        out.append('Example:\n')
    files = ex.get('files', {})
    if ex.get('shared'):
        out.append(SHARED_NOTE + '\n')
    elif ex.get('shared_extra'):
        out.append(SHARED_NOTE[:-1] + ', with this decision added:\n')
        out.append(fence('policy', files['demo.policy'][len(CASE_POLICY):].lstrip('\n')))
    elif ex.get('show_files', True):
        multi = len(files) > 1
        for fname, ftext in files.items():
            if code == 'E0100':
                continue
            if multi or 'cmd' in ex and not ex['cmd'].startswith('policy check'):
                out.append(f'`{fname}`:\n')
            out.append(fence('policy', ftext if isinstance(ftext, str) else ftext.decode('latin-1')))
    if ex.get('show_json', True):
        for jname, obj in ex.get('json', {}).items():
            out.append(f'`{jname}`:\n')
            out.append(fence('json', obj if isinstance(obj, str) else json.dumps(obj, indent=2)))
    for dname, dtext in ex.get('data', {}).items():
        out.append(f'`{dname}`:\n')
        out.append(fence('text', dtext.rstrip('\n')))
    out.append(fence('text', '$ ' + ex['cmd'] + '\n' + text))
    out.append('How to fix it: ' + ex['fix'] + '\n')
target = os.path.join(ROOT, 'docs', 'diagnostics.md')
if '--check' in sys.argv:
    # The doc-test of docs/diagnostics.md (CTest docs_diagnostics): the committed page must be
    # what the tool prints today.
    if open(target).read() != '\n'.join(out):
        import difflib
        sys.stdout.writelines(difflib.unified_diff(open(target).read().splitlines(True),
                                                   '\n'.join(out).splitlines(True),
                                                   'docs/diagnostics.md', 'as the tool prints it'))
        print('docs/diagnostics.md differs from the tool: run python3 docs/tools/gen_diagnostics.py')
        sys.exit(1)
    print('docs/diagnostics.md: every example prints what the page shows,', len(kinds), 'codes')
    sys.exit(0)
with open(target, 'w') as f:
    f.write('\n'.join(out))
print('ok', len(kinds), 'codes')
