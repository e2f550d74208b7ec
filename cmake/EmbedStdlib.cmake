# Generates a C++ source holding the text of every stdlib/*.policy file, so the engine needs no
# file I/O to load its standard library (as Wren embeds wren_core.wren).
# Called in script mode: cmake -DSTDLIB_DIR=... -DOUTPUT=... -P EmbedStdlib.cmake
file(GLOB_RECURSE files RELATIVE ${STDLIB_DIR} ${STDLIB_DIR}/*.policy)
list(SORT files)
set(body "// Generated from stdlib/*.policy by cmake/EmbedStdlib.cmake. Do not edit.\n")
string(APPEND body "#include \"compiler/pipeline.h\"\n\nnamespace policy {\n\n")
string(APPEND body "auto StdlibSources() -> const std::vector<std::pair<std::string, std::string>>& {\n")
string(APPEND body "  static const std::vector<std::pair<std::string, std::string>> kSources = {\n")
foreach(f IN LISTS files)
  file(READ ${STDLIB_DIR}/${f} text)
  string(APPEND body "    {\"<stdlib>/${f}\", R\"policy_stdlib(${text})policy_stdlib\"},\n")
endforeach()
string(APPEND body "  };\n  return kSources;\n}\n\n}  // namespace policy\n")
file(WRITE ${OUTPUT}.tmp "${body}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUTPUT}.tmp ${OUTPUT})
