// stb_image (PNG and JPEG in) and stb_image_write (PNG out) from Debian's libstb source, compiled
// once for the video program: no stdio, no SIMD (wasm32 has none here). main.cpp reads each
// frame's size from its header (stbi_info) and refuses an absurd one before anything is decoded.
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_NO_STDIO
#define STBI_NO_SIMD
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STB_IMAGE_IMPLEMENTATION
#include "stb_image.h"

#define STBI_WRITE_NO_STDIO
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include "stb_image_write.h"
