// Helpers shared by the plot tests: temporary directories, running
// `fiokit plot` and external programs, and a small PNG decoder (zlib
// only) so a rendered image can be checked for drawn pixels, not just size.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace plottest {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void write_file(const std::string& path, const std::string& text);
std::string read_file(const std::string& path);
bool file_exists(const std::string& path);

struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};
// Runs `cmd` with /bin/sh in `cwd`, capturing stdout and stderr.
CommandResult run_command(const std::string& cmd, const std::string& cwd);
// Runs `fiokit plot` (the shipped binary) with shell-quoted args in `cwd`.
CommandResult run_plot(const std::vector<std::string>& args, const std::string& cwd,
                       const std::string& env_prefix = "");
std::string shell_quote(const std::string& s);
bool have_program(const std::string& name);

// fio-format rows "t, v, ddir, bs, prio" for a synthetic job: `n` samples every
// `step_ms`, value = base + a deterministic wobble, one spike at n/2.
std::string synthetic_log(int n, int step_ms, uint64_t base, int ddir = 0, uint64_t bs = 4096,
                          uint64_t spike = 0);

struct Png {
  uint32_t width = 0, height = 0;
  int channels = 0;           // 3 (RGB) or 4 (RGBA)
  std::vector<uint8_t> pixels;  // row-major, channels bytes per pixel
};
// Reads only the IHDR chunk (size check).
bool read_png_size(const std::string& path, uint32_t& w, uint32_t& h);
// Full decode of 8-bit RGB/RGBA non-interlaced PNGs (what pngcairo writes).
Png decode_png(const std::string& path);
// Pixels whose colour is within `tol` of rgb.
size_t count_colour(const Png& png, uint32_t rgb, int tol = 40);

}  // namespace plottest
