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
APPLICABLE : 'applicable';

// ---- literals -------------------------------------------------------------------------------
// A date literal is written as in ISO 8601: 2014-03-17. It wins over `2014 - 03 - 17` by
// longest match; subtraction of integers is written with spaces anyway.
DATE      : DIGIT DIGIT DIGIT DIGIT '-' DIGIT DIGIT '-' DIGIT DIGIT;
DECIMAL   : DIGIT+ '.' DIGIT+;
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
