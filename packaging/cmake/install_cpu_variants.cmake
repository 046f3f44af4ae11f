# Injected into llama-cpp-python's CMake project through CMAKE_PROJECT_INCLUDE
# by packaging/build.py for the portable CPU build.
#
# With GGML_BACKEND_DL=ON and GGML_CPU_ALL_VARIANTS=ON, llama.cpp builds one
# CPU backend per instruction-set level (ggml-cpu-x64, -sse42, -haswell, ...)
# and picks the best one for the running CPU at start-up. llama-cpp-python's
# own install rules name only the single "ggml-cpu" target, so the variants
# would be built and then left behind. This file installs them next to
# libllama, in llama_cpp/lib, once the whole project has been configured.

function(ponder_install_cpu_variants)
    set(ggml_src_dir "${CMAKE_SOURCE_DIR}/vendor/llama.cpp/ggml/src")
    get_property(ggml_targets DIRECTORY "${ggml_src_dir}" PROPERTY BUILDSYSTEM_TARGETS)
    set(found "")
    foreach(target IN LISTS ggml_targets)
        if(NOT target MATCHES "^ggml-cpu-")
            continue()
        endif()
        # Each variant also has a "-feats" object library; only the loadable
        # modules themselves belong in the wheel.
        get_target_property(kind ${target} TYPE)
        if(kind STREQUAL "MODULE_LIBRARY" OR kind STREQUAL "SHARED_LIBRARY")
            llama_cpp_python_install_target(${target})
            list(APPEND found ${target})
        endif()
    endforeach()
    message(STATUS "ponder: installing CPU backend variants: ${found}")
endfunction()

cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL ponder_install_cpu_variants)
