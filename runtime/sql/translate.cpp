// IR expressions as PostgreSQL expressions (translate.h explains the representation).
//
// Evaluation order matters where the language short-circuits: `and`, `or`, `if`, `match` and
// `??` become CASE, which PostgreSQL evaluates in order, so a condition guarded by `is some` or
// an overridden rule never raises an error the interpreter would not raise.
#include "runtime/sql/translate.h"

#include <fmt/format.h>

namespace policy::sql {

namespace {

auto Paren(const std::string& s) -> std::string {
  return "(" + s + ")";
}

}  // namespace

// ---- expressions ---------------------------------------------------------------------------------

auto Translator::Scalar(const ir::Node& n, Frame& f) -> std::string {
  SqlVal v = Expr(n, f);
  if (v.is_record) {
    Refuse(n.span, "a record where one SQL value is needed");
  }
  return v.sql;
}

auto Translator::Expr(const ir::Node& n, Frame& f) -> SqlVal {
  using ir::Op;
  const auto scalar = [](std::string sql) { return SqlVal{false, std::move(sql), {}, "", false}; };
  switch (n.op) {
    case Op::kConst:
      return Constant(n.type, program_.constants[n.a], n.span);
    case Op::kLocal: {
      const auto it = f.slots.find(n.a);
      if (it == f.slots.end()) {
        Refuse(n.span, "a local the SQL compiler did not bind");
      }
      return it->second;
    }
    case Op::kGlobal: {
      Frame empty;
      empty.as_of = f.as_of;
      empty.case_row = f.case_row;
      return Expr(*program_.globals[n.a].init, empty);
    }
    case Op::kAsOf:
      return scalar(f.as_of);
    case Op::kAsOfDate: {
      const std::string date = Scalar(*n.kids[1], f);
      Frame inner = f;
      inner.as_of = Paren(date);
      return Expr(*n.kids[0], inner);
    }
    case Op::kField: {
      SqlVal base = Expr(*n.kids[0], f);
      if (!base.is_record || n.a >= base.fields.size()) {
        Refuse(n.span, "a field of a value that is not a record");
      }
      return base.fields[n.a];
    }
    case Op::kCallFunction: {
      if (++depth_ > 200) {
        Refuse(n.span, "functions nested too deeply to inline");
      }
      Frame callee;
      callee.as_of = f.as_of;
      callee.case_row = f.case_row;
      for (size_t i = 0; i < n.kids.size(); ++i) {
        callee.slots[static_cast<uint32_t>(i)] = Expr(*n.kids[i], f);
      }
      SqlVal v = Expr(*program_.functions[n.a].body, callee);
      --depth_;
      return v;
    }
    case Op::kCallDecision: {
      if (n.kids.size() > 1) {
        Refuse(n.span, "a call of a decision with more than one parameter");
      }
      if (n.kids.size() == 1 && !Expr(*n.kids[0], f).is_case) {
        Refuse(n.span, "a call of a decision on a record other than the case");
      }
      if (types_.kind(types_.Unwrap(n.type)) == Kind::kRecord) {
        Refuse(n.span, fmt::format("a call of `{}`, whose value is a record", program_.decisions[n.a].name));
      }
      called_.push_back(n.a);
      return scalar(fmt::format("{}({}, {})", naming_.Strict(n.a), f.case_row, f.as_of));
    }
    case Op::kCallBuiltin:
      return Builtin(n, f);
    case Op::kNot:
      return scalar(fmt::format("(NOT {})", Scalar(*n.kids[0], f)));
    case Op::kNeg: {
      const std::string x = Scalar(*n.kids[0], f);
      if (types_.kind(types_.Unwrap(n.type)) == Kind::kDuration) {
        return scalar(fmt::format("{}({}, -1)", naming_.Fn("dur_mul"), x));
      }
      return scalar(fmt::format("(-{})", x));
    }
    case Op::kAnd:
      return scalar(
          fmt::format("(CASE WHEN {} THEN {} ELSE FALSE END)", Scalar(*n.kids[0], f), Scalar(*n.kids[1], f)));
    case Op::kOr:
      return scalar(
          fmt::format("(CASE WHEN {} THEN TRUE ELSE {} END)", Scalar(*n.kids[0], f), Scalar(*n.kids[1], f)));
    case Op::kArith:
      return Arith(n, f);
    case Op::kCompare:
      return Compare(n, f);
    case Op::kEq: {
      const std::string eq = Equal(Expr(*n.kids[0], f), Expr(*n.kids[1], f), n.kids[0]->type, n.span);
      return scalar(n.b != 0 ? fmt::format("(NOT {})", eq) : eq);
    }
    case Op::kIn:
      return In(n, f);
    case Op::kIsNone: {
      const SqlVal x = Expr(*n.kids[0], f);
      std::string none;
      if (x.is_record) {
        none = x.some.empty() ? "FALSE" : fmt::format("(NOT {})", x.some);
      } else {
        none = fmt::format("({} IS NULL)", x.sql);
      }
      return scalar(n.b != 0 ? fmt::format("(NOT {})", none) : none);
    }
    case Op::kCoalesce: {
      const SqlVal a = Expr(*n.kids[0], f);
      const SqlVal b = Expr(*n.kids[1], f);
      if (!a.is_record) {
        return scalar(fmt::format("COALESCE({}, {})", a.sql, b.sql));
      }
      SqlVal picked = Ite(a.some.empty() ? "TRUE" : a.some, a, b);
      picked.some = b.some.empty() || a.some.empty() ? "" : fmt::format("({} OR {})", a.some, b.some);
      return picked;
    }
    case Op::kIf:
      return Ite(Scalar(*n.kids[0], f), Expr(*n.kids[1], f), Expr(*n.kids[2], f));
    case Op::kDuration:
      return scalar(fmt::format("{}({}, {})", naming_.Fn("dur_make"), Scalar(*n.kids[0], f), n.a));
    case Op::kRecord: {
      SqlVal r;
      r.is_record = true;
      const auto& fields = types_.record_info(types_.Unwrap(n.type)).fields;
      for (size_t i = 0; i < n.kids.size(); ++i) {
        // An omitted optional field is a `none` constant typed as the record: type it as the field.
        const ir::Node& kid = *n.kids[i];
        const bool omitted =
            kid.op == ir::Op::kConst && program_.constants[kid.a].is_none() && i < fields.size();
        SqlVal v = omitted ? Null(fields[i].type, kid.span) : Expr(kid, f);
        if (v.is_record && i < fields.size() && !types_.IsOptional(fields[i].type)) {
          v.some.clear();
        }
        r.fields.push_back(std::move(v));
      }
      return r;
    }
    case Op::kWith: {
      SqlVal r = Expr(*n.kids[0], f);
      r.is_case = false;
      for (size_t i = 0; i < n.paths.size(); ++i) {
        SqlVal* at = &r;
        for (const uint32_t field : n.paths[i]) {
          if (!at->is_record || field >= at->fields.size()) {
            Refuse(n.span, "`with` on a value that is not a record");
          }
          at = &at->fields[field];
        }
        *at = Expr(*n.kids[i + 1], f);
      }
      return r;
    }
    case Op::kList:
    case Op::kSet:
      return Collection(n, f);
    case Op::kAggregate:
      return Aggregate(n, f);
    case Op::kMatchEnum:
      return MatchEnum(n, f);
    case Op::kMatchOptional: {
      SqlVal scrut = Expr(*n.kids[0], f);
      std::string some;
      if (scrut.is_record) {
        some = scrut.some.empty() ? "TRUE" : scrut.some;
        scrut.some.clear();
      } else {
        some = fmt::format("({} IS NOT NULL)", scrut.sql);
      }
      if (n.a != UINT32_MAX) {
        f.slots[n.a] = scrut;
      }
      const SqlVal some_arm = Expr(*n.kids[2], f);
      return Ite(some, some_arm, Expr(*n.kids[1], f));
    }
  }
  Refuse(n.span, "an operation the SQL compiler does not know");
}

auto Translator::Arith(const ir::Node& n, Frame& f) -> SqlVal {
  const TypeId l = types_.Unwrap(n.kids[0]->type);
  const TypeId r = types_.Unwrap(n.kids[1]->type);
  const std::string a = Scalar(*n.kids[0], f);
  const std::string b = Scalar(*n.kids[1], f);
  const auto scalar = [](std::string sql) { return SqlVal{false, std::move(sql), {}, "", false}; };
  using ir::ArithOp;
  if (l == TypeTable::kIntId && r == TypeTable::kIntId) {
    switch (n.arith) {
      case ArithOp::kAdd:
        return scalar(fmt::format("({} + {})", a, b));
      case ArithOp::kSub:
        return scalar(fmt::format("({} - {})", a, b));
      case ArithOp::kMul:
        return scalar(fmt::format("({} * {})", a, b));
      case ArithOp::kDiv:
        return scalar(fmt::format("{}({}, {})", naming_.Fn("int_div"), a, b));
      case ArithOp::kMod:
        return scalar(fmt::format("{}({}, {})", naming_.Fn("int_mod"), a, b));
    }
  }
  if (l == TypeTable::kDecimalId && r == TypeTable::kDecimalId) {
    switch (n.arith) {
      case ArithOp::kAdd:
        return scalar(fmt::format("{}({} + {})", naming_.Fn("dec"), a, b));
      case ArithOp::kSub:
        return scalar(fmt::format("{}({} - {})", naming_.Fn("dec"), a, b));
      case ArithOp::kMul:
        return scalar(fmt::format("{}({}, {})", naming_.Fn("dec_mul"), a, b));
      case ArithOp::kDiv:
        return scalar(fmt::format("{}({}, {})", naming_.Fn("dec_div"), a, b));
      case ArithOp::kMod:
        return scalar(fmt::format("{}({}, {})", naming_.Fn("dec_mod"), a, b));
    }
  }
  if (l == TypeTable::kDateId && r == TypeTable::kDurationId &&
      (n.arith == ArithOp::kAdd || n.arith == ArithOp::kSub)) {
    return scalar(
        fmt::format("{}({}, {}, {})", naming_.Fn("date_add"), a, b, n.arith == ArithOp::kAdd ? 1 : -1));
  }
  if (l == TypeTable::kDurationId && r == TypeTable::kIntId && n.arith == ArithOp::kMul) {
    return scalar(fmt::format("{}({}, {})", naming_.Fn("dur_mul"), a, b));
  }
  if (l == TypeTable::kIntId && r == TypeTable::kDurationId && n.arith == ArithOp::kMul) {
    return scalar(fmt::format("{}({}, {})", naming_.Fn("dur_mul"), b, a));
  }
  if (l == TypeTable::kTextId && r == TypeTable::kTextId && n.arith == ArithOp::kAdd) {
    return scalar(fmt::format("({} || {})", a, b));
  }
  const Kind kl = types_.kind(l);
  if ((kl == Kind::kList || kl == Kind::kSet) && types_.kind(r) == kl) {
    const TypeId elem = types_.Get(l).elem;
    if (kl == Kind::kList && n.arith == ArithOp::kAdd) {
      return scalar(fmt::format("({} || {})", a, b));
    }
    if (kl == Kind::kSet && IsArrayElement(elem)) {
      if (n.arith == ArithOp::kAdd) {
        return scalar(SortedSet(fmt::format("({} || {})", a, b), elem));
      }
      if (n.arith == ArithOp::kSub) {
        const std::string u = FreshAlias();
        return scalar(
            fmt::format("ARRAY(SELECT {2}.v FROM unnest({0}) WITH ORDINALITY AS {2}(v, i) WHERE NOT "
                        "COALESCE({2}.v = ANY({1}), "
                        "FALSE) ORDER BY {2}.i)",
                        a, b, u));
      }
    }
  }
  Refuse(n.span, fmt::format("arithmetic on `{}` and `{}`", types_.Name(l), types_.Name(r)));
}

auto Translator::Compare(const ir::Node& n, Frame& f) -> SqlVal {
  const TypeId t = types_.Unwrap(n.kids[0]->type);
  const std::string a = Scalar(*n.kids[0], f);
  const std::string b = Scalar(*n.kids[1], f);
  const char* op = "<";
  switch (n.cmp) {
    case ir::CmpOp::kLt:
      op = "<";
      break;
    case ir::CmpOp::kLe:
      op = "<=";
      break;
    case ir::CmpOp::kGt:
      op = ">";
      break;
    case ir::CmpOp::kGe:
      op = ">=";
      break;
  }
  SqlVal out;
  switch (types_.kind(t)) {
    case Kind::kInt:
    case Kind::kDecimal:
    case Kind::kDate:
      out.sql = fmt::format("({} {} {})", a, op, b);
      return out;
    case Kind::kText:
      out.sql = fmt::format("({} COLLATE \"C\" {} {})", a, op, b);
      return out;
    case Kind::kDuration:
      out.sql = fmt::format("({}({}, {}) {} 0)", naming_.Fn("dur_cmp"), a, b, op);
      return out;
    default:
      Refuse(n.span, fmt::format("ordering of `{}` values", types_.Name(t)));
  }
}

auto Translator::In(const ir::Node& n, Frame& f) -> SqlVal {
  const TypeId coll = types_.Unwrap(n.kids[1]->type);
  if (types_.kind(coll) != Kind::kList && types_.kind(coll) != Kind::kSet) {
    Refuse(n.span, fmt::format("`in` on a `{}`", types_.Name(coll)));
  }
  const TypeId elem = types_.Get(coll).elem;
  const SqlVal x = Expr(*n.kids[0], f);
  const std::string c = Scalar(*n.kids[1], f);
  std::string in;
  if (IsArrayElement(elem) && types_.kind(types_.Unwrap(elem)) != Kind::kDuration) {
    in = fmt::format("COALESCE({} = ANY({}), FALSE)", x.sql, c);
  } else {
    const std::string a = FreshAlias();
    const SqlVal item =
        IsArrayElement(elem) ? SqlVal{false, a + ".v", {}, "", false} : FromJson(a + ".v", elem, n.span);
    const std::string source = IsArrayElement(elem) ? fmt::format("unnest({}) AS {}(v)", c, a)
                                                    : fmt::format("jsonb_array_elements({}) AS {}(v)", c, a);
    in = fmt::format("EXISTS (SELECT 1 FROM {} WHERE {})", source, Equal(item, x, elem, n.span));
  }
  SqlVal out;
  out.sql = n.b != 0 ? fmt::format("(NOT {})", in) : in;
  return out;
}

auto Translator::MatchEnum(const ir::Node& n, Frame& f) -> SqlVal {
  const SqlVal scrut = Expr(*n.kids[0], f);
  if (scrut.is_record) {
    Refuse(n.span, "a match on a record");
  }
  const TypeId enum_type = types_.Unwrap(n.kids[0]->type);
  const auto& names = types_.enum_info(enum_type).json_names;
  const bool optional = types_.IsOptional(n.kids[0]->type);
  std::optional<SqlVal> result;
  for (size_t arm = n.kids.size() - 1; arm >= 1; --arm) {
    std::string values;
    for (size_t ord = 0; ord < n.table.size() && ord < names.size(); ++ord) {
      if (n.table[ord] == arm) {
        values += (values.empty() ? "" : ", ") + Literal(names[ord]);
      }
    }
    std::string cond = values.empty() ? "FALSE" : fmt::format("{} IN ({})", scrut.sql, values);
    if (optional && n.b == arm) {
      cond = fmt::format("({} OR {} IS NULL)", cond, scrut.sql);
    }
    if (arm < n.bind.size() && n.bind[arm] != UINT32_MAX) {
      f.slots[n.bind[arm]] = scrut;
    }
    const SqlVal body = Expr(*n.kids[arm], f);
    result = result ? Ite(cond, body, *result) : body;
  }
  if (!result) {
    Refuse(n.span, "an empty match");
  }
  return *result;
}

}  // namespace policy::sql
