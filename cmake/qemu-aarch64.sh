#!/bin/sh
# The emulator of the ARM cross build (CMAKE_CROSSCOMPILING_EMULATOR): qemu-user with Debian's
# aarch64 sysroot, on the CPU named by QEMU_CPU, by default `max` (has the dot product, so
# the arm_dot_prod kernels run; tests set QEMU_CPU=cortex-a53 for an ARMv8.0 CPU).
exec qemu-aarch64 -L /usr/aarch64-linux-gnu -cpu "${QEMU_CPU:-max}" "$@"
