# Warnings and sanitizers are applied to the project's own targets only (PRIVATE), never to users' builds.
function(trm_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 reports false positives inside its own AVX-512 intrinsics when inlining Eigen.
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
  endif()
  if(TRM_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(TRM_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
endif()

if(TRM_FUZZ)
  # Everything is instrumented for coverage-guided fuzzing; only the fuzz targets link libFuzzer's main.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
endif()
