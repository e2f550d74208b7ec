// Records as values: record literals (every field that is not optional given, none twice) and
// `with` updates along field paths. Reading a field is in expr_names.cpp, with the other dotted
// names.
#include "compiler/check/checker.h"

#include <fmt/format.h>

#include <set>

namespace policy::check {

using ast::Expr;
using ast::ExprPtr;

auto Checker::CheckRecordLit(Expr& e, Body& body) -> TypeId {
  TypeTable& types = program_.types;
  ast::TypeRef ref;
  ref.path = {e.text};
  ref.span = e.name_span;
  const TypeId t = ResolveTypeRef(ref, body.module);
  if (IsError(t) || Kind(t) != policy::Kind::kRecord) {
    if (!IsError(t)) {
      diags_.Report(DiagCode::kBadOperands, e.name_span, fmt::format("`{}` is not a record type", e.text),
                    "not a record");
    }
    for (ExprPtr& k : e.kids) {
      CheckExpr(k, body, TypeTable::kErrorId);
    }
    return TypeTable::kErrorId;
  }
  const RecordInfo& rec = types.record_info(t);
  std::vector<bool> given(rec.fields.size(), false);
  for (size_t i = 0; i < e.names.size(); ++i) {
    const auto idx = rec.FieldIndex(e.names[i]);
    if (!idx) {
      std::vector<std::string> names;
      for (const FieldInfo& f : rec.fields) {
        names.push_back(f.name);
      }
      Diagnostic& d =
          diags_.Report(DiagCode::kUnknownField, e.name_spans[i],
                        fmt::format("unknown field `{}` on `{}`", e.names[i], Name(t)), "no such field");
      if (const std::string s = SuggestName(e.names[i], names); !s.empty()) {
        d.WithSuggestion(s);
      }
      CheckExpr(e.kids[i], body, TypeTable::kErrorId);
      e.field_indices.push_back(UINT32_MAX);
      continue;
    }
    if (given[*idx]) {
      diags_.Report(DiagCode::kDuplicateField, e.name_spans[i],
                    fmt::format("field `{}` is given twice", e.names[i]), "given again here");
    }
    given[*idx] = true;
    e.field_indices.push_back(*idx);
    const TypeId ft = rec.fields[*idx].type;
    CheckExpr(e.kids[i], body, ft);
    Require(e.kids[i], ft, body, fmt::format("field `{}` of `{}`", e.names[i], Name(t)));
  }
  std::string missing;
  for (size_t f = 0; f < rec.fields.size(); ++f) {
    // Optional fields may be left out: they are `none`.
    if (!given[f] && !types.IsOptional(rec.fields[f].type)) {
      missing += fmt::format("{}`{}`", missing.empty() ? "" : ", ", rec.fields[f].name);
    }
  }
  if (!missing.empty()) {
    diags_
        .Report(DiagCode::kMissingField, e.span, fmt::format("`{}` is missing {}", Name(t), missing),
                "incomplete record")
        .WithHelp("every field that is not optional (`T?`) must be given");
  }
  return t;
}

auto Checker::CheckWith(Expr& e, Body& body) -> TypeId {
  TypeTable& types = program_.types;
  const TypeId base = CheckExpr(e.kids[0], body, TypeTable::kErrorId);
  if (IsError(base)) {
    for (size_t i = 1; i < e.kids.size(); ++i) {
      CheckExpr(e.kids[i], body, TypeTable::kErrorId);
    }
    return TypeTable::kErrorId;
  }
  if (Kind(base) != policy::Kind::kRecord) {
    diags_.Report(DiagCode::kBadOperands, e.kids[0]->span,
                  fmt::format("`with` updates records; this is a `{}`", Name(base)), "not a record");
    return TypeTable::kErrorId;
  }
  std::set<std::string> seen;
  for (size_t u = 0; u < e.paths.size(); ++u) {
    const auto& path = e.paths[u];
    const std::string joined = ast::JoinPath(path);
    if (!seen.insert(joined).second) {
      diags_.Report(DiagCode::kDuplicateField, e.name_spans[u], fmt::format("`{}` is updated twice", joined),
                    "updated again here");
    }
    TypeId cur = base;
    bool ok = true;
    for (size_t k = 0; k < path.size(); ++k) {
      if (types.IsOptional(cur) && Kind(types.Get(cur).elem) == policy::Kind::kRecord) {
        diags_
            .Report(DiagCode::kOptionalNotHandled, e.name_spans[u],
                    fmt::format("cannot update inside `{}`: it may be `none`",
                                ast::JoinPath({path.begin(), path.begin() + static_cast<long>(k)})),
                    "optional on the way")
            .WithHelp("replace the whole optional record instead");
        ok = false;
        break;
      }
      if (Kind(cur) != policy::Kind::kRecord) {
        diags_.Report(DiagCode::kBadOperands, e.name_spans[u],
                      fmt::format("`{}` is a `{}`, which has no fields", path[k - 1], Name(cur)),
                      "no fields here");
        ok = false;
        break;
      }
      const RecordInfo& rec = types.record_info(cur);
      const auto idx = rec.FieldIndex(path[k]);
      if (!idx) {
        std::vector<std::string> names;
        for (const FieldInfo& f : rec.fields) {
          names.push_back(f.name);
        }
        Diagnostic& d =
            diags_.Report(DiagCode::kUnknownField, e.name_spans[u],
                          fmt::format("unknown field `{}` on `{}`", path[k], Name(cur)), "no such field");
        if (const std::string s = SuggestName(path[k], names); !s.empty()) {
          d.WithSuggestion(s);
        }
        ok = false;
        break;
      }
      e.field_indices.push_back(*idx);
      cur = rec.fields[*idx].type;
    }
    e.path_lengths.push_back(static_cast<uint32_t>(path.size()));
    CheckExpr(e.kids[u + 1], body, ok ? cur : TypeTable::kErrorId);
    if (ok) {
      Require(e.kids[u + 1], cur, body, fmt::format("field `{}`", joined));
    } else {
      return TypeTable::kErrorId;
    }
  }
  return base;
}

}  // namespace policy::check
