#include <stdlib.h>
#include <vips/vips.h>

int aug_loader(const void *buf, size_t len, const char **name);
int aug_header(const void *buf, size_t len, int *w, int *h, int *bands, int *orientation);
int aug_decode(const void *buf, size_t len, VipsImage **out);
int aug_crop(VipsImage *in, VipsImage **out, int x, int y, int w, int h);
int aug_resize(VipsImage *in, VipsImage **out, int w, int h);
int aug_means(VipsImage *in, double *means, int step);
int aug_grid_means(VipsImage *in, const double *m, int ow, int oh, int fill, int n, double *means);
int aug_warp(VipsImage *in, VipsImage **out, const double *m, int ow, int oh, int fill, const double *colour);
int aug_simd(int on);
int aug_recolour(VipsImage *in, VipsImage **out, const double *m);
int aug_turn(VipsImage *in, VipsImage **out, int k);
int aug_blur(VipsImage *in, VipsImage **out, double sigma);
int aug_save(VipsImage *in, int format, int quality, void **buf, size_t *len);
void aug_init(void);
int aug_colour(VipsImage *in, VipsImage **out, int op, const double *p);
int aug_noise(VipsImage *in, VipsImage **out, double sigma, int seed);
int aug_jpeg(VipsImage *in, VipsImage **out, int quality);
int aug_shrink(VipsImage *in, VipsImage **out, double scale);
int aug_cutout(VipsImage *in, VipsImage **out, const int *boxes, int n, double ink);
