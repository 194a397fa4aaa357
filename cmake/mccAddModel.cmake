# mcc_add_model(TARGET <target> MODEL <file.onnx> [NAME <c_name>]
#               [OPTIONS <mcc flags>...])
#
# Compiles MODEL with mcc at build time (again whenever the model or mcc
# changes) into lib<target>.so plus <c_name>.h, and defines <target>: an
# imported shared library whose include directories carry that header and
# mcc/runtime.h. The header declares the typed entry point
# <c_name>_open / <c_name>_run / <c_name>_close. NAME defaults to <target>
# and must be a C identifier. OPTIONS go to mcc as given (-O3, --mcpu,
# --input-shape NAME:1x3x224x224, ...).
function(mcc_add_model)
  cmake_parse_arguments(PARSE_ARGV 0 ARG "" "TARGET;MODEL;NAME" "OPTIONS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "mcc_add_model: unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_TARGET OR NOT ARG_MODEL)
    message(FATAL_ERROR "mcc_add_model: TARGET and MODEL are required")
  endif()
  set(name "${ARG_NAME}")
  if(NOT name)
    set(name "${ARG_TARGET}")
  endif()
  if(NOT name MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "mcc_add_model: model name '${name}' is not a C "
                        "identifier; pass NAME <c_name>")
  endif()
  get_filename_component(model "${ARG_MODEL}" ABSOLUTE
                         BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${model}")
    message(FATAL_ERROR "mcc_add_model: model '${model}' does not exist")
  endif()

  set(dir "${CMAKE_CURRENT_BINARY_DIR}/mcc_models/${ARG_TARGET}")
  set(lib "${dir}/lib${ARG_TARGET}.so")
  set(header "${dir}/${name}.h")
  file(MAKE_DIRECTORY "${dir}") # imported include dirs must exist
  add_custom_command(
    OUTPUT "${lib}" "${header}"
    COMMAND mcc::mcc "${model}" -o "${lib}" --name "${name}"
            --header "${header}" ${ARG_OPTIONS}
    DEPENDS "${model}" mcc::mcc
    COMMENT "mcc: compiling ${ARG_MODEL} into lib${ARG_TARGET}.so"
    VERBATIM)
  add_custom_target(${ARG_TARGET}_mcc_compile DEPENDS "${lib}" "${header}")

  add_library(${ARG_TARGET} SHARED IMPORTED GLOBAL)
  set_target_properties(${ARG_TARGET} PROPERTIES
    IMPORTED_LOCATION "${lib}"
    IMPORTED_SONAME "lib${ARG_TARGET}.so"
    INTERFACE_INCLUDE_DIRECTORIES "${dir}"
    INTERFACE_LINK_LIBRARIES mcc::runtime_headers)
  add_dependencies(${ARG_TARGET} ${ARG_TARGET}_mcc_compile)
endfunction()
