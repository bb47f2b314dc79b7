#include <stdint.h>
#include "shim.h"

// aug_noise adds seeded, zero-mean noise of standard deviation sigma to each
// colour band (alpha is left alone). The noise is the sum of four uniform
// draws (Irwin–Hall), close to Gaussian, from splitmix64: a pass over the
// pixels in C, many times faster than vips_gaussnoise's twelve draws.
int aug_noise(VipsImage *in, VipsImage **out, double sigma, int seed) {
	VipsImage *mem = vips_image_copy_memory(in);
	if (!mem) return -1;
	size_t size = VIPS_IMAGE_SIZEOF_IMAGE(mem);
	*out = vips_image_new_from_memory_copy(VIPS_IMAGE_ADDR(mem, 0, 0), size, mem->Xsize, mem->Ysize, mem->Bands, VIPS_FORMAT_UCHAR);
	g_object_unref(mem);
	if (!*out) return -1;
	(*out)->Type = VIPS_INTERPRETATION_sRGB;
	VipsPel *p = VIPS_IMAGE_ADDR(*out, 0, 0);
	int bands = (*out)->Bands, colour = bands >= 3 ? 3 : bands;
	uint64_t state = (uint64_t) (uint32_t) seed * 0x9E3779B97F4A7C15ULL + 1;
	// four uniforms on [0, 65535] sum to mean 131070, sd 65536·sqrt(4/12)
	double scale = sigma / (65536.0 * sqrt(1.0 / 3.0));
	size_t pixels = (size_t) (*out)->Xsize * (*out)->Ysize;
	for (size_t i = 0; i < pixels; i++, p += bands) {
		for (int b = 0; b < colour; b++) {
			uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
			z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
			z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
			z ^= z >> 31;
			double u = (double) (z & 0xffff) + ((z >> 16) & 0xffff) + ((z >> 32) & 0xffff) + (z >> 48);
			double v = p[b] + (u - 131070.0) * scale;
			p[b] = v < 0 ? 0 : v > 255 ? 255 : (VipsPel) (v + 0.5);
		}
	}
	return 0;
}
