# Project-wide warning policy: everything we write compiles warning-free, and
# warnings are errors. Third-party headers come in as SYSTEM includes.
add_library(clasp_warnings INTERFACE)
target_compile_options(clasp_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor -Woverloaded-virtual
  -Wcast-qual -Wformat=2 -Wimplicit-fallthrough -Werror)
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  # libstdc++ 12 only exposes std::expected when __cpp_concepts says C++20
  # concepts are complete; clang 16 implements what <expected> needs but still
  # reports the older value. Only the clang (fuzz) build sees this.
  target_compile_options(clasp_warnings INTERFACE -Wno-builtin-macro-redefined)
  target_compile_definitions(clasp_warnings INTERFACE __cpp_concepts=202002L)
endif()
