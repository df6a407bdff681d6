# hubspec_target_warnings(<target>): the project's warning set on our own code.
# Third-party headers come in as SYSTEM so they never trip these.
function(hubspec_target_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual)
  if(HUBSPEC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
