# `cmake --install`: the three commands, the scenarios and catalogue where `hubspec` finds them
# (PREFIX/share/hubspec/scenarios, next to PREFIX/bin), and a CMake package for
# find_package(hubspec) with hubspec::protocol, hubspec::client and hubspec::server.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(HUBSPEC_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/hubspec)

install(TARGETS hubspec hubspec-server hubspec-client RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/scenarios/ DESTINATION ${CMAKE_INSTALL_DATADIR}/hubspec/scenarios
        FILES_MATCHING PATTERN "*.yaml" PATTERN "*.md")

# The libraries with their public headers; hubspec::asio (Beast and Asio, compiled once) and
# hubspec::net (plain or TLS streams, OpenSSL) come along because the client and the server link them.
set_target_properties(hubspec_protocol PROPERTIES EXPORT_NAME protocol)
set_target_properties(hubspec_client PROPERTIES EXPORT_NAME client)
set_target_properties(hubspec_server PROPERTIES EXPORT_NAME server)
set_target_properties(hubspec_asio PROPERTIES EXPORT_NAME asio)
set_target_properties(hubspec_net PROPERTIES EXPORT_NAME net)
install(TARGETS hubspec_protocol hubspec_client hubspec_server hubspec_asio hubspec_net EXPORT hubspecTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
foreach(part protocol reference_client reference_server)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${part}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endforeach()
install(EXPORT hubspecTargets NAMESPACE hubspec:: DESTINATION ${HUBSPEC_INSTALL_CMAKEDIR})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/hubspecConfig.cmake.in
                              ${CMAKE_CURRENT_BINARY_DIR}/hubspecConfig.cmake
                              INSTALL_DESTINATION ${HUBSPEC_INSTALL_CMAKEDIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/hubspecConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/hubspecConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/hubspecConfigVersion.cmake
        DESTINATION ${HUBSPEC_INSTALL_CMAKEDIR})
