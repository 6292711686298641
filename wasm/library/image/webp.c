// The image library's WebP encoder: libwebp 1.2.4's advanced API (src/webp/encode.h), for main.rs,
// which hands it packed 8-bit RGB or RGBA rows. Built into libwebp's archive by
// scripts/library/webp.mjs.
#include <stddef.h>
#include <stdint.h>

#include "webp/encode.h"

size_t image_webp_encode(const uint8_t *pixels, int width, int height, int alpha, int lossless,
                         float quality, int method, uint8_t **out, int *error);

// Encodes `width` × `height` pixels as WebP with libwebp's `method` 0..6 (its speed against size;
// cwebp's -m): lossless as `cwebp -lossless -exact` does (libwebp's default effort, the RGB under
// fully transparent pixels kept, so that the result decodes to the input bit for bit); or lossy at
// `quality` 0..100, as `cwebp -q`. The bytes are left in *out (for WebPFree) and their count
// returned; 0 on failure, with *error set to libwebp's WebPEncodingError.
size_t image_webp_encode(const uint8_t *pixels, int width, int height, int alpha, int lossless,
                         float quality, int method, uint8_t **out, int *error) {
  WebPConfig config;
  WebPPicture picture;
  WebPMemoryWriter writer;
  *out = NULL;
  *error = VP8_ENC_ERROR_INVALID_CONFIGURATION;
  if (!WebPConfigInit(&config) || !WebPPictureInit(&picture)) return 0;
  config.lossless = lossless;
  config.exact = lossless;
  config.method = method;
  if (!lossless) config.quality = quality;
  if (!WebPValidateConfig(&config)) return 0;
  // Lossless works on ARGB, lossy on YUV(A): the picture is imported as its encoder wants it.
  picture.use_argb = lossless;
  picture.width = width;
  picture.height = height;
  int imported = alpha ? WebPPictureImportRGBA(&picture, pixels, width * 4)
                       : WebPPictureImportRGB(&picture, pixels, width * 3);
  if (!imported) {
    *error = picture.error_code;
    WebPPictureFree(&picture);
    return 0;
  }
  WebPMemoryWriterInit(&writer);
  picture.writer = WebPMemoryWrite;
  picture.custom_ptr = &writer;
  int encoded = WebPEncode(&config, &picture);
  *error = picture.error_code;
  WebPPictureFree(&picture);
  if (!encoded) {
    WebPMemoryWriterClear(&writer);
    return 0;
  }
  *out = writer.mem;
  return writer.size;
}
