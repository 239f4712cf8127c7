// exception_text: the message of an exception held in an exception_ptr (what()
// of a std::exception, "unknown exception" for anything else), for the places
// that receive an exception from another thread or a library callback and
// report it as text. Header-only, no dependency on any stage.
#pragma once
#include <exception>
#include <string>

namespace fiokit::util {

inline std::string exception_text(std::exception_ptr ep) {
  try {
    std::rethrow_exception(ep);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace fiokit::util
