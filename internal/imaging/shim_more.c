#include <stdint.h>
#include "shim.h"

enum { C_GAMMA, C_INVERT, C_SOLARIZE, C_POSTERIZE, C_EQUALIZE, C_AUTOCONTRAST, C_SHUFFLE, C_SHARPEN };

// colour_op applies one colour operation to an sRGB image without alpha
// and returns 8-bit output.
static int colour_op(VipsImage *in, VipsImage **out, int op, const double *p) {
	VipsImage *t[8] = {NULL};
	int rc = -1;
	switch (op) {
	case C_GAMMA: // 255·(x/255)^(1/g)
		if (vips_linear1(in, &t[0], 1.0 / 255, 0, NULL)) goto done;
		if (vips_math2_const1(t[0], &t[1], VIPS_OPERATION_MATH2_POW, 1.0 / p[0], NULL)) goto done;
		if (vips_linear1(t[1], &t[2], 255, 0, NULL)) goto done;
		if (vips_cast(t[2], out, VIPS_FORMAT_UCHAR, NULL)) goto done;
		break;
	case C_INVERT:
		if (vips_invert(in, out, NULL)) goto done;
		break;
	case C_SOLARIZE:
		if (vips_relational_const1(in, &t[0], VIPS_OPERATION_RELATIONAL_MOREEQ, p[0], NULL)) goto done;
		if (vips_invert(in, &t[1], NULL)) goto done;
		if (vips_ifthenelse(t[0], t[1], in, out, NULL)) goto done;
		break;
	case C_POSTERIZE:
		if (vips_boolean_const1(in, &t[0], VIPS_OPERATION_BOOLEAN_AND, (double) (0xff & (0xff << (8 - (int) p[0]))), NULL)) goto done;
		if (vips_cast(t[0], out, VIPS_FORMAT_UCHAR, NULL)) goto done;
		break;
	case C_EQUALIZE:
		if (vips_hist_equal(in, out, NULL)) goto done;
		break;
	case C_AUTOCONTRAST: { // per channel: stretch [min, max] to [0, 255]
		double a[3], b[3];
		if (vips_stats(in, &t[0], NULL)) goto done; // row 1 + i: band i; columns min, max, …
		if (!(t[1] = vips_image_copy_memory(t[0]))) goto done;
		for (int i = 0; i < in->Bands; i++) {
			double lo = *VIPS_MATRIX(t[1], 0, i + 1), hi = *VIPS_MATRIX(t[1], 1, i + 1);
			a[i] = hi > lo ? 255.0 / (hi - lo) : 1;
			b[i] = hi > lo ? -lo * a[i] : 0;
		}
		if (vips_linear(in, &t[2], a, b, in->Bands, NULL)) goto done;
		if (vips_cast(t[2], out, VIPS_FORMAT_UCHAR, NULL)) goto done;
		break;
	}
	case C_SHUFFLE:
		for (int i = 0; i < 3; i++)
			if (vips_extract_band(in, &t[i], (int) p[i], NULL)) goto done;
		if (vips_bandjoin(t, out, 3, NULL)) goto done;
		(*out)->Type = VIPS_INTERPRETATION_sRGB;
		break;
	case C_SHARPEN: // (1 + amount)·in − amount·blur(in)
		if (vips_gaussblur(in, &t[0], p[0], NULL)) goto done;
		if (vips_linear1(in, &t[1], 1 + p[1], 0, NULL)) goto done;
		if (vips_linear1(t[0], &t[2], -p[1], 0, NULL)) goto done;
		if (vips_add(t[1], t[2], &t[3], NULL)) goto done;
		if (vips_cast(t[3], out, VIPS_FORMAT_UCHAR, NULL)) goto done;
		break;
	default:
		vips_error("augment", "unknown colour operation %d", op);
		goto done;
	}
	rc = 0;
done:
	for (int i = 0; i < 8; i++) if (t[i]) g_object_unref(t[i]);
	return rc;
}

// aug_colour runs a colour operation on the colour bands and puts any alpha
// band back unchanged.
int aug_colour(VipsImage *in, VipsImage **out, int op, const double *p) {
	if (in->Bands == 3) return colour_op(in, out, op, p);
	VipsImage *t[3] = {NULL};
	int rc = -1;
	if (vips_extract_band(in, &t[0], 0, "n", 3, NULL)) goto done;
	if (vips_extract_band(in, &t[1], 3, "n", in->Bands - 3, NULL)) goto done;
	if (colour_op(t[0], &t[2], op, p)) goto done;
	if (vips_bandjoin2(t[2], t[1], out, NULL)) goto done;
	rc = 0;
done:
	for (int i = 0; i < 3; i++) if (t[i]) g_object_unref(t[i]);
	return rc;
}

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

// aug_jpeg encodes the colour bands as JPEG and decodes them again.
int aug_jpeg(VipsImage *in, VipsImage **out, int quality) {
	VipsImage *t[4] = {NULL};
	void *buf = NULL;
	size_t len;
	int rc = -1;
	if (vips_extract_band(in, &t[0], 0, "n", 3, NULL)) goto done;
	if (vips_jpegsave_buffer(t[0], &buf, &len, "Q", quality, "strip", TRUE, NULL)) goto done;
	if (vips_jpegload_buffer(buf, len, &t[1], NULL)) goto done;
	t[2] = vips_image_copy_memory(t[1]);
	if (!t[2]) goto done;
	if (in->Bands > 3) {
		if (vips_extract_band(in, &t[3], 3, "n", in->Bands - 3, NULL)) goto done;
		if (vips_bandjoin2(t[2], t[3], out, NULL)) goto done;
	} else {
		*out = t[2];
		t[2] = NULL;
	}
	rc = 0;
done:
	g_free(buf);
	for (int i = 0; i < 4; i++) if (t[i]) g_object_unref(t[i]);
	return rc;
}

// aug_shrink scales by scale, then back to the size it had.
int aug_shrink(VipsImage *in, VipsImage **out, double scale) {
	VipsImage *t = NULL;
	if (vips_resize(in, &t, scale, NULL)) return -1;
	int rc = aug_resize(t, out, in->Xsize, in->Ysize);
	g_object_unref(t);
	return rc;
}

// aug_cutout draws filled boxes (x, y, w, h in pixels) on a copy.
int aug_cutout(VipsImage *in, VipsImage **out, const int *boxes, int n, double ink) {
	*out = vips_image_copy_memory(in);
	if (!*out) return -1;
	double inks[4] = {ink, ink, ink, 255};
	for (int i = 0; i < n; i++) {
		const int *b = boxes + 4 * i;
		if (vips_draw_rect(*out, inks, in->Bands, b[0], b[1], b[2], b[3], "fill", TRUE, NULL)) {
			g_object_unref(*out);
			return -1;
		}
	}
	return 0;
}
