// The helper functions every generated PostgreSQL script starts with: the language's arithmetic
// where SQL's differs (decimals rounded half-to-even to 18 places and bounded to 17 integer
// digits, floored integer division, dates within years 1-9999), durations that keep their unit,
// the working-day calendar, and the error every failure raises. `{S}` is the schema.
#include "runtime/sql/prelude.h"

namespace policy::sql {

// Why everything that can fail is VOLATILE: PostgreSQL evaluates IMMUTABLE functions with constant
// arguments while planning, and STABLE ones too when it estimates (the length of an array given
// to unnest, say), so `CASE WHEN false THEN fail(...) END` would raise before the CASE chose. A
// VOLATILE function is only ever called when its expression is evaluated. The generated SQL
// functions are VOLATILE for the same reason; PostgreSQL still inlines them into the query.
const char* const kPostgresPrelude = R"SQL(CREATE SCHEMA IF NOT EXISTS {S};

-- Every evaluation error: the message starts with the diagnostic code ("E0910: ...").
CREATE OR REPLACE FUNCTION {S}.fail(code text, message text) RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $f$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = code || ': ' || message;
END $f$;

-- An error caught by an ":outcome" function as the JSON the engine writes: {"code", "message"}.
-- PostgreSQL's own data exceptions (overflow, division by zero, dates out of range) are E0912.
CREATE OR REPLACE FUNCTION {S}.error_json(state text, message text) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT CASE WHEN state = 'P0001' AND message ~ '^E[0-9]{4}: '
              THEN jsonb_build_object('code', left(message, 5), 'message', substr(message, 8))
              ELSE jsonb_build_object('code', 'E0912', 'message', message) END
$f$;

-- Decimals: |x| < 10^17, 18 places, every inexact result rounded half to even.
CREATE OR REPLACE FUNCTION {S}.dec(x numeric) RETURNS numeric
LANGUAGE sql VOLATILE PARALLEL SAFE AS $f$
  SELECT CASE WHEN abs(x) >= 1e17 THEN CAST({S}.fail('E0912', 'decimal overflow') AS numeric) ELSE x END
$f$;

CREATE OR REPLACE FUNCTION {S}.dec_round(x numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT CASE WHEN r * 2 > 1 THEN t + sign(x) * 1e-18
              WHEN r * 2 < 1 THEN t
              WHEN mod(trunc(abs(t) * 1e18), 2) = 0 THEN t
              ELSE t + sign(x) * 1e-18 END
  FROM (SELECT trunc(x, 18) AS t, abs(x - trunc(x, 18)) * 1e18 AS r) AS s
$f$;

CREATE OR REPLACE FUNCTION {S}.dec_mul(a numeric, b numeric) RETURNS numeric
LANGUAGE sql VOLATILE PARALLEL SAFE AS $f$
  SELECT {S}.dec({S}.dec_round(a * b))
$f$;

CREATE OR REPLACE FUNCTION {S}.dec_div(a numeric, b numeric) RETURNS numeric
LANGUAGE sql VOLATILE PARALLEL SAFE AS $f$
  SELECT CASE WHEN b = 0 THEN CAST({S}.fail('E0912', 'division by zero') AS numeric)
              ELSE {S}.dec((q + CASE WHEN 2 * abs(r) > abs(b) OR (2 * abs(r) = abs(b) AND mod(q, 2) <> 0)
                                     THEN sign(a) * sign(b) ELSE 0 END) * 1e-18) END
  FROM (SELECT div(a * 1e18, NULLIF(b, 0)) AS q) AS s1,
       LATERAL (SELECT a * 1e18 - s1.q * b AS r) AS s2
$f$;

CREATE OR REPLACE FUNCTION {S}.dec_mod(a numeric, b numeric) RETURNS numeric
LANGUAGE sql VOLATILE PARALLEL SAFE AS $f$
  SELECT CASE WHEN b = 0 THEN CAST({S}.fail('E0912', 'division by zero') AS numeric)
              ELSE a - b * (q - CASE WHEN a - q * b <> 0 AND sign(a) <> sign(b) THEN 1 ELSE 0 END) END
  FROM (SELECT div(a, NULLIF(b, 0)) AS q) AS s
$f$;

-- Integers: division and remainder are floored (-7 / 2 = -4, -7 % 2 = 1).
CREATE OR REPLACE FUNCTION {S}.int_div(a bigint, b bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT a / b - CASE WHEN a % b <> 0 AND (a < 0) <> (b < 0) THEN 1 ELSE 0 END
$f$;

CREATE OR REPLACE FUNCTION {S}.int_mod(a bigint, b bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT CASE WHEN a % b <> 0 AND (a % b < 0) <> (b < 0) THEN a % b + b ELSE a % b END
$f$;

-- Dates stay within years 1-9999.
CREATE OR REPLACE FUNCTION {S}.date_ok(d date) RETURNS date
LANGUAGE sql VOLATILE PARALLEL SAFE AS $f$
  SELECT CASE WHEN d < DATE '0001-01-01' OR d > DATE '9999-12-31'
              THEN CAST({S}.fail('E0912', 'date outside years 1-9999') AS date) ELSE d END
$f$;

-- Durations: count * 4 + unit (0 days, 1 weeks, 2 months, 3 years); written as ISO 8601 (P26W).
CREATE OR REPLACE FUNCTION {S}.dur_make(count bigint, unit int) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$ SELECT count * 4 + unit $f$;

CREATE OR REPLACE FUNCTION {S}.dur_unit(x bigint) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$ SELECT CAST(((x % 4) + 4) % 4 AS int) $f$;

CREATE OR REPLACE FUNCTION {S}.dur_count(x bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$ SELECT (x - {S}.dur_unit(x)) / 4 $f$;

-- Length in the base unit of its family: days for days and weeks, months for months and years.
CREATE OR REPLACE FUNCTION {S}.dur_base(x bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT {S}.dur_count(x) * CASE {S}.dur_unit(x) WHEN 1 THEN 7 WHEN 3 THEN 12 ELSE 1 END
$f$;

CREATE OR REPLACE FUNCTION {S}.dur_key(x bigint) RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT ARRAY[CAST({S}.dur_unit(x) / 2 AS bigint), {S}.dur_base(x), CAST({S}.dur_unit(x) AS bigint)]
$f$;

CREATE OR REPLACE FUNCTION {S}.dur_cmp(a bigint, b bigint) RETURNS int
LANGUAGE sql VOLATILE PARALLEL SAFE AS $f$
  SELECT CASE WHEN {S}.dur_unit(a) / 2 <> {S}.dur_unit(b) / 2
              THEN CAST({S}.fail('E0913', 'a day-based and a month-based duration cannot be compared') AS int)
              ELSE CAST(sign({S}.dur_base(a) - {S}.dur_base(b)) AS int) END
$f$;

CREATE OR REPLACE FUNCTION {S}.dur_eq(a bigint, b bigint) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT {S}.dur_unit(a) / 2 = {S}.dur_unit(b) / 2 AND {S}.dur_base(a) = {S}.dur_base(b)
$f$;

CREATE OR REPLACE FUNCTION {S}.dur_mul(x bigint, n bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$ SELECT {S}.dur_make({S}.dur_count(x) * n, {S}.dur_unit(x)) $f$;

CREATE OR REPLACE FUNCTION {S}.dur_iso(x bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT 'P' || {S}.dur_count(x) || substr('DWMY', {S}.dur_unit(x) + 1, 1)
$f$;

CREATE OR REPLACE FUNCTION {S}.dur_parse(t text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT {S}.dur_make(CAST(substr(t, 2, length(t) - 2) AS bigint), strpos('DWMY', right(t, 1)) - 1)
$f$;

-- Month arithmetic clamps to the month's last day (2024-01-31 + 1 month = 2024-02-29).
CREATE OR REPLACE FUNCTION {S}.add_months(d date, n bigint) RETURNS date
LANGUAGE sql VOLATILE PARALLEL SAFE AS $f$
  SELECT {S}.date_ok(CAST(d + make_interval(months => CAST(n AS int)) AS date))
$f$;

CREATE OR REPLACE FUNCTION {S}.date_add(d date, dur bigint, direction int) RETURNS date
LANGUAGE sql VOLATILE PARALLEL SAFE AS $f$
  SELECT CASE {S}.dur_unit(dur)
           WHEN 0 THEN {S}.date_ok(d + CAST({S}.dur_count(dur) * direction AS int))
           WHEN 1 THEN {S}.date_ok(d + CAST({S}.dur_count(dur) * 7 * direction AS int))
           WHEN 2 THEN {S}.add_months(d, {S}.dur_count(dur) * direction)
           ELSE {S}.add_months(d, {S}.dur_count(dur) * 12 * direction) END
$f$;

-- Month arithmetic that rolls over instead (2025-01-31 + 1 month = 2025-03-03).
CREATE OR REPLACE FUNCTION {S}.add_months_overflow(d date, n bigint) RETURNS date
LANGUAGE sql VOLATILE PARALLEL SAFE AS $f$
  SELECT {S}.date_ok(CAST(date_trunc('month', d) + make_interval(months => CAST(n AS int)) AS date)
                     + (CAST(extract(day FROM d) AS int) - 1))
$f$;

-- A working day: Monday to Friday and not a holiday, or a listed extra working day.
CREATE OR REPLACE FUNCTION {S}.is_working_day(d date, holidays date[], extra date[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT (extract(isodow FROM d) < 6 AND NOT COALESCE(d = ANY(holidays), FALSE)) OR COALESCE(d = ANY(extra), FALSE)
$f$;

CREATE OR REPLACE FUNCTION {S}.add_working_days(d date, n bigint, holidays date[], extra date[]) RETURNS date
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $f$
DECLARE
  x date := d;
  remaining bigint := abs(n);
BEGIN
  WHILE remaining > 0 LOOP
    IF (n > 0 AND x >= DATE '9999-12-31') OR (n < 0 AND x <= DATE '0001-01-01') THEN
      PERFORM {S}.fail('E0912', 'date outside years 1-9999');
    END IF;
    x := x + CAST(sign(n) AS int);
    IF {S}.is_working_day(x, holidays, extra) THEN
      remaining := remaining - 1;
    END IF;
  END LOOP;
  RETURN x;
END $f$;

CREATE OR REPLACE FUNCTION {S}.working_days_between(a date, b date, holidays date[], extra date[]) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT CASE WHEN a <= b
              THEN (SELECT count(*) FROM generate_series(a + 1, b, interval '1 day') AS g(x)
                    WHERE {S}.is_working_day(CAST(g.x AS date), holidays, extra))
              ELSE -(SELECT count(*) FROM generate_series(b, a - 1, interval '1 day') AS g(x)
                     WHERE {S}.is_working_day(CAST(g.x AS date), holidays, extra)) END
$f$;

-- first, first + step, first + 2 step, ... up to last; month steps are taken from `first`.
CREATE OR REPLACE FUNCTION {S}.dates_every(first date, last date, step bigint) RETURNS date[]
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $f$
DECLARE
  out date[] := '{}';
  x date := first;
  k bigint := 0;
BEGIN
  IF {S}.dur_base(step) <= 0 THEN
    PERFORM {S}.fail('E0916', 'the step of dates_every must be positive');
  END IF;
  WHILE x <= last LOOP
    IF k >= 1000000 THEN
      PERFORM {S}.fail('E0916', 'dates_every would make more than 1000000 dates');
    END IF;
    out := out || x;
    k := k + 1;
    x := {S}.date_add(first, {S}.dur_mul(step, k), 1);
  END LOOP;
  RETURN out;
END $f$;
)SQL";

}  // namespace policy::sql
