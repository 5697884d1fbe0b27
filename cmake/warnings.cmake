# The project's warning flags, in one place: every target of ours links winoq_warnings
# (PRIVATE). WINOQ_WERROR=ON (CI, scripts/run-tests.sh) turns warnings into errors.
option(WINOQ_WERROR "Treat compiler warnings as errors" OFF)
add_library(winoq_warnings INTERFACE)
target_compile_options(winoq_warnings INTERFACE -Wall -Wextra $<$<BOOL:${WINOQ_WERROR}>:-Werror>)
