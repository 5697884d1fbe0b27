# Cross toolchain for 64-bit ARM Linux with Debian's g++-aarch64-linux-gnu.
# Generators still run on the host: point winoq-halide_generators_ROOT at a host build, and
# Halide_DIR / HalideHelpers_DIR at Debian's x86 Halide CMake packages. scripts/build-arm.sh
# does all of it (docs/targets.md).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
# Tests run through qemu-user with the cross sysroot, CPU QEMU_CPU (default max).
set(CMAKE_CROSSCOMPILING_EMULATOR ${CMAKE_CURRENT_LIST_DIR}/qemu-aarch64.sh)
