" Highlighting for the policy language. The keywords are those of grammar/PolicyLexer.g4;
" tests/editor_grammars.py fails when the two differ.
if exists('b:current_syntax')
  finish
endif

syntax keyword policyDeclaration module import as enum record type const def decision parameter test
syntax keyword policyRule default rule exception to source effective from until value fixed
syntax keyword policyKeyword when then else if match expect let in and or not is with of applicable
syntax keyword policyAggregate all any count sum min max filter map
syntax keyword policyUnit day days week weeks month months year years
syntax keyword policyConstant true false none some
syntax keyword policyType Bool Int Decimal Text Date Duration List Set

syntax match policyDate /\<\d\{4}-\d\d-\d\d\>/
syntax match policyNumber /\<\d\+\(\.\d\+\)\?%\?/
syntax region policyString start=/"/ skip=/\\./ end=/"/ oneline
syntax match policyComment /\/\/.*$/ contains=@Spell
syntax match policyDocComment /\/\/\/.*$/ contains=@Spell

highlight default link policyDeclaration Keyword
highlight default link policyRule Statement
highlight default link policyKeyword Conditional
highlight default link policyAggregate Repeat
highlight default link policyUnit Type
highlight default link policyConstant Constant
highlight default link policyType Type
highlight default link policyDate Number
highlight default link policyNumber Number
highlight default link policyString String
highlight default link policyComment Comment
highlight default link policyDocComment SpecialComment

let b:current_syntax = 'policy'
