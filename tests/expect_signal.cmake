# Passes only if RUN (a ;-list, the command) dies with the signal SIGNAL (its name as CMake reports it,
# e.g. "Illegal instruction") or exits with 128 + NUMBER. Used by ctest to prove that the
# dot-product-only ARM library executes sdot: under QEMU_CPU=cortex-a53 it must die of SIGILL.
#   cmake -DRUN=qemu-aarch64;-L;/usr/aarch64-linux-gnu;./bin/x "-DSIGNAL=Illegal instruction"
#         -DNUMBER=4 -P expect_signal.cmake
if(NOT RUN OR NOT SIGNAL OR NOT NUMBER)
  message(FATAL_ERROR "usage: cmake -DRUN=... -DSIGNAL=<name> -DNUMBER=<n> -P expect_signal.cmake")
endif()
execute_process(COMMAND ${RUN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "exit: '${rc}'\nstdout: ${out}\nstderr: ${err}")
math(EXPR code "128 + ${NUMBER}")
if(NOT rc STREQUAL SIGNAL AND NOT rc STREQUAL code)
  message(FATAL_ERROR "expected death by '${SIGNAL}', got exit '${rc}'")
endif()
