# Regenerates the decimal reference table with Python's decimal module and fails when it differs
# from the committed tests/data/decimal_reference.tsv (ctest decimal_reference_is_current).
execute_process(COMMAND ${PYTHON} ${SOURCE_DIR}/tests/data/decimal_reference.py
                OUTPUT_VARIABLE regenerated RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "tests/data/decimal_reference.py failed (${status})")
endif()
file(READ ${SOURCE_DIR}/tests/data/decimal_reference.tsv committed)
if(NOT regenerated STREQUAL committed)
  message(FATAL_ERROR "tests/data/decimal_reference.tsv is not what tests/data/decimal_reference.py "
                      "computes: regenerate it (see the script's header) and review the difference")
endif()
