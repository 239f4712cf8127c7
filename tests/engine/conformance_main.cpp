// main of test_conformance: runs the conformance suite (test_conformance.cpp)
// against the one engine named by --engine=NAME (the other arguments go to
// Catch). When the kernel refuses that engine to this process (io_uring under
// a seccomp profile or kernel.io_uring_disabled, libaio without AIO), it prints
// the reason and exits 77, CTest's SKIP_RETURN_CODE, as liburing's tests do:
// a skipped engine is a skipped test, never a pass.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "engine_test_util.hpp"

int main(int argc, char** argv) {
  std::string engine;
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--engine=", 0) == 0) engine = a.substr(9);
    else rest.push_back(argv[i]);
  }
  if (engine.empty() || !fiokit::engine::find_engine(engine)) {
    std::fprintf(stderr, "usage: test_conformance --engine=NAME [Catch options]; NAME one of the registered engines\n");
    return 2;
  }
  if (const std::string why = fiokit::test::engine_unavailable(engine); !why.empty()) {
    std::printf("SKIP: ioengine=%s is not usable by this process: %s\n", engine.c_str(), why.c_str());
    return 77;
  }
  fiokit::test::conformance_engine() = engine;
  const int rc = Catch::Session().run(static_cast<int>(rest.size()), rest.data());
  // Catch exits with the number of failed assertions: 77 of them must not read as a skip.
  return rc == 77 ? 1 : rc;
}
