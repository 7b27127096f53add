# Project-wide warning policy: everything we write compiles warning-free, and
# warnings are errors. Third-party headers come in as SYSTEM includes.
add_library(clasp_warnings INTERFACE)
target_compile_options(clasp_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wnon-virtual-dtor -Woverloaded-virtual
  -Wcast-qual -Wformat=2 -Wimplicit-fallthrough -Werror)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # Local shadowing is the bug-prone kind; GCC's plain -Wshadow also flags
  # enumerators that share a name with a type (Value::Kind::Map vs Map).
  target_compile_options(clasp_warnings INTERFACE -Wshadow=local)
  # GCC 12 at -O3 reports impossible overlaps inside libstdc++'s std::string
  # operator+ (GCC bug 105651); the warning has no true positives to offer here.
  target_compile_options(clasp_warnings INTERFACE -Wno-restrict)
elseif(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  # libstdc++ 12 only exposes std::expected when __cpp_concepts says C++20
  # concepts are complete; clang 16 implements what <expected> needs but still
  # reports the older value. Only the clang (fuzz) build sees this.
  target_compile_options(clasp_warnings INTERFACE -Wno-builtin-macro-redefined -Wno-macro-redefined)
  target_compile_definitions(clasp_warnings INTERFACE __cpp_concepts=202002L)
endif()
