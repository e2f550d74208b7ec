// Classifications of tokens shared by the parser's pre-scan (parse.cpp) and the formatter
// (format.cpp), which must agree on them: whether a `-` subtracts or negates decides both the
// nesting count and the spacing `a - b` / `-b`.
#pragma once

#include <cstddef>

#include "PolicyLexer.h"

namespace policy::syntax {

inline auto IsAggregateKeyword(size_t type) -> bool {
  using L = policy_grammar::PolicyLexer;
  return type == L::ALL || type == L::ANY || type == L::COUNT || type == L::SUM || type == L::MIN ||
         type == L::MAX || type == L::FILTER || type == L::MAP;
}

// Tokens that can end an operand: after one, `-` subtracts (not negates), `(` calls and `{`
// starts a record literal, a `match` body or a block. Soft keywords count, as they may be names
// (`x.count - 1`, `c.source`).
inline auto EndsOperand(size_t type) -> bool {
  using L = policy_grammar::PolicyLexer;
  switch (type) {
    case L::ID:
    case L::INT:
    case L::DECIMAL:
    case L::PERCENTAGE:
    case L::STRING:
    case L::DATE:
    case L::TRUE:
    case L::FALSE:
    case L::NONE:
    case L::RPAREN:
    case L::RBRACK:
    case L::RBRACE:
    case L::DAYS:
    case L::WEEKS:
    case L::MONTHS:
    case L::YEARS:
    case L::SOURCE:
    case L::EFFECTIVE:
    case L::FROM:
    case L::UNTIL:
    case L::TO:
    case L::OF:
    case L::PARAMETER:
    case L::VALUE:
    case L::APPLICABLE:
    case L::FIXED:
      return true;
    default:
      return IsAggregateKeyword(type);
  }
}

}  // namespace policy::syntax
