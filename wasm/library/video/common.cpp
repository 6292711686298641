// The video program's plumbing (main.cpp has its methods): refusals, stdin and stdout, the
// uncompressed tar its frames travel in, and the colour conversion between RGB and VP8's I420.
#include "common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>

void fail(const char *fmt, ...) {
  char message[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  printf("video: %s\n", message);
  fflush(stdout);
  fprintf(stderr, "video: %s\n", message);
  exit(2);
}

std::vector<uint8_t> read_all() {
  std::vector<uint8_t> buf(1 << 16);
  size_t n = 0;
  for (;;) {
    ssize_t r = read(0, buf.data() + n, buf.size() - n);
    if (r < 0) fail("cannot read the input");
    if (r == 0) break;
    n += static_cast<size_t>(r);
    if (n > MAX_INPUT) fail("the input is over %zu bytes, a unit's most", MAX_INPUT);
    if (n == buf.size()) buf.resize(buf.size() * 2);
  }
  buf.resize(n);
  return buf;
}

static size_t written = 0;
void put(const void *bytes, size_t n) {
  written += n;
  if (written > MAX_OUTPUT) fail("the output passes %zu bytes, a unit's most", MAX_OUTPUT);
  if (n > 0 && fwrite(bytes, 1, n, stdout) != n) fail("cannot write the output");
}

// ---- tar (ustar, uncompressed) ----

static size_t octal(const uint8_t *field, size_t len) {
  size_t value = 0;
  for (size_t i = 0; i < len && field[i] >= '0' && field[i] <= '7'; i++) value = value * 8 + (field[i] - '0');
  return value;
}

// The regular files of the tar `in`, sorted by name.
std::vector<Entry> tar_entries(const std::vector<uint8_t> &in) {
  std::vector<Entry> entries;
  size_t pos = 0;
  while (pos + 512 <= in.size()) {
    const uint8_t *h = &in[pos];
    if (std::all_of(h, h + 512, [](uint8_t b) { return b == 0; })) break;
    unsigned sum = 0;
    for (int i = 0; i < 512; i++) sum += (i >= 148 && i < 156) ? ' ' : h[i];
    if (octal(h + 148, 8) != sum) fail("the input is not a tar archive (a header's checksum is wrong at byte %zu)", pos);
    size_t size = octal(h + 124, 12);
    char type = static_cast<char>(h[156]);
    std::string name(reinterpret_cast<const char *>(h), strnlen(reinterpret_cast<const char *>(h), 100));
    if (memcmp(h + 257, "ustar", 5) == 0 && h[345] != 0)
      name = std::string(reinterpret_cast<const char *>(h + 345), strnlen(reinterpret_cast<const char *>(h + 345), 155)) +
             "/" + name;
    pos += 512;
    if (size > in.size() - pos) fail("the tar archive is truncated: %s needs %zu bytes", name.c_str(), size);
    if (type == '0' || type == '\0') {
      entries.push_back({name, pos, size});
    } else if (type != '5') {
      fail("the tar archive holds %s of type '%c': only files and folders (write it with tar --format=ustar)",
           name.c_str(), type);
    }
    pos += (size + 511) / 512 * 512;
  }
  std::sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) { return a.name < b.name; });
  return entries;
}

void tar_put(const std::string &name, const std::vector<uint8_t> &data) {
  uint8_t h[512] = {0};
  memcpy(h, name.data(), std::min<size_t>(name.size(), 99));
  snprintf(reinterpret_cast<char *>(h + 100), 8, "%07o", 0644);
  snprintf(reinterpret_cast<char *>(h + 108), 8, "%07o", 0);
  snprintf(reinterpret_cast<char *>(h + 116), 8, "%07o", 0);
  snprintf(reinterpret_cast<char *>(h + 124), 12, "%011zo", data.size());
  snprintf(reinterpret_cast<char *>(h + 136), 12, "%011o", 0);
  h[156] = '0';
  memcpy(h + 257, "ustar", 6);
  memcpy(h + 263, "00", 2);
  unsigned sum = 0;
  memset(h + 148, ' ', 8);
  for (int i = 0; i < 512; i++) sum += h[i];
  snprintf(reinterpret_cast<char *>(h + 148), 8, "%06o", sum);
  put(h, 512);
  put(data.data(), data.size());
  static const uint8_t zeros[512] = {0};
  put(zeros, (512 - data.size() % 512) % 512);
}

// ---- colour: BT.601, limited range (what browsers assume for VP8) ----

static uint8_t clamp(int v) { return static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v); }

void rgb_to_i420(const uint8_t *rgb, int w, int h, vpx_image_t *img) {
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      const uint8_t *p = rgb + (static_cast<size_t>(y) * w + x) * 3;
      img->planes[0][y * img->stride[0] + x] = static_cast<uint8_t>(((66 * p[0] + 129 * p[1] + 25 * p[2] + 128) >> 8) + 16);
    }
  for (int y = 0; y < (h + 1) / 2; y++)
    for (int x = 0; x < (w + 1) / 2; x++) {
      int r = 0, g = 0, b = 0, n = 0;
      for (int dy = 0; dy < 2 && 2 * y + dy < h; dy++)
        for (int dx = 0; dx < 2 && 2 * x + dx < w; dx++, n++) {
          const uint8_t *p = rgb + (static_cast<size_t>(2 * y + dy) * w + 2 * x + dx) * 3;
          r += p[0], g += p[1], b += p[2];
        }
      r = (r + n / 2) / n, g = (g + n / 2) / n, b = (b + n / 2) / n;
      img->planes[1][y * img->stride[1] + x] = static_cast<uint8_t>(((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128);
      img->planes[2][y * img->stride[2] + x] = static_cast<uint8_t>(((112 * r - 94 * g - 18 * b + 128) >> 8) + 128);
    }
}

std::vector<uint8_t> i420_to_rgb(const vpx_image_t *img) {
  int w = static_cast<int>(img->d_w), h = static_cast<int>(img->d_h);
  std::vector<uint8_t> rgb(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      int c = img->planes[0][y * img->stride[0] + x] - 16;
      int d = img->planes[1][(y / 2) * img->stride[1] + x / 2] - 128;
      int e = img->planes[2][(y / 2) * img->stride[2] + x / 2] - 128;
      uint8_t *p = &rgb[(static_cast<size_t>(y) * w + x) * 3];
      p[0] = clamp((298 * c + 409 * e + 128) >> 8);
      p[1] = clamp((298 * c - 100 * d - 208 * e + 128) >> 8);
      p[2] = clamp((298 * c + 516 * d + 128) >> 8);
    }
  return rgb;
}
