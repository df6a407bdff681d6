# hubspec::asio: Boost.Asio and Boost.Beast in separate compilation, one TU,
# plus a precompiled header that users reuse. The network components
# (reference server, client, harness probes) link it; nothing else may, so
# Beast and Asio stay out of widely included headers (style guide §2).
# Not built until something links it.
find_package(Threads REQUIRED)
add_library(hubspec_asio STATIC EXCLUDE_FROM_ALL ${CMAKE_CURRENT_LIST_DIR}/asio_beast_separate_compilation.cpp)
add_library(hubspec::asio ALIAS hubspec_asio)
target_compile_definitions(hubspec_asio PUBLIC BOOST_ASIO_SEPARATE_COMPILATION BOOST_BEAST_SEPARATE_COMPILATION
                                               BOOST_ASIO_NO_DEPRECATED)
target_link_libraries(hubspec_asio PUBLIC Boost::headers Threads::Threads)
target_precompile_headers(hubspec_asio PUBLIC
  <boost/asio/io_context.hpp> <boost/asio/ip/tcp.hpp> <boost/asio/steady_timer.hpp>
  <boost/beast/core.hpp> <boost/beast/http.hpp> <boost/beast/websocket.hpp>)
