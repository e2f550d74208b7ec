// Lexer for the policy language. Split from the parser grammar so that lexer modes stay
// available (ANTLR 4.7 needs split grammars for them) and so the token vocabulary is one place.
//
// Conventions:
// - Keywords come first, in one block. "Soft" keywords (units, aggregates, clause words such as
//   `source`) are also accepted as names by the parser rule `name`, so a record field may be
//   called `source` or `count`.
// - Comments are kept, not skipped: `///` doc comments go to the DOCS channel (the AST builder
//   attaches them to the declaration that follows); `//` comments go to HIDDEN. Both are there
//   for the formatter.
// - Any character the lexer cannot place becomes an ERROR_CHAR token instead of a lexer error,
//   so the parser reports it with a span like any other syntax error.
lexer grammar PolicyLexer;

channels { DOCS }

@members {
  // Whether the code point `c` can begin an operand: a name or keyword, a number, a bracket that
  // opens an expression, or a text literal. Decides whether a `%` right after a number is a
  // percent sign (PERCENTAGE). Every code point beyond ASCII counts, as a letter of any script
  // starts a name; the two that are whitespace (U+00A0, U+3000) do not.
  static bool StartsOperand(size_t c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c == '(' || c == '[' || c == '{' || c == '"' ||
           (c >= 0x80 && c != 0xA0 && c != 0x3000 && c != antlr4::Token::EOF);
  }
}

// ---- keywords -------------------------------------------------------------------------------
MODULE    : 'module';
IMPORT    : 'import';
AS        : 'as';
ENUM      : 'enum';
RECORD    : 'record';
TYPE      : 'type';
CONST     : 'const';
DEF       : 'def';
DECISION  : 'decision';
DEFAULT   : 'default';
RULE      : 'rule';
EXCEPTION : 'exception';
WHEN      : 'when';
THEN      : 'then';
ELSE      : 'else';
IF        : 'if';
MATCH     : 'match';
TEST      : 'test';
EXPECT    : 'expect';
LET       : 'let';
IN        : 'in';
AND       : 'and';
OR        : 'or';
NOT       : 'not';
IS        : 'is';
WITH      : 'with';
TRUE      : 'true';
FALSE     : 'false';
NONE      : 'none';
SOME      : 'some';
// soft keywords (also valid as names)
SOURCE    : 'source';
EFFECTIVE : 'effective';
FROM      : 'from';
UNTIL     : 'until';
TO        : 'to';
OF        : 'of';
ALL       : 'all';
ANY       : 'any';
COUNT     : 'count';
SUM       : 'sum';
MIN       : 'min';
MAX       : 'max';
FILTER    : 'filter';
MAP       : 'map';
DAYS      : 'day' | 'days';
WEEKS     : 'week' | 'weeks';
MONTHS    : 'month' | 'months';
YEARS     : 'year' | 'years';
PARAMETER : 'parameter';
VALUE     : 'value';
FIXED     : 'fixed';
APPLICABLE : 'applicable';

// ---- literals -------------------------------------------------------------------------------
// A date literal is written as in ISO 8601: 2014-03-17. It wins over `2014 - 03 - 17` by
// longest match; subtraction of integers is written with spaces anyway.
DATE      : DIGIT DIGIT DIGIT DIGIT '-' DIGIT DIGIT '-' DIGIT DIGIT;
DECIMAL   : DIGIT+ '.' DIGIT+;
// A percentage is a number with `%` written right after it: `20%` is the Decimal 0.20 and
// `12.5%` is 0.125. `%` is also the remainder operator, so the `%` belongs to the number only
// when nothing that could be its right operand follows at once (the predicate sees the
// character after the `%`): `20%`, `20%)` and `20% * x` are percentages; `20 % 7`, `20%7`,
// `20%x` and `20%(x)` are remainders. `20%-x` could be either; the parser's pre-scan reports it
// (compiler/syntax/parse.cpp). Longest match makes `20%` win over INT `20`.
PERCENTAGE : DIGIT+ ('.' DIGIT+)? '%' { !StartsOperand(_input->LA(1)) }?;
INT       : DIGIT+;
STRING    : '"' ( ~["\\\r\n] | '\\' ~[\r\n] )* '"';
UNTERMINATED_STRING : '"' ( ~["\\\r\n] | '\\' ~[\r\n] )*;

// Identifiers are Unicode: letters of any script (申请人 is a valid name), digits, underscore.
ID        : [\p{L}_] [\p{L}\p{M}\p{N}_]*;

// ---- punctuation ----------------------------------------------------------------------------
ARROW     : '->';
FATARROW  : '=>';
EQEQ      : '==';
NEQ       : '!=';
LE        : '<=';
GE        : '>=';
LT        : '<';
GT        : '>';
ASSIGN    : '=';
QQ        : '??';
QUESTION  : '?';
PLUS      : '+';
MINUS     : '-';
STAR      : '*';
SLASH     : '/';
PERCENT   : '%';
LPAREN    : '(';
RPAREN    : ')';
LBRACE    : '{';
RBRACE    : '}';
LBRACK    : '[';
RBRACK    : ']';
COMMA     : ',';
DOT       : '.';
COLON     : ':';
PIPE      : '|';

// ---- trivia ---------------------------------------------------------------------------------
DOC_COMMENT  : '///' ~[\r\n]* -> channel(DOCS);
LINE_COMMENT : '//' ~[\r\n]* -> channel(HIDDEN);
WS           : [ \t\r\n\f\u3000\u00A0]+ -> channel(HIDDEN);

ERROR_CHAR   : .;

fragment DIGIT : [0-9];
