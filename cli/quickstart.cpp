// See quickstart.hpp.
#include "cli/quickstart.hpp"

#include <stdlib.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>

namespace fiokit::cli {

std::string make_quickstart_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/fiokit-quickstart-XXXXXX";
  if (!mkdtemp(tmpl.data())) throw std::system_error(errno, std::generic_category(), "cannot create " + tmpl);
  const std::string data = tmpl + "/data";
  if (::mkdir(data.c_str(), 0755) != 0) throw std::system_error(errno, std::generic_category(), "cannot create " + data);
  return tmpl;
}

}  // namespace fiokit::cli
