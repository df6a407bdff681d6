# Every third-party package, found once. scripts/install-deps installs them.
find_package(Boost 1.81.0 REQUIRED CONFIG)

if(HUBSPEC_BUILD_TESTS AND NOT HUBSPEC_FUZZ)
  find_package(Catch2 2.13 REQUIRED)
  include(Catch)
  # msgpack-cxx is unpacked by install-deps (its Debian package conflicts with
  # Boost 1.81); tests use it as an independent MessagePack encoder.
  list(APPEND CMAKE_PREFIX_PATH ${CMAKE_SOURCE_DIR}/build/third_party/msgpack-cxx/usr)
  find_package(msgpack REQUIRED)
endif()

if(NOT HUBSPEC_FUZZ)
  find_package(CLI11 REQUIRED)
  find_package(yaml-cpp REQUIRED) # scenario scripts, requirement catalogue, expectations
endif()
