# WINOQ_SANITIZE: a comma-separated -fsanitize= list (e.g. address,undefined; the asan preset)
# applied to every target built here. The Halide generators should then come from a release
# build (winoq-halide_generators_ROOT): instrumenting LLVM's code generation only slows the
# build, and the generated kernels are not instrumented either way.
set(WINOQ_SANITIZE "" CACHE STRING "Sanitizers for every target, as -fsanitize= takes them (address,undefined)")
if(WINOQ_SANITIZE)
  add_compile_options(-fsanitize=${WINOQ_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${WINOQ_SANITIZE})
endif()
