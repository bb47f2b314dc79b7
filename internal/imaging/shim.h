// The C side of internal/imaging: libvips calls cgo can make (it cannot call
// variadic functions) and the project's own passes. Every function leaves its
// input alone and returns a new reference in *out, or -1 with the vips error
// buffer set. The enums and structs here are the only definitions of what
// crosses between Go and C: vips.go uses them by name.
#include <stdlib.h>
#include <vips/vips.h>

// AugFill is what a warp shows where it reads outside its input.
typedef enum { AUG_FILL_BLACK, AUG_FILL_EDGE, AUG_FILL_MIRROR, AUG_FILL_WHITE } AugFill;

// AugFormat is an output format of aug_save.
typedef enum { AUG_SAVE_JPEG, AUG_SAVE_PNG, AUG_SAVE_WEBP } AugFormat;

// AugTone is a tone operation of aug_tone; AugArgs holds its parameters.
typedef enum {
	AUG_TONE_GAMMA,        // gamma: out = 255·(in/255)^(1/gamma)
	AUG_TONE_INVERT,       // —
	AUG_TONE_SOLARIZE,     // threshold: values at or above it are inverted
	AUG_TONE_POSTERIZE,    // bits kept
	AUG_TONE_EQUALIZE,     // —
	AUG_TONE_AUTOCONTRAST, // —
	AUG_TONE_SHUFFLE,      // the input band of each of the three output bands
	AUG_TONE_SHARPEN,      // sigma, amount
} AugTone;
typedef struct {
	double v[4];
} AugArgs;

// AugMap maps output pixel positions to input ones: m·(x, y, 1), row-major
// 3×3, in continuous coordinates (pixel i spans [i, i + 1)).
typedef struct {
	double m[9];
} AugMap;

// AugColour maps (r, g, b) to three rows of (r, g, b, offset)·(r, g, b, 1).
typedef struct {
	double k[12];
} AugColour;

// AugRect is a rectangle of pixels.
typedef struct {
	int x, y, w, h;
} AugRect;

// vips.c: libvips
void aug_init(void);
int aug_loader(const void *buf, size_t len, const char **name);
int aug_header(const void *buf, size_t len, int *w, int *h, int *bands, int *orientation);
int aug_decode(const void *buf, size_t len, int jpeg_shrink, double webp_scale, int direct, int split, VipsImage **out);
int aug_jpeg_decode(const void *buf, size_t len, int shrink, VipsImage *header, int split, VipsImage **out);
int aug_jpeg_band(VipsImage *in, int top, int height, int quality, int half, void **buf, size_t *len);
int aug_save(VipsImage *in, AugFormat format, int quality, int chroma, void **buf, size_t *len);
int aug_thumb(VipsImage *in, int size, int quality, void **buf, size_t *len, int *w, int *h);
int aug_crop(VipsImage *in, VipsImage **out, int x, int y, int w, int h);
int aug_resize(VipsImage *in, VipsImage **out, int w, int h);
int aug_turn(VipsImage *in, VipsImage **out, int k);
int aug_blur(VipsImage *in, VipsImage **out, double sigma);
int aug_jpeg(VipsImage *in, VipsImage **out, int quality);
int aug_shrink(VipsImage *in, VipsImage **out, double scale);
int aug_cutout(VipsImage *in, VipsImage **out, const AugRect *holes, int n, double ink);
int aug_means(VipsImage *in, double *means, int step);

// tone.c: per-pixel curves and band operations
int aug_tone(VipsImage *in, VipsImage **out, AugTone op, const AugArgs *args);

// noise.c: seeded noise
int aug_noise(VipsImage *in, VipsImage **out, double sigma, int seed);

// warp.c: the geometric and colour passes
int aug_warp(VipsImage *in, VipsImage **out, const AugMap *m, int ow, int oh, AugFill fill, const AugColour *colour);
int aug_recolour(VipsImage *in, VipsImage **out, const AugColour *m);
int aug_grid_means(VipsImage *in, const AugMap *m, int ow, int oh, AugFill fill, int n, double *means);
int aug_simd(int on);
