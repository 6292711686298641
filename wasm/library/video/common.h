// What main.cpp's methods share (common.cpp).
#ifndef VIDEO_COMMON_H
#define VIDEO_COMMON_H
#include <stddef.h>
#include <stdint.h>

#include <string>
#include <vector>

#include "vpx/vpx_image.h"

// The most input a unit takes (video-methods.ts, VIDEO_INPUT_BYTES) and output it gives (the node takes 64 MiB).
static const size_t MAX_INPUT = 15u << 20;
static const size_t MAX_OUTPUT = 60u << 20;

// A refusal: exit 2, "video: MESSAGE" on stdout (what the nodes compare and send back) and stderr.
__attribute__((format(printf, 1, 2), noreturn)) void fail(const char *fmt, ...);
// All of stdin, at most MAX_INPUT bytes.
std::vector<uint8_t> read_all();
// Bytes to stdout, at most MAX_OUTPUT in all.
void put(const void *bytes, size_t n);

// A regular file of a tar: its name and where its bytes are.
struct Entry {
  std::string name;
  size_t offset, size;
};
// The regular files of the tar `in`, sorted by name.
std::vector<Entry> tar_entries(const std::vector<uint8_t> &in);
// One file of a tar to stdout (mode 0644, owner 0, time 0).
void tar_put(const std::string &name, const std::vector<uint8_t> &data);

// BT.601, limited range (what browsers assume for VP8).
void rgb_to_i420(const uint8_t *rgb, int w, int h, vpx_image_t *img);
std::vector<uint8_t> i420_to_rgb(const vpx_image_t *img);
#endif
