# `cmake --install`: the shared library, the public headers, the `policy` command, a CMake package
# (find_package(policy) -> policy::policy) and a pkg-config file (pkg-config --cflags --libs policy).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS policy_lib EXPORT policyTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/runtime/include/policy/policy.hpp
              ${PROJECT_SOURCE_DIR}/runtime/include/policy/policy.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/policy)
install(TARGETS policy RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(POLICY_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/policy)
install(EXPORT policyTargets NAMESPACE policy:: DESTINATION ${POLICY_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/policyConfig.cmake.in
  ${PROJECT_BINARY_DIR}/policyConfig.cmake INSTALL_DESTINATION ${POLICY_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/policyConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/policyConfig.cmake ${PROJECT_BINARY_DIR}/policyConfigVersion.cmake
  DESTINATION ${POLICY_CMAKE_DIR})

file(RELATIVE_PATH POLICY_PC_TO_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
configure_file(${PROJECT_SOURCE_DIR}/cmake/policy.pc.in ${PROJECT_BINARY_DIR}/policy.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/policy.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# For embedders who run ThreadSanitizer against an uninstrumented library (docs/embedding.md).
install(FILES ${PROJECT_SOURCE_DIR}/cmake/tsan-uninstrumented.supp DESTINATION ${CMAKE_INSTALL_DATADIR}/policy)
