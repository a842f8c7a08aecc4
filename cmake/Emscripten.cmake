# Emscripten (WebAssembly) specifics, in one place. Included by the root CMakeLists.txt when EMSCRIPTEN is set,
# instead of the find_package calls of the native build. Facts behind each choice: ../shared/docs/toolchain.md.
#
#  - em++ must not search /usr/include (glibc headers shadow the wasm libc), so the header-only libraries are
#    offered through a private include directory made at configure time: symlinks to nlohmann_json, xtensor
#    and xtl, and a patched copy of Eigen 3.4 (see below). The targets the core links against
#    (Eigen3::Eigen, nlohmann_json::nlohmann_json, xtensor) are defined here as INTERFACE targets over it.
#  - SIMD: `-msimd128 -msse4.2` makes Emscripten map SSE intrinsics to wasm SIMD, and Eigen then vectorises.
#    Stock Eigen 3.4.0 fails twice with it: it includes <mmintrin.h> (absent in Emscripten) and it takes the
#    x86 inline-asm path in pmin/pmax because clang reports itself as GCC 4.2. The copy is patched for both.
#  - Exceptions must be on at compile and link, or a throw kills the module instead of reaching catch. We use
#    Emscripten's JS-based EH (-fexceptions), not native wasm EH (-fwasm-exceptions): clang 14's wasm-EH
#    codegen is not deterministic (WebAssemblyCFGStackify places try/delegate for call-unwind mismatches in
#    pointer-hash order, so two builds of core/io/weights_json.cpp differ in one delegate depth about half the
#    time), and www/generated/trm.js must be byte-reproducible for the staleness check. Measured cost of JS EH: +125 KB
#    (655 -> 781 KB) and 0-25% slower inference. TRM_WASM_EH=wasm switches back (smaller, not reproducible).
#  - Reproducible output: absolute source/build paths are mapped away so any checkout builds the same bytes.

set(TRM_EIGEN_SOURCE_DIR "/usr/include/eigen3" CACHE PATH "Eigen 3.4 headers to copy and patch for wasm")
set(TRM_HEADER_LIBS_DIR "/usr/include" CACHE PATH "Where nlohmann/, xtensor/ and xtl/ live")

set(TRM_WASM_INCLUDE "${CMAKE_BINARY_DIR}/wasm-include")
if(NOT EXISTS "${TRM_EIGEN_SOURCE_DIR}/Eigen/Core")
  message(FATAL_ERROR "Eigen headers not found in ${TRM_EIGEN_SOURCE_DIR} (apt-get install libeigen3-dev)")
endif()
foreach(lib nlohmann xtensor xtl)
  if(NOT EXISTS "${TRM_HEADER_LIBS_DIR}/${lib}")
    message(FATAL_ERROR "${TRM_HEADER_LIBS_DIR}/${lib} not found (see scripts/install-deps.sh)")
  endif()
endforeach()

# Fresh every configure, so a changed Eigen or patch never leaves a stale copy.
file(REMOVE_RECURSE "${TRM_WASM_INCLUDE}")
file(MAKE_DIRECTORY "${TRM_WASM_INCLUDE}")
foreach(lib nlohmann xtensor xtl)
  file(CREATE_LINK "${TRM_HEADER_LIBS_DIR}/${lib}" "${TRM_WASM_INCLUDE}/${lib}" SYMBOLIC)
endforeach()
# Eigen/ and unsupported/ (SpecialFunctions etc.) together: unsupported/ includes "../../Eigen/Core" relatively,
# so it must sit next to the patched copy.
file(COPY "${TRM_EIGEN_SOURCE_DIR}/Eigen" "${TRM_EIGEN_SOURCE_DIR}/unsupported" DESTINATION "${TRM_WASM_INCLUDE}")

# Applies one textual patch to a file of the copy; fails loudly if the text is not there (another Eigen).
function(trm_patch_eigen relpath from to)
  set(path "${TRM_WASM_INCLUDE}/${relpath}")
  file(READ "${path}" text)
  string(FIND "${text}" "${from}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "Eigen patch for wasm: \"${from}\" not found in ${relpath} (Eigen is not 3.4.0?)")
  endif()
  string(REPLACE "${from}" "${to}" text "${text}")
  file(WRITE "${path}" "${text}")
endfunction()

trm_patch_eigen("Eigen/src/Core/util/ConfigureVectorization.h"
  "#include <mmintrin.h>" "/* <mmintrin.h>: not in Emscripten (patched for wasm) */")
foreach(arch SSE AVX)
  trm_patch_eigen("Eigen/src/Core/arch/${arch}/PacketMath.h"
    "#if EIGEN_COMP_GNUC && EIGEN_COMP_GNUC < 63"
    "#if 0 /* GCC < 6.3 inline-asm workaround: never for clang/wasm (patched) */")
endforeach()

add_library(Eigen3::Eigen INTERFACE IMPORTED GLOBAL)
set_target_properties(Eigen3::Eigen PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${TRM_WASM_INCLUDE}"
  # The core passes int64_t sizes to Eigen; on wasm32 Eigen::Index (ptrdiff_t) is 32-bit, and the braced
  # initialisers in core/autodiff/tensor.h would be narrowing errors. A 64-bit Index matches the native build.
  INTERFACE_COMPILE_DEFINITIONS "EIGEN_DEFAULT_DENSE_INDEX_TYPE=long long")
add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED GLOBAL)
set_target_properties(nlohmann_json::nlohmann_json PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${TRM_WASM_INCLUDE}")
add_library(xtensor INTERFACE IMPORTED GLOBAL)
set_target_properties(xtensor PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${TRM_WASM_INCLUDE}")

# Every target of the wasm build: SIMD (SSE mapped to wasm SIMD128) and exceptions.
set(TRM_WASM_EH "js" CACHE STRING "Exception handling: js (Emscripten's JS-based EH, reproducible) or wasm (native)")
if(TRM_WASM_EH STREQUAL "js")
  set(TRM_EH_FLAG -fexceptions)
else()
  set(TRM_EH_FLAG -fwasm-exceptions)
endif()
add_compile_options(-msimd128 -msse4.2 ${TRM_EH_FLAG})
# The core's own register-tiled kernel for out = x w^T (core/ops/linear.cpp): 1.7-2x Eigen's speed in wasm.
# Eigen's remaining GEMMs (the backward's): Eigen takes wasm32 for a machine with 8 vector registers and no
# multiply-add, and picks a 4x4 tile; V8 gives wasm 16 registers on x64, and with both facts stated Eigen picks
# 12x4 (measured before the tiled kernel existed, when Eigen ran every GEMM: the shipped model 13% faster in
# Node with bench/wasm_bench.js).
add_compile_definitions(TRM_TILED_GEMM=1 EIGEN_ARCH_DEFAULT_NUMBER_OF_REGISTERS=16 EIGEN_HAS_SINGLE_INSTRUCTION_MADD)
add_link_options(${TRM_EH_FLAG})
# Reproducibility: no absolute paths of this checkout or build tree in the output.
add_compile_options("-ffile-prefix-map=${CMAKE_SOURCE_DIR}/=" "-ffile-prefix-map=${CMAKE_BINARY_DIR}/=")

# Threads need cross-origin isolation, which a file:// page never has: the wasm build is single-threaded.
set(TRM_OPENMP OFF CACHE BOOL "Use OpenMP threads in the kernels" FORCE)
