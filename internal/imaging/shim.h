#include <stdlib.h>
#include <vips/vips.h>

int aug_loader(const void *buf, size_t len, const char **name);
int aug_header(const void *buf, size_t len, int *w, int *h, int *bands, int *orientation);
int aug_decode(const void *buf, size_t len, VipsImage **out);
int aug_flip(VipsImage *in, VipsImage **out, int horizontal);
int aug_rot(VipsImage *in, VipsImage **out, int quarters_ccw);
int aug_rotate(VipsImage *in, VipsImage **out, double angle_ccw, int extend, int expand);
int aug_crop(VipsImage *in, VipsImage **out, int x, int y, int w, int h);
int aug_resize(VipsImage *in, VipsImage **out, int w, int h);
int aug_linear(VipsImage *in, VipsImage **out, double a, double b);
int aug_mean_luma(VipsImage *in, double *mean);
int aug_blur(VipsImage *in, VipsImage **out, double sigma);
int aug_gray(VipsImage *in, VipsImage **out);
int aug_save(VipsImage *in, int format, int quality, void **buf, size_t *len);
void aug_init(void);
