// Helpers for the plot tests (see plot_test_util.hpp).
#include "plot_test_util.hpp"

#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace plottest {

namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "fiokit-plot-test.XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!std::getenv("FIOKIT_KEEP_TEST_DIRS")) fs::remove_all(path_, ec);
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool file_exists(const std::string& path) { return fs::exists(path); }

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

CommandResult run_command(const std::string& cmd, const std::string& cwd) {
  TempDir io;
  const std::string full = "cd " + shell_quote(cwd) + " && { " + cmd + " ; } >" + shell_quote(io / "out") +
                           " 2>" + shell_quote(io / "err");
  const int status = std::system(full.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_file(io / "out");
  r.err = read_file(io / "err");
  return r;
}

CommandResult run_plot(const std::vector<std::string>& args, const std::string& cwd,
                       const std::string& env_prefix) {
  std::string cmd = env_prefix + shell_quote(FIOKIT_BIN) + " plot";
  for (const std::string& a : args) cmd += " " + shell_quote(a);
  return run_command(cmd, cwd);
}

bool have_program(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

std::string synthetic_log(int n, int step_ms, uint64_t base, int ddir, uint64_t bs, uint64_t spike) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    uint64_t v = base + static_cast<uint64_t>((i * 37) % 17) * (base / 50 + 1);
    if (spike && i == n / 2) v = spike;
    s += std::to_string(static_cast<uint64_t>(i) * static_cast<uint64_t>(step_ms) + 3) + ", " + std::to_string(v) +
         ", " + std::to_string(ddir) + ", " + std::to_string(bs) + ", 0\n";
  }
  return s;
}

namespace {
uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
const char kSig[] = "\x89PNG\r\n\x1a\n";
}  // namespace

bool read_png_size(const std::string& path, uint32_t& w, uint32_t& h) {
  const std::string d = read_file(path);
  if (d.size() < 33 || d.compare(0, 8, kSig) != 0 || d.compare(12, 4, "IHDR") != 0) return false;
  const auto* p = reinterpret_cast<const uint8_t*>(d.data());
  w = be32(p + 16);
  h = be32(p + 20);
  return true;
}

Png decode_png(const std::string& path) {
  const std::string d = read_file(path);
  if (d.size() < 33 || d.compare(0, 8, kSig) != 0) throw std::runtime_error(path + ": not a PNG");
  const auto* p = reinterpret_cast<const uint8_t*>(d.data());
  Png png;
  std::string idat;
  int depth = 0, type = 0, interlace = 0;
  for (size_t pos = 8; pos + 12 <= d.size();) {
    const uint32_t len = be32(p + pos);
    const std::string kind = d.substr(pos + 4, 4);
    const uint8_t* data = p + pos + 8;
    if (pos + 12 + len > d.size()) throw std::runtime_error(path + ": truncated chunk");
    if (kind == "IHDR") {
      png.width = be32(data);
      png.height = be32(data + 4);
      depth = data[8];
      type = data[9];
      interlace = data[12];
    } else if (kind == "IDAT") {
      idat.append(reinterpret_cast<const char*>(data), len);
    } else if (kind == "IEND") {
      break;
    }
    pos += 12 + len;
  }
  if (depth != 8 || (type != 2 && type != 6) || interlace != 0)
    throw std::runtime_error(path + ": unsupported PNG layout for the test decoder");
  png.channels = type == 6 ? 4 : 3;
  const size_t stride = static_cast<size_t>(png.width) * static_cast<size_t>(png.channels);
  std::vector<uint8_t> raw((stride + 1) * png.height);
  uLongf raw_len = raw.size();
  if (uncompress(raw.data(), &raw_len, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) != Z_OK ||
      raw_len != raw.size())
    throw std::runtime_error(path + ": bad IDAT data");
  png.pixels.assign(stride * png.height, 0);
  const size_t bpp = static_cast<size_t>(png.channels);
  for (size_t y = 0; y < png.height; ++y) {
    const uint8_t filter = raw[y * (stride + 1)];
    const uint8_t* in = &raw[y * (stride + 1) + 1];
    uint8_t* out = &png.pixels[y * stride];
    const uint8_t* up = y ? &png.pixels[(y - 1) * stride] : nullptr;
    for (size_t x = 0; x < stride; ++x) {
      const int a = x >= bpp ? out[x - bpp] : 0;
      const int b = up ? up[x] : 0;
      const int c = (up && x >= bpp) ? up[x - bpp] : 0;
      int v = in[x];
      switch (filter) {
        case 0: break;
        case 1: v += a; break;
        case 2: v += b; break;
        case 3: v += (a + b) / 2; break;
        case 4: {
          const int pp = a + b - c, pa = std::abs(pp - a), pb = std::abs(pp - b), pc = std::abs(pp - c);
          v += (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
          break;
        }
        default: throw std::runtime_error(path + ": bad PNG filter");
      }
      out[x] = static_cast<uint8_t>(v);
    }
  }
  return png;
}

size_t count_colour(const Png& png, uint32_t rgb, int tol) {
  const int r = static_cast<int>((rgb >> 16) & 0xff), g = static_cast<int>((rgb >> 8) & 0xff),
            b = static_cast<int>(rgb & 0xff);
  size_t n = 0;
  for (size_t i = 0; i + 2 < png.pixels.size(); i += static_cast<size_t>(png.channels)) {
    if (std::abs(png.pixels[i] - r) + std::abs(png.pixels[i + 1] - g) + std::abs(png.pixels[i + 2] - b) <= tol) ++n;
  }
  return n;
}

}  // namespace plottest
