# Finds Debian's ANTLR 4 tool (Java) and C++ runtime, and provides antlr4_generate_cpp().
#
# Debian's own CMake files for ANTLR are unusable as shipped (the jar has no Class-Path and the
# runtime targets lack include directories), so the tool is run as
# `java -cp <the five jars> org.antlr.v4.Tool` and the runtime gets our own IMPORTED target.

find_package(Java 11 COMPONENTS Runtime REQUIRED)

set(_antlr4_jars antlr4 antlr4-runtime antlr3-runtime stringtemplate4 treelayout)
set(ANTLR4_CLASSPATH "")
foreach(jar IN LISTS _antlr4_jars)
  find_file(ANTLR4_JAR_${jar} NAMES ${jar}.jar PATHS /usr/share/java NO_DEFAULT_PATH REQUIRED)
  list(APPEND ANTLR4_CLASSPATH "${ANTLR4_JAR_${jar}}")
endforeach()
string(REPLACE ";" ":" ANTLR4_CLASSPATH "${ANTLR4_CLASSPATH}")
set(ANTLR4_TOOL ${Java_JAVA_EXECUTABLE} -cp "${ANTLR4_CLASSPATH}" org.antlr.v4.Tool)

find_path(ANTLR4_RUNTIME_INCLUDE_DIR antlr4-runtime.h PATH_SUFFIXES antlr4-runtime REQUIRED)
find_library(ANTLR4_RUNTIME_LIBRARY NAMES antlr4-runtime REQUIRED)

# clang rejects one header of the 4.9 runtime: misc/InterpreterDataReader.h default-constructs
# a Vocabulary whose default constructor is deleted (gcc accepts it). We never use that struct,
# so for clang (the fuzzing build) a patched copy is written into the build tree, next to a copy
# of antlr4-runtime.h: the umbrella header's quoted include then finds the patched file first,
# and every other header still comes from the system.
set(_antlr4_includes "${ANTLR4_RUNTIME_INCLUDE_DIR}")
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  set(_shim "${CMAKE_BINARY_DIR}/antlr4-clang-shim")
  file(READ "${ANTLR4_RUNTIME_INCLUDE_DIR}/misc/InterpreterDataReader.h" _reader)
  string(REPLACE "InterpreterData() {};" "InterpreterData() = delete;" _reader "${_reader}")
  file(WRITE "${_shim}/misc/InterpreterDataReader.h" "${_reader}")
  configure_file("${ANTLR4_RUNTIME_INCLUDE_DIR}/antlr4-runtime.h" "${_shim}/antlr4-runtime.h" COPYONLY)
  set(_antlr4_includes "${_shim};${ANTLR4_RUNTIME_INCLUDE_DIR}")
endif()
if(NOT TARGET antlr4::runtime)
  add_library(antlr4::runtime UNKNOWN IMPORTED)
  set_target_properties(antlr4::runtime PROPERTIES
    IMPORTED_LOCATION "${ANTLR4_RUNTIME_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${_antlr4_includes}"
    INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${_antlr4_includes}")
endif()

# antlr4_generate_cpp(<target> LEXER <g4> PARSER <g4> NAMESPACE <ns>)
# Generates the lexer and parser into the build tree and builds them as a static library.
# The lexer runs first: the parser grammar's tokenVocab needs <Lexer>.tokens.
function(antlr4_generate_cpp target)
  cmake_parse_arguments(ARG "" "LEXER;PARSER;NAMESPACE" "" ${ARGN})
  get_filename_component(lexer_name ${ARG_LEXER} NAME_WE)
  get_filename_component(parser_name ${ARG_PARSER} NAME_WE)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/generated)
  set(lexer_out ${out}/${lexer_name}.cpp ${out}/${lexer_name}.h ${out}/${lexer_name}.tokens
                ${out}/${lexer_name}.interp)
  set(parser_out ${out}/${parser_name}.cpp ${out}/${parser_name}.h)
  add_custom_command(OUTPUT ${lexer_out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out}
    COMMAND ${ANTLR4_TOOL} -Dlanguage=Cpp -Werror -package ${ARG_NAMESPACE} -o ${out}
            -Xexact-output-dir ${ARG_LEXER}
    DEPENDS ${ARG_LEXER}
    COMMENT "ANTLR: generating ${lexer_name}"
    VERBATIM)
  add_custom_command(OUTPUT ${parser_out}
    COMMAND ${ANTLR4_TOOL} -Dlanguage=Cpp -Werror -package ${ARG_NAMESPACE} -no-visitor
            -no-listener -lib ${out} -o ${out} -Xexact-output-dir ${ARG_PARSER}
    DEPENDS ${ARG_PARSER} ${out}/${lexer_name}.tokens
    COMMENT "ANTLR: generating ${parser_name}"
    VERBATIM)
  add_library(${target} STATIC ${out}/${lexer_name}.cpp ${out}/${parser_name}.cpp)
  target_include_directories(${target} SYSTEM PUBLIC ${out})
  target_link_libraries(${target} PUBLIC antlr4::runtime)
  # Generated code is not ours: no warnings, and ANTLR 4.7's u8"" literals need -fno-char8_t
  # under C++20.
  target_compile_options(${target} PRIVATE -w -fno-char8_t)
endfunction()
