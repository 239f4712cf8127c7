// The front end (serve/web/: JS, CSS) embedded into the binary at build time by
// embed_assets.cmake, so `fiokit serve` works offline with nothing installed
// beside the binary.
#pragma once
#include <cstddef>
#include <string_view>

namespace fiokit::serve {

struct Asset {
  std::string_view name;  // file name under serve/web/
  std::string_view mime;
  const unsigned char* data;
  size_t size;
};

// nullptr when no asset has that name.
const Asset* find_asset(std::string_view name);

}  // namespace fiokit::serve
