# Cross-compiling for 64-bit ARM boards (Jetson, Raspberry Pi 4/5, Coral Dev
# Board) with Debian's g++-aarch64-linux-gnu against an arm64 Debian root
# that holds the board's libraries (scripts/cross_build_aarch64.sh makes one).
#   cmake -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
#         -DNAS_SYSROOT=/path/to/arm64-root -DNAS_RUNNER_ONLY=ON ...
# Tests run under qemu user-mode emulation when qemu-aarch64-static is there.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# try_compile projects read this file again and need the root too.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES NAS_SYSROOT)
if(NOT NAS_SYSROOT)
  message(FATAL_ERROR "aarch64 toolchain: set NAS_SYSROOT to an arm64 Debian root "
                      "(scripts/cross_build_aarch64.sh makes one)")
endif()
set(CMAKE_SYSROOT "${NAS_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH "${NAS_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(NAS_QEMU_AARCH64 qemu-aarch64-static)
if(NAS_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${NAS_QEMU_AARCH64};-L;${NAS_SYSROOT}")
endif()
